"""Possible duplicates on the dashboard and the record pages, and "not a duplicate"."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from ats.models import Candidate
from core.groups import permission_named
from core.resources import for_model
from crm.models import Organization, Person
from integrations.http.errors import ConfigurationError
from integrations.models import DuplicateFlag
from integrations.outbox.duplicates import duplicates_flag
from integrations.outbox.registry import operations
from projects.models import Project
from tests.unit.duplicates.conftest import candidate_payload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    """Detail pages show the synced copy: the live read fails without a network call."""

    def refuse(*args, **kwargs):
        raise ConfigurationError("offline in this test")

    monkeypatch.setattr("integrations.live_budget.connection_client", refuse)


@pytest.fixture
def two_anns(recruitee, candidate, create_write):
    first = candidate(recruitee, "Ann Lee", ["ann@example.com"])
    second = candidate(recruitee, "Ann M. Lee", ["ann@example.com"])
    create_write(
        recruitee,
        "recruitee.candidate_create",
        candidate_payload("Ann Lee", "ann@example.com"),
        summary="Create candidate Ann Lee",
    )
    duplicates_flag(connection=recruitee, model=Candidate)
    return first, second


def test_the_dashboard_lists_the_flag_with_a_link_to_each_copy(logged_in_client, two_anns):
    first, second = two_anns
    html = logged_in_client.get("/").content.decode()
    assert "1 possible duplicate" in html
    assert "with the email <strong>ann@example.com</strong>" in html
    assert "Create candidate Ann Lee" in html
    assert f'href="/candidates/{first.pk}/"' in html
    assert f'href="/candidates/{second.pk}/"' in html


def test_without_flags_the_dashboard_shows_none(logged_in_client, recruitee):
    assert "possible duplicate" not in logged_in_client.get("/").content.decode()


def test_a_copys_page_links_to_the_other_copy(logged_in_client, two_anns):
    first, second = two_anns
    html = logged_in_client.get(f"/candidates/{first.pk}/").content.decode()
    assert "Possible duplicate" in html
    assert f'href="/candidates/{second.pk}/"' in html
    assert f'href="/candidates/{first.pk}/"' not in html.split("Possible duplicate")[1]


def test_a_record_that_is_no_copy_shows_no_notice(logged_in_client, two_anns, recruitee, candidate):
    bob = candidate(recruitee, "Bob Stone", ["bob@example.com"])
    assert (
        "Possible duplicate" not in logged_in_client.get(f"/candidates/{bob.pk}/").content.decode()
    )


def test_organization_person_and_project_pages_show_the_notice(
    logged_in_client, affinity, projecttool, organization, person, project, create_write
):
    orgs = [organization(affinity, "Acme", ["acme.com"]) for _ in range(2)]
    persons = [person(affinity, "Ann", "Lee", ["ann@example.com"]) for _ in range(2)]
    projects = [project(projecttool, "Roadmap", workspace="1") for _ in range(2)]
    create_write(affinity, "affinity.organization.create", {"name": "Acme", "domain": "acme.com"})
    create_write(affinity, "affinity.person.create", {"emails": ["ann@example.com"]})
    create_write(projecttool, "projecttool.project_create", {"name": "Roadmap", "workspace": "1"})
    duplicates_flag(connection=affinity, model=Organization)
    duplicates_flag(connection=affinity, model=Person)
    duplicates_flag(connection=projecttool, model=Project)

    for path, (one, other) in [
        ("/organizations/{}/", orgs),
        ("/persons/{}/", persons),
        ("/projects/{}/", projects),
    ]:
        html = logged_in_client.get(path.format(one.pk)).content.decode()
        assert "Possible duplicate" in html, path
        assert f'href="{path.format(other.pk)}"' in html, path


def test_not_a_duplicate_dismisses_the_flag_and_comes_back(logged_in_client, user, two_anns):
    first, _ = two_anns
    flag = DuplicateFlag.objects.get()
    page = f"/candidates/{first.pk}/"

    response = logged_in_client.post(f"/duplicates/{flag.pk}/not-a-duplicate/", {"next": page})

    assert response.status_code == 302
    assert response["Location"] == page
    flag.refresh_from_db()
    assert flag.dismissed_by == user
    assert flag.dismissed_record_ids == flag.record_ids
    assert "Possible duplicate" not in logged_in_client.get(page).content.decode()
    assert "possible duplicate" not in logged_in_client.get("/").content.decode()


def test_not_a_duplicate_goes_to_the_dashboard_rather_than_elsewhere(logged_in_client, two_anns):
    flag = DuplicateFlag.objects.get()
    response = logged_in_client.post(
        f"/duplicates/{flag.pk}/not-a-duplicate/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_not_a_duplicate_needs_a_post_with_csrf_and_a_login(user, two_anns):
    flag = DuplicateFlag.objects.get()
    url = f"/duplicates/{flag.pk}/not-a-duplicate/"

    anonymous = Client().post(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert strict.post(url).status_code == 403
    assert strict.get(url).status_code == 405

    flag.refresh_from_db()
    assert flag.dismissed_at is None


def test_the_admin_lists_flags_and_dismisses_the_selected(client, staff_user, two_anns):
    flag = DuplicateFlag.objects.get()
    client.force_login(staff_user)
    listing = client.get("/admin/integrations/duplicateflag/?closed_at__isempty=1")
    assert listing.status_code == 200
    assert "ann@example.com" in listing.content.decode()

    response = client.post(
        "/admin/integrations/duplicateflag/",
        {"action": "dismiss", "_selected_action": [flag.pk]},
    )

    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.dismissed_by == staff_user
    assert client.get(f"/admin/integrations/duplicateflag/{flag.pk}/change/").status_code == 200


def test_staff_who_may_only_view_the_flags_cannot_dismiss_them_in_the_admin(client, two_anns):
    flag = DuplicateFlag.objects.get()
    viewer = get_user_model().objects.create_user(username="viewer", is_staff=True)
    viewer.user_permissions.add(permission_named("integrations.view_duplicateflag"))
    client.force_login(viewer)
    listing = client.get("/admin/integrations/duplicateflag/").content.decode()
    assert "ann@example.com" in listing and "not a duplicate" not in listing

    client.post(
        "/admin/integrations/duplicateflag/",
        {"action": "dismiss", "_selected_action": [flag.pk]},
    )

    flag.refresh_from_db()
    assert flag.dismissed_at is None


def test_every_checked_create_has_a_record_page_to_link_to():
    checked = {op.record_model for op in operations().values() if op.identity_rules}
    assert checked == {"ats.Candidate", "crm.Organization", "crm.Person", "projects.Project"}
    assert all(for_model(label) for label in checked)
