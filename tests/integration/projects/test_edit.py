"""Edit a project through each provider, against the sandbox over real HTTP: the generic
tool's PATCH and Asana's PUT, each through the outbox, the fake keeping what was sent."""

from __future__ import annotations

from integrations.models import OutboxItem
from projects.models import Project


def _edit(client, project, **changes):
    page = client.get(f"/projects/{project.pk}/edit/")
    form = page.context["form"]
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update({k: v.isoformat() for k, v in form.initial.items() if hasattr(v, "isoformat")})
    data["base"] = form["base"].value()
    return client.post(f"/projects/{project.pk}/edit/", {**data, **changes}, follow=True)


def _stored(sandbox, table, project):
    remote = int(project.remote_id)
    if table == "asana_projects":
        remote -= 1_200_000_000_000_000
    return sandbox.record(f"SELECT payload FROM {table} WHERE id = ?", (remote,))  # noqa: S608


def test_edit_at_the_generic_tool(logged_in_client, sandbox_connection, sandbox_clean, synced):
    connection = synced(sandbox_connection("projecttool"))
    project = Project.objects.filter(connection=connection, is_deleted=False).first()
    before = _stored(sandbox_clean, "projects_projects", project)
    other = "High" if before["priority"] != "High" else "Low"

    page = _edit(logged_in_client, project, name="Renamed in the hub", priority=other,
                 tags="one, two")  # fmt: skip

    assert [str(m) for m in page.context["messages"]] == ["Project updated in Project tool."]
    after = _stored(sandbox_clean, "projects_projects", project)
    assert (after["name"], after["priority"], after["tags"]) == (
        "Renamed in the hub",
        other,
        ["one", "two"],
    )
    assert after["workspace_id"] == before["workspace_id"]  # never sent
    assert (
        after["description"] == before["description"] and after["updated_at"] > before["updated_at"]
    )
    project.refresh_from_db()
    assert (project.name, project.sync_status) == ("Renamed in the hub", "synced")
    assert OutboxItem.objects.get().payload["fields"] == ["name", "priority", "tags"]


def test_a_taken_name_is_refused_on_the_name_field(
    logged_in_client, sandbox_connection, sandbox_clean, synced
):
    connection = synced(sandbox_connection("projecttool"))
    projects = Project.objects.filter(connection=connection, is_deleted=False)
    first = projects.exclude(workspace_remote_id="").order_by("pk").first()
    taken = projects.filter(workspace_remote_id=first.workspace_remote_id).exclude(pk=first.pk)
    taken = taken.first()

    page = _edit(logged_in_client, first, name=taken.name)

    assert "already exists" in " ".join(page.context["form"].errors["name"])
    assert _stored(sandbox_clean, "projects_projects", first)["name"] == first.name


def test_edit_at_asana(logged_in_client, sandbox_connection, sandbox_clean, synced):
    connection = synced(sandbox_connection("asana"))
    project = Project.objects.filter(connection=connection, is_deleted=False).first()

    page = _edit(logged_in_client, project, name="Asana, renamed", description="New notes",
                 start_date="2026-05-01", end_date="2026-06-30")  # fmt: skip

    assert [str(m) for m in page.context["messages"]] == ["Project updated in Asana."]
    stored = _stored(sandbox_clean, "asana_projects", project)
    assert (stored["name"], stored["notes"]) == ("Asana, renamed", "New notes")
    assert (stored["start_on"], stored["due_on"]) == ("2026-05-01", "2026-06-30")
    project.refresh_from_db()
    assert project.sync_status == "synced" and project.description == "New notes"


def test_the_same_edit_sent_again_after_another_change_is_still_that_edit(
    logged_in_client, sandbox_connection, sandbox_clean, synced
):
    """The form sent twice (a late double click) while a sync brought in someone else's
    change to another field: the second answers with the first edit, not "changed"."""
    connection = synced(sandbox_connection("projecttool"))
    project = Project.objects.filter(connection=connection, is_deleted=False).first()
    page = logged_in_client.get(f"/projects/{project.pk}/edit/")
    form = page.context["form"]
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update({k: v.isoformat() for k, v in form.initial.items() if hasattr(v, "isoformat")})
    data |= {"base": form["base"].value(), "name": "Renamed once"}
    logged_in_client.post(f"/projects/{project.pk}/edit/", data)
    Project.objects.filter(pk=project.pk).update(description="Changed by someone else")

    again = logged_in_client.post(f"/projects/{project.pk}/edit/", data, follow=True)

    assert "already submitted with different values" not in again.content.decode()
    assert OutboxItem.objects.count() == 1
    assert _stored(sandbox_clean, "projects_projects", project)["name"] == "Renamed once"
    changed = logged_in_client.post(f"/projects/{project.pk}/edit/", {**data, "name": "Twice"})
    assert "already submitted with different values" in changed.content.decode()
    assert OutboxItem.objects.count() == 1
