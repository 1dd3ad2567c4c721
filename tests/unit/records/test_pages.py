"""The record actions' pages: project edit (generic tool and Asana), person delete, and the
"Open in …" links. Providers are mocked with `responses`, so each write really goes
through the outbox and its delivery; the sandbox versions are in tests/integration/records.
"""

from __future__ import annotations

import json
import uuid
from datetime import date

import pytest
from django.core.cache import cache
from responses import matchers

from ats.models import Candidate, Offer
from core.forms import edit_base
from crm.models import Organization, Person
from crm.services import subdomain_cache_key
from integrations.models import Connection, OutboxItem
from integrations.models.synced import SyncStatus
from integrations.providers.project_records import UPDATABLE_PROJECT_FIELDS
from projects.models import Project, ProjectUser, Workspace
from projects.services import project_input_of
from projects.views import supported_fields

pytestmark = pytest.mark.django_db

PM = "https://pm.example.test/v1"
ASANA = "https://app.asana.com/api/1.0"
AFFINITY = "https://api.affinity.co"


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- project edit: the generic tool -------------------------------------------------------


@pytest.fixture
def tool(db):
    connection = Connection.objects.create(
        provider="projecttool", name="default", base_url=PM, api_token="tok"
    )
    Workspace.objects.create(connection=connection, remote_id="2", name="Marketing")
    ProjectUser.objects.create(connection=connection, remote_id="3", name="Grace")
    ProjectUser.objects.create(connection=connection, remote_id="4", name="Linus")
    return connection


@pytest.fixture
def apollo(tool):
    return Project.objects.create(
        connection=tool, remote_id="42", name="Apollo", description="Moon", status="Active",
        priority="High", owner_remote_id="3", workspace_remote_id="2", workspace_name="Marketing",
        start_date=date(2026, 1, 5), end_date=date(2026, 3, 31), tags=["q1"],
        raw={"id": 42, "name": "Apollo"},
    )  # fmt: skip


def _form(project: Project, **changes) -> dict[str, str]:
    data = {
        "name": project.name, "description": project.description, "owner": project.owner_remote_id,
        "start_date": project.start_date.isoformat() if project.start_date else "",
        "end_date": project.end_date.isoformat() if project.end_date else "",
        "status": project.status, "priority": project.priority, "tags": ", ".join(project.tags),
        "submission_key": uuid.uuid4().hex,
    }  # fmt: skip
    shown, offered = project_input_of(project), supported_fields(project.connection)
    data["base"] = edit_base(
        {name: getattr(shown, name) for name in UPDATABLE_PROJECT_FIELDS if name in offered}
    )
    return {**data, **changes}


def test_the_edit_page_offers_what_can_change_with_the_projects_values(logged_in_client, apollo):
    form = logged_in_client.get(f"/projects/{apollo.pk}/edit/").context["form"]

    assert set(form.fields) == {"name", "description", "owner", "start_date", "end_date",
                                "status", "priority", "tags", "submission_key", "base"}  # fmt: skip
    assert form.initial["name"] == "Apollo" and form.initial["tags"] == "q1"
    assert ("", "Default") not in form.fields["status"].choices


def test_an_edit_sends_only_what_changed_and_says_so(logged_in_client, apollo, rsps):
    answer = {**apollo.raw, "name": "Apollo 11", "owner_id": 4, "status": "Active",
              "workspace_id": 2, "updated_at": "2026-12-01T10:00:00.000Z"}  # fmt: skip
    rsps.add(
        "PATCH", f"{PM}/projects/42", json=answer,
        match=[matchers.json_params_matcher({"name": "Apollo 11", "owner_id": 4},
                                            strict_match=True)],
    )  # fmt: skip

    page = logged_in_client.post(
        f"/projects/{apollo.pk}/edit/", _form(apollo, name="Apollo 11", owner="4"), follow=True
    )

    assert _messages(page) == ["Project updated in Project tool."]
    apollo.refresh_from_db()
    assert (apollo.name, apollo.owner_remote_id, apollo.sync_status) == ("Apollo 11", "4", "synced")
    item = OutboxItem.objects.get()
    assert item.operation == "projecttool.project_update"
    assert item.payload["fields"] == ["name", "owner"]


