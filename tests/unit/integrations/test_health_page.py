"""The connection page's sync and outbox charts and tables, for known runs and samples."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from integrations.models import Connection, OutboxItem, SyncRun
from integrations.services.call_rollups import sample_outbox
from integrations.services.sync_charts import sync_chart_buckets

NOW = datetime(2026, 3, 4, 12, 7, 30, tzinfo=UTC)


@pytest.fixture
def conn(db) -> Connection:
    return Connection.objects.create(provider="asana", name="syncs", api_token="t")


def run(conn: Connection, resource: str, started: datetime, seconds: float, **fields) -> None:
    SyncRun.objects.create(
        connection=conn,
        resource=resource,
        started_at=started,
        finished_at=started + timedelta(seconds=seconds),
        **{"status": "succeeded", **fields},
    )


def test_runs_are_grouped_by_bucket_and_resource(conn):
    at = datetime(2026, 3, 4, 11, 30, 10, tzinfo=UTC)  # a 15-minute bucket's start + 10 s
    run(conn, "asana.projects", at, 30, processed=100, created_count=5, updated_count=2)
    run(conn, "asana.projects", at + timedelta(minutes=5), 45.5, status="failed", processed=7)
    run(conn, "asana.users", at, 2, processed=12, deleted_count=1)
    run(conn, "asana.projects", NOW - timedelta(days=2), 9)  # outside the day
    SyncRun.objects.create(connection=conn, resource="asana.projects", started_at=at)  # running

    buckets = sync_chart_buckets(conn, "24h", now=NOW)

    assert [(b.start, b.resource, b.runs, b.failed, b.longest_seconds) for b in buckets] == [
        (at.replace(second=0), "projects", 2, 1, 45.5),
        (at.replace(second=0), "users", 1, 0, 2.0),
    ]
    assert (buckets[0].processed, buckets[0].created, buckets[0].updated) == (107, 5, 2)
    assert buckets[1].deleted == 1


def _cells(page: str, testid: str) -> list[list[str]]:
    table = page.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [
        [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body)
    ]


def test_the_page_charts_syncs_and_the_outbox_backlog_with_their_numbers(client, staff_user, conn):
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    run(conn, "asana.projects", now - timedelta(minutes=20), 30, processed=100, created_count=5)
    for n in range(3):
        OutboxItem.objects.create(connection=conn, operation="x", submission_key=f"p{n}")
    OutboxItem.objects.create(
        connection=conn, operation="x", submission_key="a", status="needs_attention"
    )
    sample_outbox(now=now - timedelta(minutes=5))
    client.force_login(staff_user)

    page = client.get(f"/connections/{conn.pk}/health/?range=1h").content.decode()

    started = now - timedelta(minutes=20)
    label = f"{started:%b} {started.day} {started:%H:%M}"
    assert _cells(page, "sync-durations-table") == [[label, "projects", "1", "0", "30.0"]]
    assert _cells(page, "sync-records-table") == [[label, "projects", "100", "5", "0", "0"]]
    sampled = now - timedelta(minutes=5)
    assert _cells(page, "outbox-table") == [
        [f"{sampled:%b} {sampled.day} {sampled:%H:%M}", "3", "1"]
    ]
    assert 'data-testid="calls-empty"' in page  # a sample is not a call
    data = json.loads(
        page.split('id="health-chart-data" type="application/json">', 1)[1].split("</script>")[0]
    )
    assert data["charts"]["sync-durations"] == {
        "x": [int(started.timestamp())],
        "series": [{"label": "projects s", "values": [30.0]}],
    }
    assert data["charts"]["outbox"]["series"][0] == {"label": "pending", "values": [3]}


def test_a_connection_without_syncs_or_samples_says_so(client, staff_user, conn):
    client.force_login(staff_user)
    page = client.get(f"/connections/{conn.pk}/health/?range=30d").content.decode()
    assert "No finished syncs in the last 30 days." in page
    assert "No outbox samples in the last 30 days" in page
    assert "No calls in the last 30 days." in page
