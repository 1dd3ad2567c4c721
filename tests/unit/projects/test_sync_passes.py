"""The project syncs' passes against how the providers page.

Asana's offset tokens expire ("an offset token will expire after some time, as data
may have changed": asana_oas.yaml, NextPage; project-tool.md §2), so a run resumed
from an expired one must start the pass again, not fail on the same token at every
sync until the resume window has passed. The generic tool's page numbers shift when
a project is deleted during a pass, so an unlisted project is read before it is
marked deleted.
"""

from __future__ import annotations

import pytest
from django.utils import timezone
from responses import matchers

from integrations.models import Connection, SyncRun
from integrations.providers import asana
from integrations.sync.engine import sync_resource
from projects.models import Project
from projects.sync import ASANA_PROJECTS, PROJECTTOOL_PROJECTS

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


TOOL = "https://api.projects.example/v1"


def _tool_page(number: int, ids: list[int], total_pages: int) -> dict:
    data = [{"id": i, "name": f"Project {i}"} for i in ids]
    meta = {"currentPage": number, "totalPages": total_pages, "totalItems": 3,
            "itemsPerPage": 100}  # fmt: skip
    return {"data": data, "meta": meta}


def test_a_project_the_page_numbers_skipped_is_not_marked_deleted(rsps, sleeps, db):  # noqa: F811
    """The generic tool pages by number (providers/README.md, 'List'): a project deleted
    during a full pass moves the later ones a page up, so one is never listed. It is
    read by id (`GET /projects/{id}`) before the pass marks it deleted; a 404 is gone."""
    tool = Connection.objects.create(
        provider="projecttool", name="tool", base_url=TOOL, api_token="tok"
    )
    for remote_id in ("1", "2", "3", "9"):
        Project.objects.create(connection=tool, remote_id=remote_id, name=remote_id)
    rsps.add("GET", f"{TOOL}/projects", json=_tool_page(1, [1, 2], 2),
             match=[matchers.query_param_matcher({"page": "1", "limit": "100"})])  # fmt: skip
    # Project 1 is deleted now: the list is 2, 3, 4 and page 2 starts at 4.
    rsps.add("GET", f"{TOOL}/projects", json=_tool_page(2, [4], 2),
             match=[matchers.query_param_matcher({"page": "2", "limit": "100"})])  # fmt: skip
    rsps.add("GET", f"{TOOL}/projects/3", json={"id": 3, "name": "Project 3"})
    gone = {"error": {"code": "NOT_FOUND", "message": "Project not found"}}
    rsps.add("GET", f"{TOOL}/projects/9", status=404, json=gone)

    run = sync_resource(connection=tool, resource=PROJECTTOOL_PROJECTS, full=True)

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    deleted = Project.objects.filter(connection=tool, is_deleted=True)
    assert set(deleted.values_list("remote_id", flat=True)) == {"9"}
