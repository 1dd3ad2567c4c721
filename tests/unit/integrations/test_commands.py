"""connections_from_env and prune_history."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from integrations.models import CallLog, Connection, OpenApiSource

pytestmark = pytest.mark.django_db

NO_ENV = {
    "RECRUITEE_COMPANY_ID": "",
    "RECRUITEE_API_TOKEN": "",
    "AFFINITY_API_KEY": "",
    "PROJECTS_API_URL": "",
    "PROJECTS_API_TOKEN": "",
    "PROJECTS_OAUTH_CLIENT_ID": "",
    "PROJECTS_OAUTH_CLIENT_SECRET": "",
    "ASANA_TOKEN": "",
    "ASANA_WORKSPACE_GID": "",
    "SANDBOX_URL": "",
}


def run() -> str:
    out = StringIO()
    call_command("connections_from_env", stdout=out)
    return out.getvalue()


@override_settings(**NO_ENV | {"RECRUITEE_COMPANY_ID": "42", "RECRUITEE_API_TOKEN": "tok-1"})
def test_creates_then_is_idempotent():
    assert "Recruitee: created from the environment" in run()
    assert "Affinity: not configured (missing: API token (AFFINITY_API_KEY))" in run()
    output = run()
    assert "Recruitee: unchanged (environment)" in output
    row = Connection.objects.get()
    assert (row.provider, row.name, row.company_id, row.api_token) == (
        "recruitee",
        "default",
        "42",
        "tok-1",
    )
    assert row.base_url == "https://api.recruitee.com"


@override_settings(**NO_ENV | {"AFFINITY_API_KEY": "key-1"})
def test_updates_when_the_environment_changes_and_admin_edits_win(settings):
    run()
    settings.AFFINITY_API_KEY = "key-2"
    assert "Affinity: updated from the environment" in run()
    assert Connection.objects.get().api_token == "key-2"
    Connection.objects.update(edited_in_admin=True)
    settings.AFFINITY_API_KEY = "key-3"
    assert "Affinity: kept as edited in the admin" in run()
    assert Connection.objects.get().api_token == "key-2"


@override_settings(
    **NO_ENV | {"SANDBOX_URL": "http://127.0.0.1:8765/", "ASANA_WORKSPACE_GID": "99"}
)
def test_sandbox_when_no_real_credentials():
    run()
    rows = {row.provider: row for row in Connection.objects.all()}
    assert set(rows) == {"recruitee", "affinity", "projecttool", "asana", "openapi"}
    recruitee = rows["recruitee"]
    assert (recruitee.base_url, recruitee.company_id, recruitee.api_token) == (
        "http://127.0.0.1:8765/recruitee",
        "1",
        "sandbox-recruitee",
    )
    assert rows["affinity"].api_token == "sandbox-affinity"
    tool = rows["projecttool"]
    assert tool.base_url == "http://127.0.0.1:8765/projects-api"
    assert (tool.oauth_client_id, tool.oauth_client_secret) == ("sandbox-client", "sandbox-secret")
    assert (rows["asana"].api_token, rows["asana"].workspace_id) == ("sandbox-asana", "99")
    assert all(row.is_sandbox for row in rows.values())
    assert run().count("unchanged (sandbox)") == 5


@override_settings(**NO_ENV | {"SANDBOX_URL": "http://127.0.0.1:8765/"})
def test_the_sandbox_jsonplaceholder_is_connected_from_its_document():
    assert "OpenAPI jsonplaceholder: created (sandbox)" in run()
    api = Connection.objects.get(provider="openapi")
    assert (api.name, api.base_url) == ("jsonplaceholder", "http://127.0.0.1:8765/jsonplaceholder")
    source = OpenApiSource.objects.get(connection=api)
    assert json.loads(source.document)["info"]["title"] == "JSONPlaceholder"
    assert source.document_sha256 and not source.document_url  # nothing to fetch
    Connection.objects.filter(pk=api.pk).update(edited_in_admin=True)
    assert "OpenAPI jsonplaceholder: kept as edited in the admin" in run()


@override_settings(**NO_ENV)
def test_no_sandbox_no_api():
    run()
    assert not Connection.objects.filter(provider="openapi").exists()


@override_settings(CALL_LOG_RETENTION_DAYS=14)
def test_prune_history():
    now = timezone.now()
    for days in (1, 13, 15, 40):
        CallLog.objects.create(
            provider="asana", method="GET", path="/x", created_at=now - timedelta(days=days)
        )
    out = StringIO()
    call_command("prune_history", stdout=out)
    assert "Deleted 2" in out.getvalue()
    assert CallLog.objects.count() == 2
