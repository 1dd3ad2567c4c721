"""Benchmark: 1,000 creates per provider through the outbox, two workers, 30% faults.

What production meets, for every provider the hub writes to (Recruitee
candidates, Affinity organizations and persons, the generic project tool's
projects, Asana projects):

- Each create is made as its web form makes it: the service function the view
  calls (`ats.services.candidate_create`, `crm.services.organization_create`
  after the view's duplicate-domain check, `crm.services.person_create`,
  `projects.services.project_create`), with a unique submission key and the
  person who submits it, so it is saved with its outbox row and delivered at
  once within the in-request deadline. The five forms are submitted side by
  side (one thread each), 1,000 times each, by USERS_PER_FORM people in turn
  (so the view's live domain check stays within each person's live budget).
- Two real background workers (`manage.py db_worker`, database task backend)
  and `manage.py run_scheduler --interval 1` (enqueues due rows, recovers rows
  whose lease passed) run in their own processes from the first create to the
  end of the drain, on one shared SQLite file in WAL mode.
- The sandbox (its own process, default latencies and budgets) injects 30%
  faults on every request of those providers, GETs (the reconciliation
  lookups) as well as POSTs: 5% late answers (received, held HANG_S, then
  handled: a write the hub never hears about), 4% connections dropped before
  the request is read, 13% error answers (429, 500, 502, 503; the 429's
  Retry-After rotates through RETRY_AFTERS, one of them longer than the
  lease), 4% connections dropped after handling and 4% truncated bodies.
- The faults stay on FAULTS_AFTER_S after the last create (so the workers'
  lookups and re-sends meet them too), then stop; the workers keep delivering
  and the bench waits until no row is pending or sending (DRAIN_TIMEOUT_S).

Settings (the hub reads them from this process's environment; the workers
inherit it), scaled down from production so a run takes minutes:

- read timeout 1 s (INTEGRATIONS_READ_TIMEOUT; the client's floor): the hang
  of 3 s outlasts it, so a late answer is a real unknown outcome;
- in-request deadline 2 s (INTEGRATIONS_REQUEST_DEADLINE): one retry of a 429
  or 503 fits; background deadline 30 s, cut by the lease;
- lease 10 s (OUTBOX_LEASE_SECONDS): a worker's calls end 5 s in (the lease's
  margin), so a Retry-After of 15 s puts the row back instead of being slept;
- settle window 12 s (OUTBOX_SETTLE_SECONDS, every provider): four times the
  sandbox's hang, as in production it must be longer than the provider may
  still be processing a request whose answer never came.

The hub's syncs are marked as just done, so the scheduler starts none: only
the outbox works. Goal: at the sandbox, read over HTTP, exactly 1,000 records
of this run per provider (by its unique name/email prefix), none twice (by
email, domain or name), and every outbox row done.
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import statistics
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from common import SandboxProcess, WorkerProcesses, report, seed_sandbox, setup_django
from cryptography.fernet import Fernet

CREATES = 1000  # per provider
READ_TIMEOUT_S = 1.0
REQUEST_DEADLINE_S = 2.0
BACKGROUND_DEADLINE_S = 30.0
LEASE_S = 10
HANG_S = 3.0
SETTLE_S = 12.0
RETRY_AFTERS = (1, 2, 15)  # seconds on an injected 429, one after the other
ROTATE_S = 4.0  # how long each Retry-After holds
FAULTS_AFTER_S = 20.0
USERS_PER_FORM = 20
SCHEDULER_INTERVAL_S = 1.0
DRAIN_TIMEOUT_S = 600.0
# Of all requests: the share each fault takes (30% in all).
FAULT_SHARES = {
    "hang_rate": 0.05,
    "drop_before_rate": 0.04,
    "error_rate": 0.13,
    "drop_after_rate": 0.04,
    "truncate_rate": 0.04,
}
ERROR_STATUSES = [429, 500, 502, 503]

os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "config.settings",  # the database task backend
        "DJANGO_ENV_FILE": os.devnull,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": base64.b64encode(os.urandom(40)).decode(),
        "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "INTEGRATIONS_ALLOW_LOOPBACK": "true",
        "SANDBOX_URL": "",
        "INTEGRATIONS_READ_TIMEOUT": str(READ_TIMEOUT_S),
        "INTEGRATIONS_REQUEST_DEADLINE": str(REQUEST_DEADLINE_S),
        "INTEGRATIONS_BACKGROUND_DEADLINE": str(BACKGROUND_DEADLINE_S),
        "OUTBOX_LEASE_SECONDS": str(LEASE_S),
        "OUTBOX_SETTLE_SECONDS": str(SETTLE_S),
    }
)


def sequential_rates(shares: dict[str, float]) -> dict[str, float]:
    """The sandbox rolls each fault in turn on what the earlier ones left: turn each
    share of all requests into the rate of its own roll."""
    left, rates = 1.0, {}
    for name, share in shares.items():
        rates[name] = share / left
        left -= share
    return rates


def fault_settings(rotation: int, api_index: int) -> dict[str, Any]:
    return {
        **sequential_rates(FAULT_SHARES),
        "hang_seconds": HANG_S,
        "error_statuses": ERROR_STATUSES,
        "retry_after": RETRY_AFTERS[rotation % len(RETRY_AFTERS)],
        "seed": 1000 * rotation + api_index,
    }


@dataclass
class Target:
    """One kind of record the hub creates, and how to create and count it."""

    key: str
    provider: str  # the hub's provider name
    api: str  # the sandbox's name for it (faults)
    operation: str  # its outbox operation
    create: Callable[[Any, int], Any]
    read_back: Callable[[], list[str]]  # the identity of each of this run's records
    connection: Any = None
    users: list[Any] = field(default_factory=list)
    first: Counter = field(default_factory=Counter)
    durations: list[float] = field(default_factory=list)
    failure: str = ""  # why the form stopped being submitted, if it did


class Run:
    """This run's names, the sandbox's URL, and the five targets."""

    def __init__(self, sandbox_url: str) -> None:
        self.id = f"{int(time.time()) % 1_000_000:06d}"
        self.url = sandbox_url
        self.projects_workspace = self._get(
            "/projects-api/workspaces", {"limit": 1}, bearer="sandbox-projects"
        )["data"][0]["id"]
        self.asana_workspace = self._get("/asana/workspaces", {}, bearer="sandbox-asana")["data"][
            0
        ]["gid"]
        from projects.outbox import CREATE_OPERATION

        self.targets = [
            Target("recruitee.candidates", "recruitee", "recruitee",
                   "recruitee.candidate_create", self.candidate, self.candidates),
            Target("affinity.organizations", "affinity", "affinity",
                   "affinity.organization.create", self.organization, self.organizations),
            Target("affinity.persons", "affinity", "affinity",
                   "affinity.person.create", self.person, self.persons),
            Target("projecttool.projects", "projecttool", "projects",
                   CREATE_OPERATION["projecttool"], self.project, self.projecttool_projects),
            Target("asana.projects", "asana", "asana",
                   CREATE_OPERATION["asana"], self.project, self.asana_projects),
        ]  # fmt: skip

    # -- the forms ------------------------------------------------------------
    def key(self, target: Target, index: int) -> str:
        return f"bench-{self.id}-{target.key}-{index:04d}"

    @staticmethod
    def user(target: Target, index: int) -> Any:
        return target.users[index % len(target.users)]

    def candidate(self, target: Target, index: int) -> Any:
        from ats.services import candidate_create

        data = {  # what CandidateForm.candidate_data() gives
            "name": f"Outbox Bench {self.id} {index:04d}",
            "emails": [f"outbox-bench-{self.id}-c{index:04d}@example.com"],
            "phones": [f"+31 6 {10_000_000 + index}"] if index % 3 else [],
            "social_links": [],
            "links": [],
            "cover_letter": "Sent through the outbox benchmark." if index % 2 else "",
            "offers": [str(1 + index % 4)] if index % 5 else [],
        }
        return candidate_create(
            connection=target.connection,
            data=data,
            submission_key=self.key(target, index),
            user=self.user(target, index),
        )

    def organization(self, target: Target, index: int) -> Any:
        from crm import selectors
        from crm.services import organization_create

        domain = f"ob-{self.id}-{index:04d}.example.com"
        # The view looks the domain up (locally and live) before it creates.
        duplicates = selectors.organization_domain_matches(
            connection=target.connection, domain=domain, user=self.user(target, index)
        )
        return organization_create(
            connection=target.connection,
            name=f"Outbox Bench {self.id} Org {index:04d}",
            domain=domain,
            person_ids=[],
            existing_ids=duplicates.remote_ids,
            submission_key=self.key(target, index),
            user=self.user(target, index),
        )

    def person(self, target: Target, index: int) -> Any:
        from crm.services import person_create

        return person_create(
            connection=target.connection,
            first_name="Outbox",
            last_name=f"Bench {self.id} {index:04d}",
            emails=[f"outbox-bench-{self.id}-p{index:04d}@example.com"],
            organization_ids=[],
            submission_key=self.key(target, index),
            user=self.user(target, index),
        )

    def project(self, target: Target, index: int) -> Any:
        from integrations.providers.project_records import ProjectInput
        from projects.services import project_create

        asana = target.provider == "asana"
        project = ProjectInput(
            name=f"Outbox Bench {self.id} Project {index:04d}",
            description="Sent through the outbox benchmark." if index % 2 else "",
            workspace=self.asana_workspace if asana else str(self.projects_workspace),
            status="" if asana else ("Planning", "Active")[index % 2],
            priority="" if asana else ("Low", "Medium", "High")[index % 3],
            tags=() if asana else ("bench",),
        )
        return project_create(
            connection=target.connection,
            project=project,
            submission_key=self.key(target, index),
            user=self.user(target, index),
        )

    # -- reading back over HTTP ---------------------------------------------------
    def candidates(self) -> list[str]:
        answer = self._get("/recruitee/c/1/candidates", {}, bearer="sandbox-recruitee")
        mark = f"outbox-bench-{self.id}-c"
        return [
            str(email).lower()
            for candidate in answer["candidates"]
            for email in candidate.get("emails") or []
            if str(email).startswith(mark)
        ]

    def organizations(self) -> list[str]:
        mark = f"ob-{self.id}-"
        return [
            domain
            for org in self._affinity("organizations", mark)
            for domain in org.get("domains") or []
            if domain.startswith(mark)
        ]

    def persons(self) -> list[str]:
        mark = f"outbox-bench-{self.id}-p"
        return [
            email
            for person in self._affinity("persons", mark)
            for email in person.get("emails") or []
            if email.startswith(mark)
        ]

    def projecttool_projects(self) -> list[str]:
        names, page, mark = [], 1, f"Outbox Bench {self.id} Project "
        while True:
            params = {"search": mark, "limit": 100, "page": page}
            answer = self._get("/projects-api/projects", params, bearer="sandbox-projects")
            names += [p["name"] for p in answer["data"] if p["name"].startswith(mark)]
            if page >= answer["meta"]["totalPages"]:
                return names
            page += 1

    def asana_projects(self) -> list[str]:
        mark = f"Outbox Bench {self.id} Project "
        params = {"workspace": self.asana_workspace}
        answer = self._get("/asana/projects", params, bearer="sandbox-asana")
        return [p["name"] for p in answer["data"] if p["name"].startswith(mark)]

    def _affinity(self, kind: str, term: str) -> Iterator[dict[str, Any]]:
        params: dict[str, Any] = {"term": term, "page_size": 500}
        while True:
            answer = self._get(f"/affinity/{kind}", params, basic=("", "sandbox-affinity"))
            yield from answer[kind]
            if not answer.get("next_page_token"):
                return
            params = {"term": term, "page_token": answer["next_page_token"]}

    def _get(self, path: str, params: dict, *, bearer: str = "", basic: tuple = ()) -> Any:
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        answer = requests.get(
            self.url + path, params=params, headers=headers, auth=basic or None, timeout=60
        )
        answer.raise_for_status()
        return answer.json()


def make_connections(run: Run) -> None:
    """One connection per provider at the sandbox, its syncs marked as just done, and
    the people who submit each form."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from integrations.models import Connection, SyncState
    from integrations.providers import provider_for
    from integrations.sync.registry import resources

    connections: dict[str, Any] = {}
    for target in run.targets:
        if target.provider not in connections:
            spec = provider_for(target.provider)
            connections[target.provider] = Connection.objects.create(
                provider=target.provider,
                name="bench",
                base_url=run.url + spec.sandbox_path,
                **spec.sandbox_credentials,
            )
        target.connection = connections[target.provider]
        target.users = [
            get_user_model().objects.create_user(f"{target.key}-{n}", password=None)
            for n in range(USERS_PER_FORM)
        ]
    for resource in resources().values():
        SyncState.objects.create(
            connection=connections[resource.provider],
            resource=resource.key,
            last_success_at=timezone.now(),
            last_full_at=timezone.now(),
        )