def test_an_edit_that_changes_nothing_sends_nothing(logged_in_client, apollo, rsps):
    page = logged_in_client.post(f"/projects/{apollo.pk}/edit/", _form(apollo), follow=True)

    assert _messages(page) == ["Nothing changed."]
    assert not OutboxItem.objects.exists() and len(rsps.calls) == 0


def test_a_name_the_tool_refuses_lands_on_the_name_field(logged_in_client, apollo, rsps):
    taken = {"error": {"code": "CONFLICT", "message": "A project named 'Gemini' already exists.",
                       "details": {"field": "name", "value": "Gemini"}}}  # fmt: skip
    rsps.add("PATCH", f"{PM}/projects/42", status=409, json=taken)

    page = logged_in_client.post(f"/projects/{apollo.pk}/edit/", _form(apollo, name="Gemini"))

    assert page.status_code == 200
    assert "already exists" in page.context["form"].errors["name"][0]
    apollo.refresh_from_db()
    assert (apollo.name, apollo.sync_status) == ("Apollo", SyncStatus.SYNCED)  # as confirmed


def test_a_project_not_at_the_tool_yet_cannot_be_edited(logged_in_client, tool):
    waiting = Project.objects.create(connection=tool, name="Soon", sync_status="pending")

    page = logged_in_client.get(f"/projects/{waiting.pk}/edit/", follow=True)

    assert _messages(page) == ["This project can be edited once Project tool has it."]


def test_the_detail_page_links_the_edit_only_for_who_may_change(client, apollo, db):
    from django.contrib.auth import get_user_model

    from core.groups import permission_named

    viewer = get_user_model().objects.create_user(username="v", password="correct-horse-42")
    viewer.user_permissions.set([permission_named("projects.view_project")])
    client.force_login(viewer)
    assert "/edit/" not in client.get(f"/projects/{apollo.pk}/").content.decode()
    assert client.get(f"/projects/{apollo.pk}/edit/").status_code == 403
    assert client.post(f"/projects/{apollo.pk}/edit/", _form(apollo, name="X")).status_code == 403
    apollo.refresh_from_db()
    assert apollo.name == "Apollo"


# --- project edit from a page opened before another edit ------------------------------------


@pytest.fixture
def tool_api(rsps, apollo):
    """The generic tool's project 42: PATCH applies what it is sent; the bodies are kept."""
    state = {"project": {"id": 42, "name": "Apollo", "description": "Moon", "status": "Active",
                         "priority": "High", "owner_id": 3, "workspace_id": 2,
                         "start_date": "2026-01-05", "end_date": "2026-03-31", "tags": ["q1"]},
             "patches": []}  # fmt: skip

    def patch(request):
        body = json.loads(request.body)
        state["patches"].append(body)
        state["project"] = {**state["project"], **body}
        return 200, {}, json.dumps(state["project"])

    rsps.add_callback("PATCH", f"{PM}/projects/42", callback=patch)
    return state


def _opened(client, project: Project) -> dict[str, str]:
    """The edit page's form as a browser sends it back untouched."""
    form = client.get(f"/projects/{project.pk}/edit/").context["form"]
    data = {name: form[name].value() for name in form.fields}
    return {name: str(value.isoformat() if hasattr(value, "isoformat") else value or "")
            for name, value in data.items()}  # fmt: skip


