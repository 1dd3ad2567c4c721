"""Benchmark: 1,000 creates through the outbox while the sandbox injects 30% faults.

The sandbox runs as its own process, seeded small, with faults on Recruitee
POSTs and GETs (seeded, so runs compare): 6% hangs past the hub's read
timeout (the sandbox then handles the request anyway: a write the hub never
hears about), 16% error answers (429 with a one-second Retry-After, 500, 502,
503) and 8% connections dropped after the request was handled. The hub runs
with a 0.5 s read timeout and a 1 s in-request deadline.

1,000 candidates are created exactly as the web form does
(`ats.services.candidate_create`, a unique submission key, name and email
each): saved with their outbox row, then delivered at once within the
deadline. A worker round still under faults follows (100 due rows: the
reconciliation lookups meet the GET faults). Then the faults stop, the
requests the sandbox still holds finish, and a worker drains the outbox
(recover stale rows, make pending rows due, `outbox_deliver_due`) until
nothing is pending or sending.

Finally every candidate at the sandbox is read over HTTP. Goal: exactly 1,000
of this run's candidates there, no email twice, and every outbox row done.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from common import SandboxProcess, report, seed_sandbox, setup_django

CREATES = 1000
READ_TIMEOUT_S = 0.5
REQUEST_DEADLINE_S = 1.0
HANG_S = 1.5  # longer than the read timeout: the hub gives up, the sandbox still writes
# One roll per kind, in the sandbox's order (hang, error, drop after): 6% + 16% + 8% = 30%.
FAULTS = {
    "hang_rate": 0.06,
    "hang_seconds": HANG_S,
    "error_rate": 0.17,  # of the 94% not hung: 16%
    "error_statuses": [429, 500, 502, 503],
    "retry_after": 1,
    "drop_after_rate": 0.1025,  # of the 78% left: 8%
    "methods": ["POST", "GET"],
    "seed": 5,
}
FAULTY_ROUND = 100  # rows a worker tries while the faults are still on
DRAIN_TIMEOUT_S = 120
DRAIN_BATCH = 200
SANDBOX_TOKEN = "sandbox-recruitee"  # noqa: S105 - the sandbox's public demo token

# The hub reads its settings from the environment once, at setup.
os.environ["INTEGRATIONS_READ_TIMEOUT"] = str(READ_TIMEOUT_S)
os.environ["INTEGRATIONS_REQUEST_DEADLINE"] = str(REQUEST_DEADLINE_S)
os.environ["INTEGRATIONS_BACKGROUND_DEADLINE"] = "30"


def fault_flag(settings: dict) -> str:
    pairs = (
        f"{key}={','.join(map(str, value)) if isinstance(value, list) else value}"
        for key, value in settings.items()
    )
    return "recruitee " + " ".join(pairs)


def name_prefix(prefix: str) -> str:
    return f"Outbox Bench {prefix[-6:]} "


def form_data(index: int, prefix: str) -> dict:
    """What CandidateForm.candidate_data() gives for one submission."""
    return {
        "name": f"{name_prefix(prefix)}{index:04d}",
        "emails": [f"{prefix}-{index:04d}@example.com"],
        "phones": [f"+31 6 {10_000_000 + index}"] if index % 3 else [],
        "social_links": [],
        "links": [],
        "cover_letter": "Sent through the outbox benchmark." if index % 2 else "",
        "offers": [str(1 + index % 4)] if index % 5 else [],
    }


def create_all(connection, prefix: str) -> tuple[Counter, float, list[float]]:
    """The 1,000 creates, each as the web form does it; returns their first outcomes."""
    from ats.services import candidate_create

    outcomes: Counter = Counter()
    durations = []
    started = time.perf_counter()
    for index in range(CREATES):
        began = time.perf_counter()
        item = candidate_create(
            connection=connection,
            data=form_data(index, prefix),
            submission_key=f"{prefix}-{index:04d}",
        )
        durations.append(time.perf_counter() - began)
        outcomes[str(item.status)] += 1
        if (index + 1) % 250 == 0:
            print(f"  {index + 1} creates, {time.perf_counter() - started:.0f} s", flush=True)
    return outcomes, time.perf_counter() - started, durations


def worker_round(limit: int) -> tuple[Counter, float]:
    """One worker pass over `limit` due rows; returns the statuses of the rows it tried."""
    from django.utils import timezone

    from integrations.models import OutboxItem
    from integrations.outbox.delivery import outbox_deliver_due

    pending = OutboxItem.objects.filter(status=OutboxItem.Status.PENDING)
    before = dict(pending.values_list("pk", "attempts"))
    pending.update(next_attempt_at=timezone.now())
    started = time.perf_counter()
    outbox_deliver_due(limit=limit)
    elapsed = time.perf_counter() - started
    after = OutboxItem.objects.filter(pk__in=before).values_list("pk", "attempts", "status")
    return Counter(status for pk, attempts, status in after if attempts > before[pk]), elapsed


def drain() -> tuple[int, float, bool]:
    """Deliver until no row is pending or sending (or the time is up); returns rounds, time."""
    from django.utils import timezone

    from integrations.models import OutboxItem
    from integrations.outbox.delivery import outbox_deliver_due, outbox_recover_stale

    open_states = (OutboxItem.Status.PENDING, OutboxItem.Status.SENDING)
    started = time.perf_counter()
    rounds = 0
    while OutboxItem.objects.filter(status__in=open_states).exists():
        if time.perf_counter() - started > DRAIN_TIMEOUT_S:
            return rounds, time.perf_counter() - started, False
        rounds += 1
        outbox_recover_stale()
        OutboxItem.objects.filter(status=OutboxItem.Status.PENDING).update(
            next_attempt_at=timezone.now()
        )
        if not outbox_deliver_due(limit=DRAIN_BATCH):
            time.sleep(0.2)  # rows held by a lease: wait for it
    return rounds, time.perf_counter() - started, True


def count_reconciliations() -> Counter:
    """Wrap the create operation's lookup (behaviour unchanged) to count what it finds."""
    from ats.outbox import CandidateCreate

    counts: Counter = Counter()
    original = CandidateCreate.find_existing

    def find_existing(self, client, item):
        try:
            found = original(self, client, item)
        except Exception:
            counts["lookup failed"] += 1
            raise
        counts["found, not re-sent" if found else "not there, sent"] += 1
        return found

    CandidateCreate.find_existing = find_existing
    return counts