def submit_all(target: Target, creates: int) -> None:
    """One person submitting the form `creates` times; the first outcome of each."""
    from django.db import connections

    index = 0
    try:
        for index in range(creates):
            began = time.perf_counter()
            item = target.create(target, index)
            target.durations.append(time.perf_counter() - began)
            target.first[str(item.status)] += 1
            if (index + 1) % 250 == 0:
                print(f"  {target.key}: {index + 1} creates", flush=True)
    except Exception as error:  # a bug in the hub: the report says so, the others go on
        target.failure = f"create {index} raised {error!r}"
        raise
    finally:
        connections.close_all()


class FaultRotation:
    """Faults on every provider; the 429s' Retry-After changes every ROTATE_S."""

    def __init__(self, sandbox: SandboxProcess, apis: list[str]) -> None:
        self.sandbox, self.apis = sandbox, apis
        self.stopping = threading.Event()
        self._set(0)
        self.thread = threading.Thread(target=self._rotate, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join()
        for api in self.apis:
            self.sandbox.set_faults(api, {})

    def _rotate(self) -> None:
        rotation = 0
        while not self.stopping.wait(ROTATE_S):
            rotation += 1
            self._set(rotation)

    def _set(self, rotation: int) -> None:
        for index, api in enumerate(self.apis):
            self.sandbox.set_faults(api, fault_settings(rotation, index))


def open_rows() -> int:
    from integrations.models import OutboxItem

    return OutboxItem.objects.filter(
        status__in=(OutboxItem.Status.PENDING, OutboxItem.Status.SENDING)
    ).count()


def drain(workers: WorkerProcesses) -> tuple[float, bool]:
    """Wait while the workers deliver, until no row is pending or sending."""
    from integrations.models import OutboxItem

    started = time.perf_counter()
    shown = 0.0
    while (left := open_rows()) > 0:
        elapsed = time.perf_counter() - started
        if elapsed > DRAIN_TIMEOUT_S or workers.dead():
            return elapsed, False
        if elapsed - shown >= 15:
            unknown = OutboxItem.objects.filter(unknown_since__isnull=False).count()
            print(f"  drain {elapsed:.0f} s: {left} rows open, {unknown} outcome unknown",
                  flush=True)  # fmt: skip
            shown = elapsed
        time.sleep(0.5)
    return time.perf_counter() - started, True


def recovered_by_scheduler(workers: WorkerProcesses) -> int:
    text = "".join(log.read_text() for log in workers.logs if "run_scheduler" in log.name)
    return sum(int(n) for n in re.findall(r"(\d+) outbox rows recovered", text))


def calls_by_provider() -> dict[str, Counter]:
    """What the call log saw per provider and method: status, or the error without one
    (a read timeout is the late answer, a connection error a dropped one)."""
    from integrations.http import call_log
    from integrations.models import CallLog

    call_log.flush()
    seen: dict[str, Counter] = {}
    for provider, method, status, error in CallLog.objects.values_list(
        "provider", "method", "status", "error_class"
    ):
        seen.setdefault(f"{provider} {method}", Counter())[status or error or "?"] += 1
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--creates", type=int, default=CREATES, help="per provider (smoke runs)")
    creates = parser.parse_args().creates
    with tempfile.TemporaryDirectory() as tmp:
        sandbox_db = Path(tmp) / "sandbox.sqlite3"
        seed_sandbox(sandbox_db, candidates=5, offers=12, organizations=5, persons=5,
                     projects=5, workspaces=1)  # fmt: skip
        setup_django(Path(tmp) / "hub.sqlite3")
        sandbox = SandboxProcess(sandbox_db)
        workers = None
        try:
            from integrations.models import OutboxItem

            run = Run(sandbox.url)
            make_connections(run)
            workers = WorkerProcesses(Path(tmp), scheduler_interval=SCHEDULER_INTERVAL_S)
            faults = FaultRotation(sandbox, sorted({t.api for t in run.targets}))
            print(f"{creates} creates on each of {len(run.targets)} targets, 30% faults, "
                  f"2 workers…", flush=True)  # fmt: skip
            started = time.perf_counter()
            threads = [
                threading.Thread(target=submit_all, args=(target, creates))
                for target in run.targets
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            create_s = time.perf_counter() - started
            print(f"  creates done in {create_s:.0f} s; {open_rows()} rows open; faults stay "
                  f"on {FAULTS_AFTER_S:.0f} s", flush=True)  # fmt: skip
            time.sleep(FAULTS_AFTER_S)
            faults.stop()
            print(f"faults off; {open_rows()} rows open; draining…", flush=True)
            drain_s, drained = drain(workers)
            dead = workers.dead()
            recovered = recovered_by_scheduler(workers)
            rows = list(OutboxItem.objects.values_list("operation", "status", "attempts"))
            stuck = list(
                OutboxItem.objects.exclude(status=OutboxItem.Status.DONE).values_list(
                    "submission_key", "status", "last_error"
                )[:10]
            )
            at_sandbox = {target.key: target.read_back() for target in run.targets}
            calls = calls_by_provider()
        finally:
            if workers is not None:
                workers.stop()
            sandbox.stop()

    total_s = time.perf_counter() - started
    print(f"creates: {create_s:.0f} s; faults on {FAULTS_AFTER_S:.0f} s more; "
          f"drain: {drain_s:.1f} s, {'finished' if drained else 'NOT FINISHED'}")  # fmt: skip
    print(f"rows recovered by the scheduler (lease passed): {recovered}")
    if dead:
        print(f"worker processes that died: {dead}")
    per_target, passed = {}, drained and not dead
    by_operation: dict[str, Counter] = {}
    attempts: dict[str, list[int]] = {}
    for operation, status, tries in rows:
        by_operation.setdefault(operation, Counter())[status] += 1
        attempts.setdefault(operation, []).append(tries)
    for target in run.targets:
        identities = Counter(at_sandbox[target.key])
        records = sum(identities.values())
        twice = sum(n - 1 for n in identities.values() if n > 1)
        lost = creates - len(identities)
        statuses = by_operation.get(target.operation, Counter())
        tries = attempts.get(target.operation, [0])
        median_ms = statistics.median(target.durations) * 1000 if target.durations else 0
        print(f"{target.key}: {records} at the sandbox ({twice} twice, {lost} missing); "
              f"in the request: {dict(target.first)} (median {median_ms:.0f} ms); "
              f"rows now: {dict(statuses)}; attempts max {max(tries)}, "
              f"total {sum(tries)}")  # fmt: skip
        if target.failure:
            print(f"  {target.key} STOPPED: {target.failure}")
        per_target[target.key] = records
        done = statuses.get(OutboxItem.Status.DONE, 0)
        passed = passed and records == creates and twice == 0 and lost == 0 and done == creates
    for name, counts in sorted(calls.items()):
        print(f"  calls {name}: {dict(sorted(counts.items(), key=str))}")
    for key, status, error in stuck:
        print(f"  not done: {key} {status}: {error[:150]}")
    print(f"total time: {total_s:.0f} s")
    report(
        "outbox_faults",
        "records_at_provider",
        sum(per_target.values()),
        creates * len(run.targets),
        passed,
        per_provider=per_target,
        drain_s=round(drain_s, 1),
        total_s=round(total_s),
    )


if __name__ == "__main__":
    main()
