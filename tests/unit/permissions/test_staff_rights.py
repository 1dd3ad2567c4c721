"""`is_staff` lets a person sign in to the admin; on the hub's pages staff have the rights
their permissions and groups give them, like anyone (a support person given only "view
connections" writes nothing). Superusers have every right. The operator pages (connection
health, the call log, the failing-connections banner, the detailed error text) stay staff
pages."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from ats.models import Candidate
from ats.outbox import CandidateCreate
from core.groups import ensure_default_groups, permission_named
from core.resources import ACTIONS, registered
from crm.models import Organization
from crm.outbox import OrganizationCreate
from integrations.models import OutboxItem
from integrations.shown_errors import ShownError

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-42"


def _staff(name: str, *rights: str, group: str = "") -> Any:
    """A staff member (may sign in to the admin) with these rights only."""
    person = get_user_model().objects.create_user(username=name, password=PASSWORD, is_staff=True)
    person.user_permissions.set([permission_named(right) for right in rights])
    if group:
        ensure_default_groups()
        person.groups.add(Group.objects.get(name=group))
    return person


def _superuser() -> Any:
    return get_user_model().objects.create_superuser(username="root", password=PASSWORD)


def _stuck(connection, operation: str, summary: str) -> OutboxItem:
    return OutboxItem.objects.create(
        connection=connection, operation=operation, submission_key=summary, summary=summary,
        status=OutboxItem.Status.NEEDS_ATTENTION, last_error="Gave up",
    )  # fmt: skip


@pytest.mark.parametrize("resource", registered(), ids=lambda r: r.url_name("list"))
def test_staff_have_only_their_rights_and_superusers_every_one(resource):
    support = _staff("support", "integrations.view_connection")
    assert not any(resource.allows(support, action) for action in ACTIONS)
    reader = _staff("reader", resource.permission("view"))
    assert resource.allows(reader, "view") and not resource.allows(reader, "change")
    root = _superuser()
    assert all(resource.allows(root, action) for action in ACTIONS)


def test_staff_without_rights_may_not_create_edit_or_delete(client, recruitee, affinity,
                                                            organization):  # fmt: skip
    acme = organization(affinity, "Acme", ["acme.com"])
    client.force_login(_staff("support", "integrations.view_connection"))
    assert client.get("/candidates/new/").status_code == 403
    key = str(uuid.uuid4())
    for url, data in (
        ("/candidates/new/", {"name": "Ann Lee", "emails": "ann@example.com",
                              "submission_key": key}),
        ("/organizations/new/", {"name": "Globex", "domain": "globex.com",
                                 "submission_key": key}),
        (f"/organizations/{acme.pk}/edit/", {"name": "Renamed", "submission_key": key}),
        (f"/organizations/{acme.pk}/delete/", {"confirm": "on", "submission_key": key}),
        ("/organizations/bulk/", {"action": "delete", "submission_key": key,
                                  "ids": [str(acme.pk)]}),
    ):  # fmt: skip
        assert client.post(url, data).status_code == 403, url
    assert OutboxItem.objects.count() == 0  # nothing on its way to a provider
    assert Candidate.objects.count() == 0 and Organization.objects.count() == 1
    acme.refresh_from_db()
    assert acme.name == "Acme" and not acme.is_deleted


def test_staff_see_and_retry_only_the_writes_of_their_rights(client, recruitee, affinity):
    hired = _stuck(recruitee, CandidateCreate.name, "create-candidate-Bo")
    sold = _stuck(affinity, OrganizationCreate.name, "create-org-Acme")

    client.force_login(_staff("support", "integrations.view_connection"))
    html = client.get("/outbox/").content.decode()
    assert "create-candidate-Bo" not in html and "create-org-Acme" not in html
    dashboard = client.get("/").content.decode()
    assert 'data-testid="stuck-writes"' not in dashboard and "create-candidate-Bo" not in dashboard
    for item in (hired, sold):
        assert client.post(f"/outbox/{item.pk}/retry/").status_code == 404
        assert client.post(f"/outbox/{item.pk}/dismiss/").status_code == 404

    client.force_login(_staff("recruiter", group="Recruiting"))
    html = client.get("/outbox/").content.decode()
    assert "create-candidate-Bo" in html and "create-org-Acme" not in html
    assert client.post(f"/outbox/{sold.pk}/retry/").status_code == 404
    assert client.post(f"/outbox/{hired.pk}/retry/").status_code == 302
    hired.refresh_from_db()
    sold.refresh_from_db()
    assert hired.status == OutboxItem.Status.PENDING
    assert sold.status == OutboxItem.Status.NEEDS_ATTENTION

    client.force_login(_superuser())
    html = client.get("/outbox/").content.decode()
    assert "create-candidate-Bo" in html and "create-org-Acme" in html
    assert client.post(f"/outbox/{sold.pk}/retry/").status_code == 302
    sold.refresh_from_db()
    assert sold.status == OutboxItem.Status.PENDING


def test_staff_in_the_recruiting_group_use_the_candidates_pages_only(client, recruitee, affinity):
    client.force_login(_staff("recruiter", group="Recruiting"))
    assert client.get("/candidates/new/").status_code == 200
    assert client.get("/candidates/").status_code == 200
    assert client.get("/organizations/").status_code == 403
    assert client.get("/organizations/new/").status_code == 403
    html = client.get("/").content.decode()
    assert 'href="/candidates/"' in html and 'href="/organizations/"' not in html


def test_a_superuser_uses_every_page(client, recruitee, affinity):
    client.force_login(_superuser())
    for url in ("/candidates/new/", "/candidates/", "/organizations/new/", "/organizations/"):
        assert client.get(url).status_code == 200, url


def test_staff_see_the_possible_duplicates_of_their_rights_only(client, candidate_flag):
    flag = candidate_flag

    client.force_login(_staff("support", "integrations.view_connection"))
    assert "possible duplicate" not in client.get("/").content.decode()
    assert client.post(f"/duplicates/{flag.pk}/not-a-duplicate/").status_code == 403
    flag.refresh_from_db()
    assert flag.dismissed_at is None

    client.force_login(_superuser())
    assert "possible duplicate" in client.get("/").content.decode()


def test_the_operator_pages_stay_staff_pages(client, recruitee, settings):
    """Connection health, the call log, the dashboard's health table and the detailed
    (redacted) error text are for operators: any staff member, whatever their rights."""
    support = _staff("support")
    client.force_login(support)
    assert client.get(f"/connections/{recruitee.pk}/health/").status_code == 200
    assert client.get("/calls/").status_code == 200
    dashboard = client.get("/").content.decode()
    assert f'data-testid="connection-health-row" data-connection="{recruitee.pk}"' in dashboard
    shown = ShownError(plain="It failed.", reference="outbox #1", detail="HTTP 500 /v1/x")
    assert "HTTP 500 /v1/x" in shown.for_user(support)

    member = get_user_model().objects.create_user(username="member", password=PASSWORD)
    client.force_login(member)
    assert client.get(f"/connections/{recruitee.pk}/health/").status_code == 403
    assert client.get("/calls/").status_code == 403
    assert "HTTP 500 /v1/x" not in shown.for_user(member)


def test_the_connect_button_is_for_who_may_add_a_connection(client, db):
    """The not-connected page links to the admin's "add connection" form only for those
    the admin lets add one; other staff are told to ask an administrator."""
    client.force_login(_staff("recruiter", group="Recruiting"))
    html = client.get("/candidates/").content.decode()
    assert "Ask an administrator to connect Recruitee" in html and "Connect Recruitee" not in html
    client.force_login(_staff("connector", "integrations.add_connection", group="Recruiting"))
    assert "Connect Recruitee" in client.get("/candidates/").content.decode()


def test_the_navbar_links_the_admins_connections_for_who_may_see_them(client, db):
    connections = 'href="/admin/integrations/connection/"'
    client.force_login(_staff("support"))
    assert connections not in client.get("/").content.decode()
    for right in ("integrations.view_connection", "integrations.change_connection"):
        client.force_login(_staff(right.split(".")[1], right))
        assert connections in client.get("/").content.decode(), right
