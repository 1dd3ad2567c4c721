"""Benchmark: the connection health page over 10,000,000 rolled-up calls, on SQLite.

Set-up (not timed as the page): 10,000,000 `CallRecord`s over the last 30 days, for
two connections (Affinity with rate-limit headers, Asana without), go through the
call-log sink's rollup code (`call_rollups.add_records`, the upsert the sink runs
after its bulk insert) in batches of 100,000, on a throwaway SQLite file. The raw
`CallLog` rows are not inserted: their cost is the call log's, not the rollups'; the
ingestion rate printed is the rollups' alone (minutes and hours, as the sink writes
them). Each minute of each connection gets one rollup row (86,400 rows), each hour one
hourly row (1,440); latencies, statuses and headers are drawn with a fixed seed.

Measured: the staff connection page (`/connections/<pk>/health/`) through Django's
test client on the test settings (middleware, the rollup queries, the health state,
rendering the tables and the chart JSON), 100 requests for each range after 5 warm-up
requests, alternating the two connections. Goal: p95 <= 100 ms for the 30-day view.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import latency_summary, percentile, report, setup_django

CALLS = 10_000_000
DAYS = 30
BATCH = 100_000
REQUESTS = 100
GOAL_MS = 100.0


def ingest(connections: list, calls: int, now: datetime) -> float:
    """Roll `calls` records up; returns records per second."""
    from django.db import transaction

    from integrations.http.call_log import CallRecord
    from integrations.services.call_rollups import add_records

    rng = random.Random(18)
    start = now - timedelta(days=DAYS)
    step = DAYS * 86400 / (calls / len(connections))
    statuses = [200] * 90 + [404, 429, 500, 503] + [200] * 6
    began = time.perf_counter()
    batch = []
    for n in range(calls):
        conn = connections[n % len(connections)]
        headers = conn.provider == "affinity"
        status = rng.choice(statuses)
        remaining = rng.randrange(0, 900) if headers else None
        batch.append(
            CallRecord(
                connection_id=conn.pk,
                provider=conn.provider,
                method="GET",
                path="/",
                status=status,
                duration_ms=int(rng.lognormvariate(4.5, 0.8)),
                attempt=1,
                error_class="" if status == 200 else "Error",
                request_id="",
                response_bytes=2000,
                created_at=start + timedelta(seconds=(n // len(connections)) * step),
                rate_remaining=remaining,
                rate_limit=900 if headers else None,
                quota_remaining=40_000 - n // 1000 if headers else None,
                quota_limit=40_000 if headers else None,
            )
        )
        if len(batch) == BATCH:
            with transaction.atomic():  # as in the sink, one transaction a batch
                add_records(batch)
            batch = []
    with transaction.atomic():
        add_records(batch)
    return calls / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=CALLS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(Path(tmp) / "bench.sqlite3")
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.core.management import call_command
        from django.test import Client

        from integrations.models import CallRollup, CallRollupHour, Connection

        now = datetime.now(UTC)
        # No call reaches a provider here: the connections only own the rollups.
        connections = [
            Connection.objects.create(provider=name, name="bench") for name in ("affinity", "asana")
        ]
        rate = ingest(connections, args.calls, now)
        rows = CallRollup.objects.count()
        hours = CallRollupHour.objects.count()
        print(
            f"rolled up {args.calls:,} calls into {rows:,} minute and {hours:,} hour rows: "
            f"{rate:,.0f} calls/s"
        )

        settings.STATIC_ROOT = Path(tmp) / "static"  # the manifest the pages link through
        call_command("collectstatic", interactive=False, verbosity=0)
        staff = get_user_model().objects.create_user("bench", is_staff=True)
        client = Client()
        client.force_login(staff)
        results = {}
        for range_key in ("1h", "24h", "7d", "30d"):
            samples = []
            for n in range(5 + REQUESTS):
                conn = connections[n % 2]
                began = time.perf_counter()
                response = client.get(f"/connections/{conn.pk}/health/?range={range_key}")
                elapsed = (time.perf_counter() - began) * 1000
                assert response.status_code == 200, response.status_code
                if n >= 5:
                    samples.append(elapsed)
            results[range_key] = latency_summary(samples)
            print(f"{range_key:>4}: {results[range_key]} ms")
        p95 = percentile(samples, 0.95)  # the last range measured: 30 days
        report(
            "observability",
            "connection_page_30d_p95_ms",
            p95,
            GOAL_MS,
            p95 <= GOAL_MS,
            calls=args.calls,
            rollup_rows=rows,
            hour_rollup_rows=hours,
            ingest_calls_per_s=round(rate),
            ranges=results,
        )


if __name__ == "__main__":
    main()
