"""Create one project through each provider, against the sandbox over real HTTP."""

from __future__ import annotations

from integrations.models import OutboxItem
from integrations.sandbox.asana_shapes import GID_BASE
from projects.models import Project, ProjectUser, Workspace


def _form(client, **data):
    page = client.get("/projects/new/")
    key = page.context["form"].initial["submission_key"]
    return client.post("/projects/new/", {"submission_key": key, **data})


def test_create_through_the_generic_tool(
    logged_in_client, sandbox_connection, sandbox_clean, synced
):
    connection = synced(sandbox_connection("projecttool"), "workspaces", "users")
    before = sandbox_clean.count("projects_projects")
    response = _form(
        logged_in_client,
        name="Hub launch <b>",
        description="From the hub",
        workspace="2",
        owner="3",
        start_date="2026-01-05",
        end_date="2026-02-01",
        status="Active",
        priority="High",
        tags="alpha, beta",
        template="",
    )
    project = Project.objects.get(connection=connection, name="Hub launch <b>")
    assert response.status_code == 302
    assert response.url == f"/projects/{project.pk}/"
    assert project.sync_status == "synced" and project.remote_id
    stored = sandbox_clean.record(
        "SELECT payload FROM projects_projects WHERE id = ?", (int(project.remote_id),)
    )
    assert stored["name"] == "Hub launch <b>"
    assert stored["owner_id"] == 3 and stored["workspace_id"] == 2
    assert stored["tags"] == ["alpha", "beta"]
    assert stored["status"] == "Active" and stored["priority"] == "High"
    assert sandbox_clean.count("projects_projects") == before + 1
    page = logged_in_client.get(response.url)
    assert "Hub launch &lt;b&gt;" in page.content.decode()


def test_a_duplicate_name_lands_on_the_name_field(logged_in_client, sandbox_connection, synced):
    synced(sandbox_connection("projecttool"), "workspaces", "users")
    first = _form(logged_in_client, name="Twice", workspace="1")
    assert first.status_code == 302
    second = _form(logged_in_client, name="Twice", workspace="1")
    assert second.status_code == 200
    assert "already exists" in " ".join(second.context["form"].errors["name"])
    assert Project.objects.filter(name="Twice").count() == 1


def test_an_expired_oauth_token_is_refreshed(
    logged_in_client, sandbox_connection, sandbox_clean, synced
):
    synced(sandbox_connection("projecttool"), "workspaces", "users")
    sandbox_clean.expire_tokens()
    response = _form(logged_in_client, name="After expiry", workspace="1")
    assert response.status_code == 302
    assert Project.objects.get(name="After expiry").sync_status == "synced"


def test_provider_down_saves_and_says_so(
    logged_in_client, sandbox_connection, sandbox_clean, synced
):
    synced(sandbox_connection("projecttool", api_token="sandbox-projects"), "workspaces", "users")
    sandbox_clean.set_faults("projects", error_rate=1, error_statuses=[503])
    response = _form(logged_in_client, name="While down", workspace="1")
    assert response.status_code == 302
    project = Project.objects.get(name="While down")
    assert project.sync_status == "pending"
    page = logged_in_client.get(response.url)
    assert "it will be sent to Project tool as soon as it answers" in page.content.decode()
    assert OutboxItem.objects.get(record_id=project.pk).status == "pending"


def test_create_through_asana(logged_in_client, sandbox_connection, sandbox_clean, synced):
    connection = synced(sandbox_connection("asana"), "workspaces", "users")
    workspace = Workspace.objects.filter(connection=connection, is_organization=False).first()
    page = logged_in_client.get("/projects/new/")
    form = page.context["form"]
    assert set(form.fields) == {
        "name",
        "description",
        "owner",
        "workspace",
        "team",
        "start_date",
        "end_date",
        "submission_key",
    }
    owner = form.fields["owner"].choices[1][0]
    response = logged_in_client.post(
        "/projects/new/",
        {
            "submission_key": form.initial["submission_key"],
            "name": "Asana from the hub",
            "description": "Notes here",
            "workspace": workspace.remote_id,
            "owner": owner,
            "start_date": "2026-03-01",
            "end_date": "2026-03-20",
        },
    )
    assert response.status_code == 302
    project = Project.objects.get(name="Asana from the hub")
    assert project.sync_status == "synced"
    gid = int(project.remote_id) - 1_200_000_000_000_000
    stored = sandbox_clean.record("SELECT payload FROM asana_projects WHERE id = ?", (gid,))
    assert stored["notes"] == "Notes here"
    assert stored["start_on"] == "2026-03-01" and stored["due_on"] == "2026-03-20"
    assert stored["owner_id"] == int(owner) - 1_200_000_000_000_000