def test_a_project_edit_from_an_old_page_keeps_the_other_change(logged_in_client, apollo, tool_api):
    ana, ben = _opened(logged_in_client, apollo), _opened(logged_in_client, apollo)
    logged_in_client.post(f"/projects/{apollo.pk}/edit/", {**ben, "priority": "Low"})
    page = logged_in_client.post(
        f"/projects/{apollo.pk}/edit/", {**ana, "name": "Apollo 11"}, follow=True
    )

    assert _messages(page)[-1] == "Project updated in Project tool."
    apollo.refresh_from_db()
    assert (apollo.name, apollo.priority) == ("Apollo 11", "Low")
    assert tool_api["patches"] == [{"priority": "Low"}, {"name": "Apollo 11"}]
    assert (tool_api["project"]["name"], tool_api["project"]["priority"]) == ("Apollo 11", "Low")


def test_a_project_field_changed_by_both_is_a_conflict_until_saved_again(
    logged_in_client, apollo, tool_api
):
    ana, ben = _opened(logged_in_client, apollo), _opened(logged_in_client, apollo)
    logged_in_client.post(f"/projects/{apollo.pk}/edit/", {**ben, "priority": "Low", "owner": "4"})

    page = logged_in_client.post(f"/projects/{apollo.pk}/edit/", {**ana, "priority": "Medium"})

    form = page.context["form"]
    assert form.errors["priority"] == [
        "Changed by someone else since you opened this page: now “Low”. Save again to replace it."
    ]
    assert len(tool_api["patches"]) == 1 and OutboxItem.objects.count() == 1
    apollo.refresh_from_db()
    assert (apollo.priority, apollo.owner_remote_id) == ("Low", "4")
    assert form["owner"].value() == "4"  # Ana left the owner: the page shows Ben's

    again = {name: form[name].value() for name in form.fields}
    logged_in_client.post(f"/projects/{apollo.pk}/edit/", again)

    apollo.refresh_from_db()
    assert (apollo.priority, apollo.owner_remote_id) == ("Medium", "4")
    assert tool_api["patches"][-1] == {"priority": "Medium"}


@pytest.mark.parametrize("tags", [["q1; launch"], ["EMEA, APAC", "q1"]])
def test_tags_sent_back_as_shown_are_left_alone(logged_in_client, apollo, tool_api, tags):
    """A tag the form would split (`;`, `,`) is not a change when the person left
    the field as the page showed it: only the name is sent, the tags stay as they are."""
    Project.objects.filter(pk=apollo.pk).update(tags=tags)
    tool_api["project"]["tags"] = tags
    ana = _opened(logged_in_client, apollo)

    logged_in_client.post(f"/projects/{apollo.pk}/edit/", {**ana, "name": "Apollo 11"})

    assert tool_api["patches"] == [{"name": "Apollo 11"}]
    apollo.refresh_from_db()
    assert (apollo.name, apollo.tags) == ("Apollo 11", tags)


def test_tags_left_alone_keep_another_persons_tag_change(logged_in_client, apollo, tool_api):
    Project.objects.filter(pk=apollo.pk).update(tags=["q1; launch"])
    ana, ben = _opened(logged_in_client, apollo), _opened(logged_in_client, apollo)
    logged_in_client.post(f"/projects/{apollo.pk}/edit/", {**ben, "tags": "q2"})

    page = logged_in_client.post(
        f"/projects/{apollo.pk}/edit/", {**ana, "name": "Apollo 11"}, follow=True
    )

    assert _messages(page)[-1] == "Project updated in Project tool."
    apollo.refresh_from_db()
    assert (apollo.name, apollo.tags) == ("Apollo 11", ["q2"])
    assert tool_api["patches"][-1] == {"name": "Apollo 11"}


