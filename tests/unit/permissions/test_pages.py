"""Permissions by team: every page and action of every registered resource, allowed and
refused (core.resources `allows`, core.resource_views `resource_permission_required`).

The URL list is read from the URL configuration, so a new resource, or a new view routed
with its resource, is covered without a line here; every other URL is walked too (signed
out, and signed in without rights), so a new one is covered or named in PUBLIC/EVERYONE.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver

from apis.pages import ApiResourcePages
from ats.models import Candidate
from ats.outbox import CandidateCreate
from core.groups import default_groups, ensure_default_groups, permission_named
from core.resources import ACTIONS, ResourcePages, Service, registered
from crm.models import Organization
from crm.outbox import OrganizationCreate
from integrations.http.errors import ConfigurationError
from integrations.models import Connection, OutboxItem, SyncRun

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-42"


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    """Detail pages show the synced copy: the live read fails without a network call."""

    def refuse(*args, **kwargs):
        raise ConfigurationError("offline in this test")

    monkeypatch.setattr("integrations.live_budget.connection_client", refuse)


def _someone(name: str, *rights: str, **fields: Any):
    person = get_user_model().objects.create_user(username=name, password=PASSWORD, **fields)
    person.user_permissions.set([permission_named(right) for right in rights])
    return person


def _rights(resource: ResourcePages, *actions: str) -> list[str]:
    return [resource.permission(action) for action in actions]


def _routed() -> list[tuple[str, ResourcePages, Any]]:
    """(URL, resource, view) of every URL routed with a `resource`: the described pages
    and the apps' own (live search, choosers, CSV import)."""
    found = []

    def walk(patterns, prefix: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern) and "resource" in entry.default_args:
                route = prefix + str(entry.pattern)
                for name, value in (("<int:pk>", "1"), ("<int:remote_id>", "1")):
                    route = route.replace(name, value)
                route = route.replace("<uuid:token>", str(uuid.uuid4()))
                found.append(("/" + route, entry.default_args["resource"], entry.callback))

    walk(get_resolver().url_patterns, "")
    return found


ROUTED = _routed()
IDS = [url for url, _, _ in ROUTED]


def test_every_resource_page_is_routed_and_guarded():
    """Each registered resource's pages are here, and each routed view names its right."""
    urls = {url for url, _, _ in ROUTED}
    for resource in registered():
        assert {resource.url("list")} <= urls or "list" not in resource.pages
    unguarded = [url for url, _, view in ROUTED if getattr(view, "permission_action", None) is None]
    assert unguarded == []


@pytest.mark.parametrize(("url", "resource", "view"), ROUTED, ids=IDS)
@pytest.mark.parametrize("staff", [False, True], ids=["member", "staff"])
def test_without_rights_every_page_is_refused_in_the_layout(client, url, resource, view, staff):
    client.force_login(_someone("nobody", is_staff=staff))
    for response in (client.get(url), client.post(url, {"name": "Ann"})):
        if response.status_code == 405:  # a GET-only or POST-only page
            continue
        assert response.status_code == 403, url
        html = response.content.decode()
        assert 'data-testid="refused"' in html and "Integration Hub" in html  # the navbar
        assert resource.plural.lower() in html
    assert OutboxItem.objects.count() == 0


@pytest.mark.parametrize(("url", "resource", "view"), ROUTED, ids=IDS)
def test_with_its_right_every_page_opens(client, url, resource, view):
    """Allowed: past the permission check (no connection here: the not-connected page; a
    background export's pages need none, and this made-up one is not found)."""
    action = view.permission_action
    client.force_login(_someone("member", *_rights(resource, action)))
    response = client.get(url)
    if view.__name__ in ("list_export_page", "list_export_download"):
        assert response.status_code == 404, url
        return
    assert response.status_code in (200, 405), url
    if response.status_code == 200:
        assert resource.service.not_connected in response.content.decode()


@pytest.mark.parametrize(
    ("url", "resource", "view"),
    [(u, r, v) for u, r, v in ROUTED if v.permission_action == "change"],
    ids=[u for u, _, v in ROUTED if v.permission_action == "change"],
)
def test_seeing_is_not_changing(client, url, resource, view):
    client.force_login(_someone("reader", *_rights(resource, "view")))
    answers = {client.get(url).status_code, client.post(url, {"name": "Ann"}).status_code}
    assert answers in ({403}, {403, 405}), url  # refused, as far as the method is taken
    assert OutboxItem.objects.count() == 0