def test_asana_rules_are_checked_before_sending(
    logged_in_client, sandbox_connection, sandbox_clean, synced
):
    synced(sandbox_connection("asana"), "workspaces")
    before = sandbox_clean.count("asana_projects")
    page = logged_in_client.get("/projects/new/")
    workspace = page.context["form"].fields["workspace"].choices[1][0]
    response = logged_in_client.post(
        "/projects/new/",
        {
            "submission_key": page.context["form"].initial["submission_key"],
            "name": "Same day",
            "workspace": workspace,
            "start_date": "2026-03-01",
            "end_date": "2026-03-01",
        },
    )
    assert response.status_code == 200
    assert "end_date" in response.context["form"].errors
    assert sandbox_clean.count("asana_projects") == before


def test_the_list_syncs_and_filters(logged_in_client, sandbox_connection, synced):
    synced(sandbox_connection("projecttool"))
    page = logged_in_client.get("/projects/", {"status": "Active", "workspace": "1"})
    assert page.status_code == 200
    rows = list(page.context["page_obj"])
    assert rows and all(p.status == "Active" and p.workspace_remote_id == "1" for p in rows)
    assert all(p.workspace_label == "Workspace 1" for p in rows)
    assert "Last synced" in page.content.decode()


def test_asana_list_shows_synced_fields(logged_in_client, sandbox_connection, synced):
    synced(sandbox_connection("asana"))
    page = logged_in_client.get("/projects/")
    rows = list(page.context["page_obj"])
    assert len(rows) == page.context["page_obj"].paginator.count > 0
    assert any(p.owner_label and p.start_date for p in rows)
    assert {p.workspace_label for p in rows} == {"Sandbox Workspace 1", "Sandbox Organization"}
    assert all(p.owner_label and not p.owner_label.isdigit() for p in rows)  # names, not gids


def test_asana_owner_picker_names_each_user(logged_in_client, sandbox_connection, synced):
    """Asana's users are read with their emails (its opt_fields); the picker shows a name,
    and the email only beside a name two users share (user_labels), so it fits a phone."""
    connection = synced(sandbox_connection("asana"), "workspaces", "users")
    users = ProjectUser.objects.filter(connection=connection)
    assert users and all(u.email.endswith("@sandbox.example") for u in users)
    owners = logged_in_client.get("/projects/new/").context["form"].fields["owner"].choices[1:]
    assert sorted(label for _, label in owners) == sorted(u.name for u in users)


def test_asana_organization_needs_a_team(
    logged_in_client, sandbox_connection, sandbox_clean, synced
):
    connection = synced(sandbox_connection("asana"), "workspaces", "users", "teams")
    organization = Workspace.objects.get(connection=connection, is_organization=True)
    plain = Workspace.objects.filter(connection=connection, is_organization=False).first()
    page = logged_in_client.get("/projects/new/")
    [(group, teams)] = page.context["form"].fields["team"].choices[1:]
    assert group == "Sandbox Organization"
    assert [name for _, name in teams] == ["Engineering", "Marketing", "Operations"]
    before = sandbox_clean.count("asana_projects")

    def post(name, workspace, team=""):
        return _form(logged_in_client, name=name, workspace=workspace, team=team)

    refused = post("Org without team", organization.remote_id)
    assert refused.status_code == 200
    assert refused.context["form"].errors["team"] == [
        "Asana needs a team for a project in an organization workspace."
    ]
    wrong = post("Team elsewhere", plain.remote_id, teams[0][0])
    assert wrong.context["form"].errors["team"] == ["Pick a team of the chosen workspace."]
    assert sandbox_clean.count("asana_projects") == before  # nothing was sent
    assert post("Org with team", organization.remote_id, teams[1][0]).status_code == 302
    project = Project.objects.get(name="Org with team")
    assert project.sync_status == "synced" and project.workspace_name == "Sandbox Organization"
    stored = sandbox_clean.record(
        "SELECT payload FROM asana_projects WHERE id = ?", (int(project.remote_id) - GID_BASE,)
    )
    assert stored["team_id"] == int(teams[1][0]) - GID_BASE
    assert post("Plain, no team", plain.remote_id).status_code == 302


def test_asanas_refusal_of_a_missing_team_lands_on_the_team_field(
    logged_in_client, sandbox_connection, synced
):
    """When the synced workspace is stale (not yet known as an organization) the hub
    sends the project; Asana's 400 names the field, and the form shows it there."""
    connection = synced(sandbox_connection("asana"), "workspaces")
    organization = Workspace.objects.get(connection=connection, is_organization=True)
    Workspace.objects.filter(pk=organization.pk).update(is_organization=False)
    response = _form(logged_in_client, name="Unsynced teams", workspace=organization.remote_id)
    assert response.status_code == 200
    assert response.context["form"].errors["team"] == ["Missing input"]