def test_the_date_rule_is_checked_on_the_dates_as_they_would_be_stored(
    logged_in_client, apollo, tool_api
):
    """Ana opens the project (5 January to 31 March), Ben moves the start to 1 March, Ana
    moves only the end to 15 February: with Ben's start, it would end before it starts."""
    ana, ben = _opened(logged_in_client, apollo), _opened(logged_in_client, apollo)
    logged_in_client.post(f"/projects/{apollo.pk}/edit/", {**ben, "start_date": "2026-03-01"})

    page = logged_in_client.post(f"/projects/{apollo.pk}/edit/", {**ana, "end_date": "2026-02-15"})

    form = page.context["form"]
    assert form.errors["end_date"] == ["The end date must be on or after the start date."]
    assert form.errors["start_date"] == [
        "Changed by someone else since you opened this page: now “2026-03-01”."
    ]
    assert "Nothing was saved: your change, over the record as stored now" in page.content.decode()
    assert len(tool_api["patches"]) == 1 and OutboxItem.objects.count() == 1
    apollo.refresh_from_db()
    assert (apollo.start_date, apollo.end_date) == (date(2026, 3, 1), date(2026, 3, 31))
    assert form["start_date"].value() == "2026-03-01"  # the page shows Ben's start

    again = {**_sent(form), "end_date": "2026-04-20"}
    page = logged_in_client.post(f"/projects/{apollo.pk}/edit/", again, follow=True)

    assert _messages(page)[-1] == "Project updated in Project tool."
    apollo.refresh_from_db()
    assert (apollo.start_date, apollo.end_date) == (date(2026, 3, 1), date(2026, 4, 20))
    assert tool_api["patches"][-1] == {"end_date": "2026-04-20"}


def _sent(form) -> dict[str, str]:
    """A form shown again, as a browser sends it back."""
    data = {name: form[name].value() for name in form.fields}
    return {name: str(value.isoformat() if hasattr(value, "isoformat") else value or "")
            for name, value in data.items()}  # fmt: skip


def test_a_forged_project_base_is_a_form_error(logged_in_client, apollo, tool_api):
    data = {**_opened(logged_in_client, apollo), "name": "Apollo 11", "base": "e30:1x:forged"}
    page = logged_in_client.post(f"/projects/{apollo.pk}/edit/", data)
    assert "Reload the page and make your change again." in page.content.decode()
    assert tool_api["patches"] == [] and not OutboxItem.objects.exists()


# --- project edit: Asana ---------------------------------------------------------------------


@pytest.fixture
def launch(db):
    connection = Connection.objects.create(provider="asana", name="default", api_token="tok")
    Workspace.objects.create(connection=connection, remote_id="1200000000000001", name="Acme")
    return Project.objects.create(
        connection=connection, remote_id="1201", name="Launch",
        workspace_remote_id="1200000000000001",
        start_date=date(2026, 3, 1), end_date=date(2026, 3, 20),
        raw={"gid": "1201", "name": "Launch", "permalink_url": "https://app.asana.com/0/1201/list"},
    )  # fmt: skip


def test_an_asana_edit_puts_the_new_dates_together(logged_in_client, launch, rsps):
    body = {"data": {"start_on": "2026-03-01", "due_on": "2026-04-01"}}
    answer = {"data": {**launch.raw, "start_on": "2026-03-01", "due_on": "2026-04-01",
                       "workspace": {"gid": "1200000000000001"}}}  # fmt: skip
    rsps.add("PUT", f"{ASANA}/projects/1201", json=answer,
             match=[matchers.json_params_matcher(body, strict_match=True)])  # fmt: skip

    page = logged_in_client.post(
        f"/projects/{launch.pk}/edit/", _form(launch, end_date="2026-04-01"), follow=True
    )

    assert _messages(page) == ["Project updated in Asana."]
    launch.refresh_from_db()
    assert launch.end_date == date(2026, 4, 1)


def test_an_archived_asana_project_can_be_edited(logged_in_client, launch, rsps):
    """Asana has no status: the "Archived" the hub reads from `archived` is not sent back."""
    Project.objects.filter(pk=launch.pk).update(status="Archived")
    answer = {"data": {**launch.raw, "name": "Launch 2", "archived": True}}
    rsps.add("PUT", f"{ASANA}/projects/1201", json=answer,
             match=[matchers.json_params_matcher({"data": {"name": "Launch 2"}})])  # fmt: skip
    launch.refresh_from_db()

    page = logged_in_client.post(
        f"/projects/{launch.pk}/edit/", _form(launch, name="Launch 2"), follow=True
    )

    assert _messages(page) == ["Project updated in Asana."]