def at_provider(sandbox_url: str, prefix: str) -> tuple[int, int]:
    """This run's candidates at the sandbox, read over HTTP: (records, duplicates by email)."""
    import requests

    answer = requests.get(
        f"{sandbox_url}/recruitee/c/1/candidates",
        headers={"Authorization": f"Bearer {SANDBOX_TOKEN}"},
        timeout=60,
    )
    answer.raise_for_status()
    ours = [
        candidate
        for candidate in answer.json()["candidates"]
        if str(candidate.get("name") or "").startswith(name_prefix(prefix))
        or any(str(email).startswith(prefix) for email in candidate.get("emails") or [])
    ]
    emails = Counter(email for candidate in ours for email in candidate.get("emails") or [])
    return len(ours), sum(count - 1 for count in emails.values())


def main() -> None:
    prefix = f"outbox-bench-{int(time.time()) % 1_000_000:06d}"
    with tempfile.TemporaryDirectory() as tmp:
        sandbox_db = Path(tmp) / "sandbox.sqlite3"
        seed_sandbox(sandbox_db, candidates=5, offers=12, organizations=0, persons=0,
                     projects=0, workspaces=1)  # fmt: skip
        setup_django(Path(tmp) / "hub.sqlite3")
        sandbox = SandboxProcess(sandbox_db, fault_flag(FAULTS))
        try:
            from ats.models import Candidate
            from integrations.http import call_log
            from integrations.models import CallLog, Connection, OutboxItem

            connection = Connection.objects.create(
                provider="recruitee",
                name="bench",
                base_url=f"{sandbox.url}/recruitee",
                company_id="1",
                api_token=SANDBOX_TOKEN,
            )
            reconciliations = count_reconciliations()
            print(f"{CREATES} creates with 30% faults on Recruitee POSTs and GETs…", flush=True)
            first, create_s, durations = create_all(connection, prefix)
            unknown = OutboxItem.objects.filter(outcome_unknown=True).count()
            time.sleep(HANG_S + 0.5)  # a worker comes by later, not at the same instant
            print(f"a worker round of {FAULTY_ROUND} rows, faults still on…", flush=True)
            faulty_round, faulty_s = worker_round(FAULTY_ROUND)

            sandbox.set_faults("recruitee", {})
            time.sleep(HANG_S + 0.5)  # let the requests the sandbox still holds finish
            rounds, drain_s, drained = drain()

            final = Counter(OutboxItem.objects.values_list("status", flat=True))
            attempts = list(OutboxItem.objects.values_list("attempts", flat=True))
            local = Candidate.objects.filter(search_text__contains=prefix)
            local_synced = local.filter(sync_status="synced").exclude(remote_id=None).count()
            stuck = list(
                OutboxItem.objects.exclude(status=OutboxItem.Status.DONE).values_list(
                    "submission_key", "status", "last_error"
                )[:10]
            )
            records, duplicates = at_provider(sandbox.url, prefix)
            call_log.flush()
            calls = Counter(CallLog.objects.values_list("status", flat=True))
        finally:
            sandbox.stop()

    done = final.get(OutboxItem.Status.DONE, 0)
    later = done - first.get(OutboxItem.Status.DONE, 0)
    median_ms = statistics.median(durations) * 1000
    slowest_ms = max(durations) * 1000
    print(f"creates: {create_s:.1f} s (per create: median {median_ms:.0f} ms, "
          f"slowest {slowest_ms:.0f} ms)")  # fmt: skip
    print(f"first outcome (in the request): {dict(first)}")
    print(f"outcome unknown after the creates (to reconcile): {unknown}")
    print(f"worker round under faults: {faulty_s:.1f} s, the rows it tried: {dict(faulty_round)}")
    print(f"drain: {rounds} rounds, {drain_s:.1f} s, {'finished' if drained else 'TIMED OUT'}")
    print(f"reconciliation lookups: {dict(reconciliations)}")
    print(f"outbox rows: {dict(final)}; delivered inline {first.get('done', 0)}, later {later}; "
          f"attempts per row: max {max(attempts)}, total {sum(attempts)}")  # fmt: skip
    print(f"calls by status (None: no answer): {dict(sorted(calls.items(), key=str))}")
    print(f"local candidates confirmed by Recruitee: {local_synced} of {CREATES}")
    for key, status, error in stuck:
        print(f"  not done: {key} {status}: {error[:150]}")
    print(f"at the sandbox: {records} records of this run, {duplicates} duplicates "
          f"(goal: exactly {CREATES}, none twice)")  # fmt: skip
    passed = records == CREATES and duplicates == 0 and done == CREATES and drained
    report(
        "outbox_faults",
        "records_at_provider",
        records,
        CREATES,
        passed,
        duplicates=duplicates,
        done_inline=first.get(OutboxItem.Status.DONE, 0),
        done_later=later,
        outcome_unknown=unknown,
        not_done=CREATES - done,
    )


if __name__ == "__main__":
    main()
