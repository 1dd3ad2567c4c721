"""Benchmark: a full sync of 100,000 candidates from the sandbox with 50 ms latency.

The sandbox runs as its own process with 50 ms added to every answer. The
floor is the time the requests alone must take: pages x 50 ms, one request
in flight (Recruitee documents no concurrency, so the hub sends one at a
time). The sandbox's own time to answer (a few ms a page) counts against
the sync, as a real provider's would. Goals: the sync takes at most 1.25x
the floor, and this process's peak memory (RSS) stays at or under 250 MB.
"""

from __future__ import annotations

import math
import resource
import tempfile
import time
from pathlib import Path

from common import SandboxProcess, report, seed_sandbox, setup_django

CANDIDATES = 100_000
LATENCY_S = 0.050
TIME_GOAL = 1.25
MEMORY_GOAL_MB = 250


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        sandbox_db = Path(tmp) / "sandbox.sqlite3"
        print(f"seeding the sandbox with {CANDIDATES:,} candidates…", flush=True)
        seed_sandbox(sandbox_db, candidates=CANDIDATES, offers=12, organizations=0, persons=0,
                     projects=0, workspaces=1)  # fmt: skip
        sandbox = SandboxProcess(sandbox_db, f"recruitee latency_ms={int(LATENCY_S * 1000)}")
        try:
            setup_django(Path(tmp) / "hub.sqlite3")
            from ats.models import Candidate
            from ats.sync import CANDIDATE_PAGE_SIZE, RESOURCES
            from integrations.models import Connection
            from integrations.sync.engine import sync_resource

            connection = Connection.objects.create(
                provider="recruitee",
                name="bench",
                base_url=f"{sandbox.url}/recruitee",
                company_id="1",
                api_token="sandbox-recruitee",  # noqa: S106 - the sandbox's public demo token
            )
            candidates = next(r for r in RESOURCES if r.key == "recruitee.candidates")
            started = time.perf_counter()
            run = sync_resource(connection=connection, resource=candidates, full=True)
            elapsed = time.perf_counter() - started
            stored = Candidate.objects.filter(is_deleted=False).count()
        finally:
            sandbox.stop()

    requests = math.floor(CANDIDATES / CANDIDATE_PAGE_SIZE) + 1  # the last, short page ends it
    floor = requests * LATENCY_S
    ratio = elapsed / floor
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"run: {run.status}, {run.pages} pages, {stored:,} candidates stored")
    print(f"page size {CANDIDATE_PAGE_SIZE}, {requests} requests, floor {floor:.2f} s")
    print(f"sync took {elapsed:.2f} s: {ratio:.3f} x the floor (goal <= {TIME_GOAL})")
    print(f"peak memory {peak_mb:.0f} MB (goal <= {MEMORY_GOAL_MB})")
    passed = (
        run.status == "succeeded"
        and stored == CANDIDATES
        and ratio <= TIME_GOAL
        and peak_mb <= MEMORY_GOAL_MB
    )
    report("sync", "time_over_floor", ratio, TIME_GOAL, passed, peak_mb=round(peak_mb))


if __name__ == "__main__":
    main()
