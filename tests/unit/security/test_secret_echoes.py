"""A provider that echoes the API token back never gets it onto a page or into a stored row.

The failing sync is real: the engine and the client run against a `responses`
stub of Recruitee that answers with an error echoing the token.
"""

from __future__ import annotations

import base64
import re
from urllib.parse import quote, quote_plus

import pytest
import responses

from ats.sync import CANDIDATES
from integrations.http import call_log
from integrations.http.client import ApiClient
from integrations.models import CallLog, Connection, SyncRun
from integrations.sync.engine import sync_resource

pytestmark = pytest.mark.django_db

TOKEN = "rt-Live/9f8a+7c6b5d4e3f2a1b0c9d8e7f6a5b4c"
CANDIDATES_URL = re.compile(r"https://api\.recruitee\.com/c/1/candidates.*")

ECHOES = {
    "the token in a request id header": ({"X-Request-Id": TOKEN}, "Internal error"),
    "the token URL-encoded in the body": ({}, f"Bad request for token={quote_plus(TOKEN)}"),
    "the token upper-cased": ({}, f"Unknown key {TOKEN.upper()}"),
    "the token cut short": (
        {"X-Request-Id": f"req-{TOKEN[:20]}"},
        f"key {quote(TOKEN, safe='')[:24]}…",
    ),
    "the Basic form of the token": ({}, "auth " + base64.b64encode(f":{TOKEN}".encode()).decode()),
}


def leaked_forms(text: str) -> list[str]:
    forms = {
        "token": TOKEN,
        "20-character prefix": TOKEN[:20],
        "quoted": quote(TOKEN, safe=""),
        "quote_plus": quote_plus(TOKEN),
        "base64 core": base64.b64encode(f":{TOKEN}".encode()).decode()[4:24],
    }
    return [name for name, form in forms.items() if form.lower() in text.lower()]


@pytest.fixture
def connection(db):
    return Connection.objects.create(
        provider="recruitee", name="live", base_url="https://api.recruitee.com",
        company_id="1", api_token=TOKEN,
    )  # fmt: skip


@pytest.fixture
def failed_sync(connection, monkeypatch):
    """Run a candidates sync whose every answer echoes the token in the given form."""
    monkeypatch.setattr(ApiClient, "sleep", lambda seconds: None)
    call_log.buffer.clear()

    def run(headers: dict[str, str], error: str) -> SyncRun:
        with responses.RequestsMock() as mock:
            mock.add("GET", CANDIDATES_URL, status=500, json={"error": error}, headers=headers)
            run = sync_resource(connection=connection, resource=CANDIDATES)
        call_log.buffer.flush()
        return run

    return run


@pytest.mark.parametrize("echo", ECHOES, ids=list(ECHOES))
def test_an_echoed_token_never_reaches_the_sync_bar_or_the_call_log(
    echo, failed_sync, client, user, staff_user
):
    run = failed_sync(*ECHOES[echo])
    assert run.status == SyncRun.Status.FAILED
    assert leaked_forms(run.error) == []
    for row in CallLog.objects.all():
        assert leaked_forms(f"{row.path} {row.request_id}") == []
    for person in (user, staff_user):
        client.force_login(person)
        html = client.get("/candidates/").content.decode()
        assert 'data-testid="sync-error"' in html
        assert leaked_forms(html) == [], person
        html = client.get(f"/sync/runs/{run.pk}/").content.decode()
        assert leaked_forms(html) == [], person