def test_asanas_date_rule_is_on_the_field_before_anything_is_sent(logged_in_client, launch, rsps):
    page = logged_in_client.post(
        f"/projects/{launch.pk}/edit/", _form(launch, end_date="2026-03-01")
    )

    assert page.context["form"].errors["end_date"] == [
        "Asana does not allow the end date to equal the start date."
    ]
    assert len(rsps.calls) == 0 and not OutboxItem.objects.exists()


def test_asanas_date_rule_is_checked_on_the_dates_as_they_would_be_stored(
    logged_in_client, launch, rsps
):
    ana = _form(launch, end_date="2026-04-01")  # her page: 1 to 20 March
    Project.objects.filter(pk=launch.pk).update(start_date=date(2026, 4, 1))  # synced since

    page = logged_in_client.post(f"/projects/{launch.pk}/edit/", ana)

    assert page.context["form"].errors["end_date"] == [
        "Asana does not allow the end date to equal the start date."
    ]
    assert len(rsps.calls) == 0 and not OutboxItem.objects.exists()
    launch.refresh_from_db()
    assert launch.end_date == date(2026, 3, 20)


def test_an_asana_project_links_to_asana(logged_in_client, launch):
    html = logged_in_client.get(f"/projects/{launch.pk}/").content.decode()
    assert 'href="https://app.asana.com/0/1201/list"' in html and "Open in Asana" in html


# --- person delete -----------------------------------------------------------------------------


@pytest.fixture
def affinity(db):
    return Connection.objects.create(
        provider="affinity", name="default", base_url=AFFINITY, api_token="k"
    )


@pytest.fixture
def ada(affinity):
    acme = Organization.objects.create(
        connection=affinity, remote_id="7", name="Acme", person_ids=["5"], persons_count=1
    )
    person = Person.objects.create(
        connection=affinity, remote_id="5", first_name="Ada", last_name="Lovelace",
        primary_email="ada@acme.io", emails=["ada@acme.io"], organization_ids=["7"],
    )  # fmt: skip
    return person, acme


def test_the_person_delete_page_asks_first(logged_in_client, ada):
    person, _ = ada
    detail = logged_in_client.get(f"/persons/{person.pk}/").content.decode()
    assert f'href="/persons/{person.pk}/delete/"' in detail

    html = logged_in_client.get(f"/persons/{person.pk}/delete/").content.decode()
    assert "Delete <strong>Ada Lovelace</strong> (ada@acme.io) from Affinity?" in html


def test_deleting_a_person_deletes_it_in_affinity_and_unlinks_it(logged_in_client, ada, rsps):
    person, acme = ada
    rsps.add("DELETE", f"{AFFINITY}/persons/5", json={"success": True})

    page = logged_in_client.post(
        f"/persons/{person.pk}/delete/", {"submission_key": uuid.uuid4().hex}, follow=True
    )

    assert page.redirect_chain[-1][0] == "/persons/"
    assert _messages(page) == ["Person “Ada Lovelace” deleted in Affinity."]
    person.refresh_from_db()
    acme.refresh_from_db()
    assert person.is_deleted and acme.person_ids == []
    assert f'href="/persons/{person.pk}/"' not in page.content.decode()  # gone from the list


def test_a_double_submit_deletes_once(logged_in_client, ada, rsps):
    person, _ = ada
    rsps.add("DELETE", f"{AFFINITY}/persons/5", json={"success": True})
    key = uuid.uuid4().hex
    for _ in range(2):
        logged_in_client.post(f"/persons/{person.pk}/delete/", {"submission_key": key})
    assert len(rsps.calls) == 1 and OutboxItem.objects.count() == 1