@pytest.mark.parametrize("resource", registered(), ids=lambda r: r.url_name("list"))
def test_superusers_keep_every_right_staff_follow_theirs_and_change_includes_view(resource):
    root = _someone("root", is_staff=True, is_superuser=True)
    assert all(resource.allows(root, action) for action in ACTIONS)
    staff = _someone("staff", is_staff=True)  # may sign in to the admin, nothing more
    assert not any(resource.allows(staff, action) for action in ACTIONS)
    writer = _someone("writer", *_rights(resource, "change"))
    assert resource.allows(writer, "view") and resource.allows(writer, "change")
    nobody = _someone("none")
    assert not any(resource.allows(nobody, action) for action in ACTIONS)


def test_a_generic_model_names_its_own_permissions():
    class Generic(ResourcePages):
        service = Service(name="Any", kind="API", providers=("openapi",))
        app, name, path, model = "x", "thing", "things", Candidate
        view_permission = "integrations.view_connection"

    generic = Generic()
    assert generic.permission("view") == "integrations.view_connection"
    assert generic.permission("change") == "ats.change_candidate"  # from the model
    reader = _someone("reader", "integrations.view_connection")
    assert generic.allows(reader, "view") and not generic.allows(reader, "change")


# --- with a connection: the buttons, the navbar, the dashboard, writes refused ---------


def test_a_reader_sees_the_candidates_without_new_or_edit(client, recruitee, candidate):
    ann = candidate(recruitee, "Ann Lee", ["ann@example.com"])
    pages = next(r for r in registered() if r.model is Candidate)
    client.force_login(_someone("reader", *_rights(pages, "view")))
    listing = client.get("/candidates/").content.decode()
    assert "Ann Lee" in listing
    assert "/candidates/new/" not in listing and "Sync now" not in listing
    detail = client.get(f"/candidates/{ann.pk}/").content.decode()
    assert "Ann Lee" in detail and f"/candidates/{ann.pk}/edit/" not in detail

    client.force_login(_someone("writer", *_rights(pages, "change")))
    listing = client.get("/candidates/").content.decode()
    assert "/candidates/new/" in listing and "Sync now" in listing
    assert f"/candidates/{ann.pk}/edit/" in client.get(f"/candidates/{ann.pk}/").content.decode()


def test_a_refused_write_changes_nothing(client, affinity, organization):
    acme = organization(affinity, "Acme", ["acme.com"])
    pages = next(r for r in registered() if r.model is Organization)
    client.force_login(_someone("reader", *_rights(pages, "view")))
    detail = client.get(f"/organizations/{acme.pk}/").content.decode()
    assert "Acme" in detail and "/edit/" not in detail and "/delete/" not in detail
    for url, data in (
        ("/organizations/new/", {"name": "Globex", "domain": "globex.com"}),
        (f"/organizations/{acme.pk}/edit/", {"name": "Renamed"}),
        (f"/organizations/{acme.pk}/delete/", {"confirm": "on"}),
    ):
        assert client.post(url, data).status_code == 403
    assert OutboxItem.objects.count() == 0
    acme.refresh_from_db()
    assert acme.name == "Acme" and not acme.is_deleted
    assert Organization.objects.count() == 1


def test_the_navbar_and_the_dashboard_show_only_the_teams_tools(client, recruitee, affinity):
    ensure_default_groups()
    recruiter = _someone("recruiter")
    recruiter.groups.add(Group.objects.get(name="Recruiting"))
    client.force_login(recruiter)
    html = client.get("/").content.decode()
    assert 'href="/candidates/"' in html and 'href="/offers/"' in html
    assert 'href="/organizations/"' not in html and 'href="/projects/"' not in html
    assert 'data-provider="Recruitee"' in html and 'data-provider="Affinity"' not in html
    assert client.get("/organizations/").status_code == 403
    assert client.get("/candidates/").status_code == 200


