"""An interrupted Asana sync resumed after its offset token expired.

Asana's offset tokens expire ("an offset token will expire after some time, as data
may have changed": asana_oas.yaml, NextPage; project-tool.md §2 "Offset tokens
expire"). A run resumed from such a checkpoint must start the pass again, not fail
on the same token at every sync until the resume window has passed.
"""

from __future__ import annotations

import pytest
from django.utils import timezone
from responses import matchers

from integrations.models import Connection, SyncRun
from integrations.providers import asana
from integrations.sync.engine import sync_resource
from projects.models import Project
from projects.sync import ASANA_PROJECTS

from .conftest import rsps, sleeps  # noqa: F401

BASE = "https://app.asana.com/api/1.0"
WS = "1200000000000001"
EXPIRED = "eyJvZmZzZXQiOiJleHBpcmVkIn0"
FIRST_PAGE_QUERY = {"workspace": WS, "opt_fields": asana.PROJECT_OPT_FIELDS, "limit": "100"}

pytestmark = pytest.mark.django_db


@pytest.fixture
def connection(db):
    return Connection.objects.create(
        provider="asana", name="asana", base_url=BASE, api_token="tok", workspace_id=WS
    )


def _project(gid: str) -> dict:
    return {"gid": gid, "name": f"Project {gid}", "workspace": {"gid": WS, "name": "W"}}


def test_a_resumed_sync_whose_offset_expired_starts_the_pass_again(rsps, sleeps, connection):  # noqa: F811
    interrupted = SyncRun.objects.create(
        connection=connection,
        resource=ASANA_PROJECTS.key,
        status=SyncRun.Status.FAILED,
        mode=SyncRun.Mode.FULL,
        started_at=timezone.now(),
        checkpoint={"workspace": WS, "offset": EXPIRED},
        pages=1,
    )
    expired = {"errors": [{"message": "offset: Your pagination token has expired.",
                           "help": "See https://developers.asana.com/docs/errors"}]}  # fmt: skip
    resumed = matchers.query_param_matcher({"offset": EXPIRED}, strict_match=False)
    rsps.add("GET", f"{BASE}/projects", status=400, json=expired, match=[resumed])
    first_page = {"data": [_project("11"), _project("12")], "next_page": None}
    rsps.add("GET", f"{BASE}/projects", json=first_page,
             match=[matchers.query_param_matcher(FIRST_PAGE_QUERY)])  # fmt: skip

    run = sync_resource(connection=connection, resource=ASANA_PROJECTS)

    assert run.pk == interrupted.pk
    assert (run.status, run.error) == (SyncRun.Status.SUCCEEDED, "")
    assert sorted(Project.objects.values_list("remote_id", flat=True)) == ["11", "12"]
    sent = [call.request.params.get("offset") for call in rsps.calls]
    assert sent == [EXPIRED, None]  # the saved token once, then the pass from its start


def test_a_refusal_of_a_fresh_pass_still_fails_the_run(rsps, sleeps, connection):  # noqa: F811
    refused = {"errors": [{"message": "workspace: Not a recognized ID: 1200000000000001"}]}
    rsps.add("GET", f"{BASE}/projects", status=400, json=refused)

    run = sync_resource(connection=connection, resource=ASANA_PROJECTS)

    assert run.status == SyncRun.Status.FAILED
    assert "Not a recognized ID" in run.error
    assert len(rsps.calls) == 1  # nothing to start again from