def test_a_person_affinity_no_longer_has_counts_as_deleted(logged_in_client, ada, rsps):
    person, _ = ada
    rsps.add("DELETE", f"{AFFINITY}/persons/5", status=404, body="")

    page = logged_in_client.post(
        f"/persons/{person.pk}/delete/", {"submission_key": uuid.uuid4().hex}, follow=True
    )

    assert _messages(page) == ["Person “Ada Lovelace” deleted in Affinity."]
    person.refresh_from_db()
    assert person.is_deleted


def test_a_person_not_in_affinity_yet_cannot_be_deleted(logged_in_client, affinity, rsps):
    waiting = Person.objects.create(connection=affinity, first_name="New", last_name="One")

    page = logged_in_client.post(
        f"/persons/{waiting.pk}/delete/", {"submission_key": uuid.uuid4().hex}, follow=True
    )

    assert _messages(page) == ["This person can be deleted once Affinity has it."]
    assert len(rsps.calls) == 0 and Person.objects.filter(pk=waiting.pk, is_deleted=False)


# --- "Open in …" ----------------------------------------------------------------------------------


def test_an_organization_links_to_affinity_once_the_subdomain_is_known(logged_in_client, ada):
    _, acme = ada
    assert (
        "Open in Affinity"
        not in logged_in_client.get(f"/organizations/{acme.pk}/").content.decode()
    )

    cache.set(subdomain_cache_key(acme.connection_id), "acme", 60)
    html = logged_in_client.get(f"/organizations/{acme.pk}/").content.decode()

    assert 'href="https://acme.affinity.co/companies/7"' in html and "Open in Affinity" in html


def test_a_candidate_and_an_offer_link_to_recruitee(logged_in_client, db):
    recruitee = Connection.objects.create(
        provider="recruitee", name="default", base_url="https://api.recruitee.com",
        company_id="1", api_token="t",
    )  # fmt: skip
    ada = Candidate.objects.create(
        connection=recruitee, remote_id="11", name="Ada", sync_status=SyncStatus.PENDING,
        raw={"id": 11, "adminapp_url": "https://app.recruitee.com/#/candidates/11"},
    )  # fmt: skip
    Offer.objects.create(
        connection=recruitee, remote_id="3", title="Engineer",
        raw={"id": 3, "adminapp_url": "https://app.recruitee.com/#/offers/engineer"},
    )  # fmt: skip
    Offer.objects.create(connection=recruitee, remote_id="4", title="Bad",
                         raw={"adminapp_url": "javascript:alert(1)"})  # fmt: skip

    detail = logged_in_client.get(f"/candidates/{ada.pk}/").content.decode()
    offers = logged_in_client.get("/offers/").content.decode()

    assert 'href="https://app.recruitee.com/#/candidates/11"' in detail
    assert 'href="https://app.recruitee.com/#/offers/engineer"' in offers
    assert "javascript:" not in offers


# --- a candidate's notes ---------------------------------------------------------------------

RECRUITEE = "https://api.recruitee.com/c/1"


@pytest.fixture
def grace(db):
    recruitee = Connection.objects.create(
        provider="recruitee", name="default", base_url="https://api.recruitee.com",
        company_id="1", api_token="t",
    )  # fmt: skip
    return Candidate.objects.create(
        connection=recruitee, remote_id="11", name="Grace", raw={"id": 11, "name": "Grace"}
    )


def test_the_candidate_page_lists_recruitees_notes(logged_in_client, grace, rsps):
    rsps.add("GET", f"{RECRUITEE}/candidates/11", json={"candidate": grace.raw, "references": []})
    rsps.add("GET", f"{RECRUITEE}/candidates/11/notes",
             json={"notes": [{"id": 1, "body": "<b>Call back</b> Monday"}]})  # fmt: skip

    html = logged_in_client.get(f"/candidates/{grace.pk}/").content.decode()

    assert "&lt;b&gt;Call back&lt;/b&gt; Monday" in html
    assert f'action="/candidates/{grace.pk}/notes/"' in html