def test_the_outbox_lists_and_retries_only_the_users_tools(client, recruitee, affinity):
    def row(connection, operation, key):
        return OutboxItem.objects.create(
            connection=connection, operation=operation, submission_key=key, summary=key,
            status=OutboxItem.Status.NEEDS_ATTENTION, last_error="Gave up",
        )  # fmt: skip

    hired = row(recruitee, CandidateCreate.name, "create-candidate-Bo")
    sold = row(affinity, OrganizationCreate.name, "create-org-Acme")
    candidates = next(r for r in registered() if r.model is Candidate)
    client.force_login(_someone("reader", *_rights(candidates, "view")))
    html = client.get("/outbox/").content.decode()
    assert "create-candidate-Bo" in html and "create-org-Acme" not in html
    assert "Retry now" not in html
    assert "1 write needs attention" in client.get("/").content.decode()
    assert client.post(f"/outbox/{hired.pk}/retry/").status_code == 403
    assert client.post(f"/outbox/{sold.pk}/retry/").status_code == 404
    hired.refresh_from_db()
    assert hired.status == OutboxItem.Status.NEEDS_ATTENTION

    client.force_login(_someone("writer", *_rights(candidates, "change")))
    assert "Retry now" in client.get("/outbox/").content.decode()
    assert client.post(f"/outbox/{hired.pk}/retry/").status_code == 302
    hired.refresh_from_db()
    assert hired.status == OutboxItem.Status.PENDING


def test_a_connected_apis_stuck_writes_are_for_who_may_use_its_pages(client):
    """A write made through an administrator-connected API's generated pages is listed,
    counted on the dashboard (with its connection's health) and retried by the API's rights
    (apis.pages.ApiResourcePages), though no registered resource lists its operation."""
    api = Connection.objects.create(provider="openapi", name="tool", base_url="https://t.test")
    stuck = OutboxItem.objects.create(
        connection=api, operation="openapi.create", submission_key="create-post-Hi",
        summary="Create post Hi", status=OutboxItem.Status.NEEDS_ATTENTION, last_error="Gave up",
    )  # fmt: skip
    candidates = next(r for r in registered() if r.model is Candidate)

    health_row = f'data-testid="connection-health-row" data-connection="{api.pk}"'

    client.force_login(_someone("recruiter", *_rights(candidates, "view", "change")))
    assert "Create post Hi" not in client.get("/outbox/").content.decode()
    dashboard = client.get("/").content.decode()
    assert "needs attention" not in dashboard and health_row not in dashboard
    assert client.post(f"/outbox/{stuck.pk}/retry/").status_code == 404

    client.force_login(_someone("api-reader", *_rights(ApiResourcePages, "view")))
    html = client.get("/outbox/").content.decode()
    assert "Create post Hi" in html and "Retry now" not in html
    dashboard = client.get("/").content.decode()
    assert "1 write needs attention" in dashboard and health_row in dashboard
    assert client.post(f"/outbox/{stuck.pk}/retry/").status_code == 403
    stuck.refresh_from_db()
    assert stuck.status == OutboxItem.Status.NEEDS_ATTENTION

    client.force_login(_someone("api-writer", *_rights(ApiResourcePages, "change")))
    assert "Retry now" in client.get("/outbox/").content.decode()
    assert client.post(f"/outbox/{stuck.pk}/retry/").status_code == 302
    stuck.refresh_from_db()
    assert stuck.status == OutboxItem.Status.PENDING


def test_sync_now_and_its_progress_follow_the_rights(client, recruitee):
    candidates = next(r for r in registered() if r.model is Candidate)
    client.force_login(_someone("nobody"))
    assert client.post(f"/sync/{recruitee.pk}/recruitee.candidates/start/").status_code == 403
    client.force_login(_someone("reader", *_rights(candidates, "view")))
    assert client.post(f"/sync/{recruitee.pk}/recruitee.candidates/start/").status_code == 403
    assert SyncRun.objects.count() == 0
    client.force_login(_someone("writer", *_rights(candidates, "change")))
    assert client.post(f"/sync/{recruitee.pk}/recruitee.candidates/start/").status_code == 302
    run = SyncRun.objects.get()
    assert client.get(f"/sync/runs/{run.pk}/").status_code == 200
    client.force_login(_someone("stranger"))
    assert client.get(f"/sync/runs/{run.pk}/").status_code == 403
    assert client.get(f"/sync/runs/{run.pk}/panel/").status_code == 403


def test_not_a_duplicate_needs_the_change_right(client, candidate_flag):
    flag = candidate_flag
    candidates = next(r for r in registered() if r.model is Candidate)

    client.force_login(_someone("outsider", *_rights(next(
        r for r in registered() if r.model is Organization), "change")))  # fmt: skip
    assert "possible duplicate" not in client.get("/").content.decode()

    client.force_login(_someone("reader", *_rights(candidates, "view")))
    html = client.get("/").content.decode()
    assert "possible duplicate" in html and "Not a duplicate" not in html
    assert client.post(f"/duplicates/{flag.pk}/not-a-duplicate/").status_code == 403
    flag.refresh_from_db()
    assert flag.dismissed_at is None

    client.force_login(_someone("writer", *_rights(candidates, "change")))
    assert "Not a duplicate" in client.get("/").content.decode()
    assert client.post(f"/duplicates/{flag.pk}/not-a-duplicate/").status_code == 302
    flag.refresh_from_db()
    assert flag.dismissed_at is not None


