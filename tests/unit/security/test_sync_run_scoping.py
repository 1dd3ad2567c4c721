"""Sync run pages show runs of the connections the pages use; any other run is for
superusers (staff, as anyone, see the pages' connections: their health page charts others)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from integrations.models import Connection, SyncRun

pytestmark = pytest.mark.django_db


def make_connection(provider, name, **fields):
    return Connection.objects.create(
        provider=provider, name=name, base_url=f"https://{provider}.example.test",
        api_token="token-0123456789", company_id="1", **fields,
    )  # fmt: skip


def failed_run(connection, resource):
    return SyncRun.objects.create(
        connection=connection, resource=resource, status=SyncRun.Status.FAILED, error="boom"
    )


@pytest.fixture
def recruitee_runs(db):
    used = make_connection("recruitee", "main")
    second = make_connection("recruitee", "second")  # active, but the pages use "main"
    inactive = make_connection("recruitee", "old", is_active=False)
    return {
        name: failed_run(connection, "recruitee.candidates")
        for name, connection in [("used", used), ("second", second), ("inactive", inactive)]
    }


@pytest.mark.parametrize("which, status", [("used", 200), ("second", 404), ("inactive", 404)])
def test_non_staff_see_only_runs_of_the_connection_the_pages_use(
    client, user, recruitee_runs, which, status
):
    client.force_login(user)
    assert client.get(f"/sync/runs/{recruitee_runs[which].pk}/").status_code == status
    assert client.get(f"/sync/runs/{recruitee_runs[which].pk}/panel/").status_code == status


@pytest.mark.parametrize("which, status", [("used", 200), ("second", 404), ("inactive", 404)])
def test_staff_with_the_same_rights_see_only_the_same_runs(
    client, user, recruitee_runs, which, status
):
    support = get_user_model().objects.create_user(username="support", is_staff=True)
    support.user_permissions.set(user.user_permissions.all())
    client.force_login(support)
    assert client.get(f"/sync/runs/{recruitee_runs[which].pk}/").status_code == status
    start = f"/sync/{recruitee_runs[which].connection_id}/recruitee.candidates/start/"
    if status == 404:
        assert client.post(start).status_code == 404
        assert SyncRun.objects.count() == 3  # nothing queued on a connection no page uses


@pytest.mark.parametrize("which", ["used", "second", "inactive"])
def test_superusers_see_every_run(client, staff_user, recruitee_runs, which):
    client.force_login(staff_user)
    assert client.get(f"/sync/runs/{recruitee_runs[which].pk}/").status_code == 200


def test_asana_runs_are_for_staff_while_the_projects_pages_use_the_generic_tool(
    client, user, staff_user
):
    tool = failed_run(make_connection("projecttool", "tool"), "projecttool.projects")
    asana = failed_run(make_connection("asana", "asana"), "asana.projects")
    client.force_login(user)
    assert client.get(f"/sync/runs/{tool.pk}/").status_code == 200
    assert client.get(f"/sync/runs/{asana.pk}/").status_code == 404
    start = f"/sync/{asana.connection_id}/asana.projects/start/"
    response = client.post(start, HTTP_HX_REQUEST="true")
    assert response.status_code == 404
    assert SyncRun.objects.filter(resource="asana.projects").count() == 1  # nothing queued
    client.force_login(staff_user)
    assert client.get(f"/sync/runs/{asana.pk}/").status_code == 200


def test_once_the_generic_tool_is_gone_the_asana_runs_are_the_pages_runs(client, user):
    make_connection("projecttool", "tool", is_active=False)
    asana = failed_run(make_connection("asana", "asana"), "asana.projects")
    client.force_login(user)
    assert client.get(f"/sync/runs/{asana.pk}/").status_code == 200