def test_without_recruitee_the_page_says_why_no_notes_show(logged_in_client, grace, rsps, sleeps):
    rsps.add("GET", f"{RECRUITEE}/candidates/11", status=503)

    html = logged_in_client.get(f"/candidates/{grace.pk}/").content.decode()

    assert "Recruitee did not answer, so its notes are not shown." in html
    assert not [c for c in rsps.calls if c.request.url.endswith("/notes")]


def test_adding_a_note_sends_it_and_goes_back_to_the_candidate(logged_in_client, grace, rsps):
    body = {"note": {"body": "Strong portfolio.", "visibility": {"level": "public"}}}
    rsps.add("POST", f"{RECRUITEE}/candidates/11/notes", status=201,
             json={"note": {"id": 5, "body": "Strong portfolio."}},
             match=[matchers.json_params_matcher(body, strict_match=True)])  # fmt: skip
    key = uuid.uuid4().hex

    for _ in range(2):  # a double submit sends once
        page = logged_in_client.post(
            f"/candidates/{grace.pk}/notes/",
            {"body": "  Strong portfolio. ", "submission_key": key},
        )

    assert page["Location"] == f"/candidates/{grace.pk}/"
    assert len([c for c in rsps.calls if c.request.method == "POST"]) == 1
    item = OutboxItem.objects.get()
    assert (item.operation, item.status) == ("recruitee.candidate_note_create", "done")
    grace.refresh_from_db()
    assert grace.raw == {"id": 11, "name": "Grace"}  # the note is not the candidate


def test_a_note_sent_again_with_other_text_is_refused_and_its_text_kept(
    logged_in_client, grace, rsps
):
    """Back, the note changed, sent again under the first key: nothing is added, and the
    page the person lands on still holds what they typed, with a new key."""
    rsps.add("POST", f"{RECRUITEE}/candidates/11/notes", status=201,
             json={"note": {"id": 5, "body": "First."}})  # fmt: skip
    rsps.add("GET", f"{RECRUITEE}/candidates/11", json={"candidate": grace.raw, "references": []})
    rsps.add("GET", f"{RECRUITEE}/candidates/11/notes", json={"notes": []})
    url = f"/candidates/{grace.pk}/notes/"
    logged_in_client.post(url, {"body": "First.", "submission_key": "k1"})

    page = logged_in_client.post(url, {"body": "Second <thoughts>.", "submission_key": "k1"},
                                 follow=True)  # fmt: skip

    html = page.content.decode()
    assert "already submitted once with a different note" in html
    assert ">\nSecond &lt;thoughts&gt;.</textarea>" in html
    assert 'name="submission_key" value="k1"' not in html
    assert OutboxItem.objects.count() == 1
    again = logged_in_client.get(f"/candidates/{grace.pk}/").content.decode()
    assert "Second &lt;thoughts&gt;." not in again  # kept for the one page it was sent back to


def test_a_blank_note_is_refused_and_nothing_is_sent(logged_in_client, grace, rsps):
    page = logged_in_client.post(
        f"/candidates/{grace.pk}/notes/", {"body": "   ", "submission_key": "k"}, follow=False
    )
    assert page.status_code == 302
    assert not OutboxItem.objects.exists() and len(rsps.calls) == 0


def test_a_note_needs_the_right_to_change_candidates(client, grace, rsps):
    from django.contrib.auth import get_user_model

    from core.groups import permission_named

    viewer = get_user_model().objects.create_user(username="v", password="correct-horse-42")
    viewer.user_permissions.set([permission_named("ats.view_candidate")])
    client.force_login(viewer)

    page = client.post(f"/candidates/{grace.pk}/notes/", {"body": "x", "submission_key": "k"})

    assert page.status_code == 403 and not OutboxItem.objects.exists()
    assert client.get(f"/candidates/{grace.pk}/notes/").status_code in (403, 405)