# --- the default groups ----------------------------------------------------------------


def test_ensure_groups_creates_each_teams_group_once_and_keeps_the_admins_edits(capsys):
    call_command("ensure_groups")
    groups = {g.name: g for g in Group.objects.all()}
    assert set(groups) == {"Recruiting", "Sales", "Projects"}
    rights = {
        name: {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        for name, group in groups.items()
    }
    assert rights["Recruiting"] == {
        "ats.view_candidate", "ats.change_candidate", "ats.view_offer", "ats.change_offer",
    }  # fmt: skip
    assert rights["Sales"] == {
        "crm.view_organization", "crm.change_organization",
        "crm.view_person", "crm.change_person",
    }  # fmt: skip
    assert rights["Projects"] == {"projects.view_project", "projects.change_project"}
    assert rights == {name: set(found) for name, found in default_groups().items()}

    groups["Sales"].permissions.remove(permission_named("crm.change_person"))  # the admin
    call_command("ensure_groups")
    assert "nothing to do" in capsys.readouterr().out
    assert Group.objects.count() == 3
    assert not groups["Sales"].permissions.filter(codename="change_person").exists()


# --- every URL, not only the resources' pages ------------------------------------------

# Open to the signed-out: the probes, the receivers (their own checks), the login page.
PUBLIC = {"core:healthz", "core:favicon", "integrations:webhook_receive",
          "integrations:metrics", "login"}  # fmt: skip
# Open to anyone signed in, whatever their rights: each shows only what they may see.
EVERYONE = {"core:dashboard", "integrations:outbox", "logout", "password_change",
            "password_change_done"}  # fmt: skip


def _every_url(run: SyncRun, item: OutboxItem) -> list[tuple[str, str]]:
    """(URL name, URL) of every pattern but the admin's, with real keys where a view
    looks one up (a sync run, an outbox row, a synced resource, a connection)."""
    values = {"<int:pk>": str(run.pk), "<int:connection_id>": str(run.connection_id),
              "<str:resource_key>": run.resource, "<int:remote_id>": "1",
              "<uuid:token>": str(uuid.uuid4())}  # fmt: skip
    found = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if str(entry.pattern) == "admin/":
                    continue
                inner = f"{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            else:
                route = prefix + str(entry.pattern)
                for name, value in values.items():
                    route = route.replace(name, value)
                if "outbox" in route:
                    route = route.replace(str(run.pk), str(item.pk))
                found.append((f"{namespace}{entry.name}", "/" + re.sub(r"<str:\w+>", "x", route)))

    walk(get_resolver().url_patterns, "", "")
    return found


@pytest.fixture
def run_and_item(recruitee):
    run = SyncRun.objects.create(connection=recruitee, resource="recruitee.candidates")
    item = OutboxItem.objects.create(
        connection=recruitee, operation=CandidateCreate.name, submission_key="k", summary="Bo"
    )
    return run, item


def test_every_url_but_the_public_ones_asks_the_signed_out_to_sign_in(client, run_and_item):
    urls = _every_url(*run_and_item)
    assert {name for name, _ in urls} >= PUBLIC | EVERYONE  # the lists name real URLs
    for name, url in urls:
        for response in (client.get(url), client.post(url)):
            if name in PUBLIC:
                assert response.status_code != 302 or "/accounts/login/" not in response.url
            else:
                assert response.status_code == 302, url
                assert response.url.startswith("/accounts/login/?next="), url
    assert OutboxItem.objects.filter(status=OutboxItem.Status.PENDING).count() == 1


def test_every_url_refuses_someone_signed_in_without_rights(client, run_and_item):
    """GET and POST of every URL that is not public or everyone's: refused (403), not
    found for them (404) or not that method (405); nothing changes."""
    client.force_login(_someone("nobody"))
    for name, url in _every_url(*run_and_item):
        if name in PUBLIC | EVERYONE:
            continue
        for response in (client.get(url), client.post(url, {"name": "Ann"})):
            assert response.status_code in (403, 404, 405), (url, response.status_code)
    assert SyncRun.objects.count() == 1 and OutboxItem.objects.count() == 1
    assert not OutboxItem.objects.exclude(status=OutboxItem.Status.PENDING).exists()
