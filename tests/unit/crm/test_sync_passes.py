"""A full pass of Affinity's organizations against how v1 pages.

The page token holds an offset (affinity.md §2: the documented token decodes to
`{"params", "page_size", "offset"}`), so an organization deleted during a pass moves
a later one past the cursor. Before the pass marks unlisted organizations deleted it
reads each by id; only a 404 is gone.
"""

from __future__ import annotations

import pytest
from responses import matchers

from crm.models import Organization
from crm.sync import ORGANIZATIONS
from integrations.models import SyncRun
from integrations.sync.engine import sync_resource

BASE = "https://api.affinity.co"

pytestmark = pytest.mark.django_db


def _org(org_id: int) -> dict:
    return {"id": org_id, "name": f"Org {org_id}", "domain": None, "domains": [],
            "global": False}  # fmt: skip


def test_an_organization_the_token_offset_skipped_is_not_marked_deleted(connection, rsps, sleeps):
    for remote_id in ("1", "2", "3", "9"):
        Organization.objects.create(connection=connection, remote_id=remote_id, name=remote_id)
    rsps.add("GET", f"{BASE}/organizations", json={"organizations": [_org(1), _org(2)],
             "next_page_token": "T2"},
             match=[matchers.query_param_matcher({"page_size": "500"})])  # fmt: skip
    # Organization 1 is deleted now: the offset in T2 passes over 3.
    resumed = matchers.query_param_matcher({"page_size": "500", "page_token": "T2"})
    last = {"organizations": [_org(4)], "next_page_token": None}
    rsps.add("GET", f"{BASE}/organizations", json=last, match=[resumed])
    rsps.add("GET", f"{BASE}/organizations/3", json={**_org(3), "person_ids": []})
    rsps.add(
        "GET", f"{BASE}/organizations/9", status=404, json={"errors": [{"message": "Not found"}]}
    )

    run = sync_resource(connection=connection, resource=ORGANIZATIONS, full=True)

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    deleted = Organization.objects.filter(connection=connection, is_deleted=True)
    assert set(deleted.values_list("remote_id", flat=True)) == {"9"}
