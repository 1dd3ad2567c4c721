"""Benchmark: 10,000 webhook events from the sandbox into the hub, while a worker applies them.

The set-up, as production runs it on one machine:

- the sandbox in its own process, its Recruitee webhook added through the control
  endpoint (as a person adds it in Recruitee's settings) with the secret the hub
  holds; Recruitee's webhook faults on: 20% of events delivered twice, 5% preceded
  by a forged copy (signed with another secret), and up to JITTER_MS of delay per
  event, so events overtake each other (shuffled order);
- the hub under gunicorn (production settings, SQLite in WAL mode, GUNICORN_WORKERS
  sync workers) answering the receiver URL, and WORKERS `manage.py db_worker`
  processes plus `manage.py run_scheduler` applying deliveries; the hub's syncs are
  marked as just done, so nothing but the webhooks brings records in.

The load: EVENTS writes at the sandbox's API at up to RATE a second (CREATES new
candidates, then name changes of candidates already created), each making one
event. Measured:

- acknowledgement: the time of each webhook POST the sandbox makes, connect to
  answer (GET /_sandbox/webhooks/attempts), goal p95 <= 25 ms;
- every forged copy answered 401;
- after the drain (no delivery left to apply, no attempt pending), the hub's
  candidates equal the sandbox's exactly (the same ids, the same names);
- from a create's answer at the sandbox to the row in the hub's table (polled
  every POLL_S): goal p95 <= 2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from resource import RUSAGE_SELF, getrusage

from common import (
    PYTHON,
    ROOT,
    SandboxProcess,
    WorkerProcesses,
    cpu_seconds,
    free_port,
    latency_summary,
    production_env,
    report,
    seed_sandbox,
)

EVENTS = 10_000
CREATE_SHARE = 0.8  # the rest are name changes of created candidates
RATE = 500  # writes a second, at most
WRITERS = 16
JITTER_MS = 1000
DUPLICATE_RATE = 0.2
FORGED_RATE = 0.05
GUNICORN_WORKERS = 2
WORKERS = 2
POLL_S = 0.1
DRAIN_TIMEOUT_S = 600.0
SECRET = "bench-recruitee-webhook-secret"  # noqa: S105
TOKEN = "sandbox-recruitee"  # noqa: S105
ACK_GOAL_MS = 25.0
VISIBLE_GOAL_S = 2.0


def call(method: str, url: str, body: object = None) -> object:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 - loopback
        url, data=data, method=method,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.loads(response.read() or b"null")


class Gunicorn:
    def __init__(self, port: int, log: Path) -> None:
        command = [PYTHON, "-m", "gunicorn", "config.wsgi:application", "--timeout", "30",
                   "--bind", f"127.0.0.1:{port}", "--workers", str(GUNICORN_WORKERS)]  # fmt: skip
        self.log = log.open("wb")
        self.process = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=dict(os.environ), stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                probe = f"http://127.0.0.1:{port}/webhooks/x/y/"
                urllib.request.urlopen(probe, b"{}", timeout=1)
            except urllib.error.HTTPError:
                return  # it answers (404: no such endpoint)
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not start; see {log}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


def hub_connection(sandbox_url: str):
    from django.utils import timezone

    from integrations.models import Connection, SyncState
    from integrations.sync.registry import resources
    from integrations.webhooks.endpoints import endpoint_for

    connection = Connection.objects.create(
        provider="recruitee", name="bench", base_url=f"{sandbox_url}/recruitee",
        company_id="1", api_token=TOKEN,
    )  # fmt: skip
    for resource in resources().values():
        if resource.provider == "recruitee":
            SyncState.objects.create(
                connection=connection, resource=resource.key,
                last_success_at=timezone.now(), last_full_at=timezone.now(),
            )  # fmt: skip
    endpoint = endpoint_for(connection)
    endpoint.secret_add(SECRET)
    endpoint.save()
    return connection, endpoint


class Visibility:
    """Polls the hub's table; the first time each candidate is seen in it (what the list
    reads: the connection's rows not deleted).

    Each poll reads only the rows added since the last one (a larger id): the renames
    change rows already seen, and no row is deleted here. SQLite gives new rows larger
    ids and commits its writers one after the other, so a poll never sees a larger id
    before a smaller one. Reading every row each time cost this process as much CPU as
    a third of the hub's receivers (0.8 of 2.3 s in a 2,000-write run)."""

    def __init__(self, database: Path, connection_id: int) -> None:
        self.database, self.connection_id = database, connection_id
        self.seen: dict[str, float] = {}
        self.cpu_s = 0.0  # this thread's CPU, once stopped
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()

    def _poll(self) -> None:
        db = sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=20)
        last_id = 0
        while not self.stopping.is_set():
            now = time.time()
            rows = db.execute(
                "SELECT id, remote_id FROM ats_candidate WHERE connection_id = ? "
                "AND is_deleted = 0 AND id > ? ORDER BY id",
                (self.connection_id, last_id),
            ).fetchall()
            for row_id, remote_id in rows:
                self.seen.setdefault(remote_id, now)
                last_id = row_id
            time.sleep(POLL_S)
        db.close()
        self.cpu_s = time.thread_time()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join()


def write_all(
    sandbox_url: str, events: int, rate: int
) -> tuple[dict[str, float], dict[str, str], float]:
    """Creates, then name changes, paced at RATE; (created id -> answered at, id -> final
    name, seconds taken)."""
    base = f"{sandbox_url}/recruitee/c/1/candidates"
    creates = int(events * CREATE_SHARE)
    created: dict[str, float] = {}
    names: dict[str, str] = {}
    lock = threading.Lock()
    started = time.monotonic()
    rng = random.Random(17)

    def one(number: int) -> None:
        wait = started + number / rate - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        if number < creates:
            name = f"Hook Bench {number}"
            answer = call("POST", base, {"candidate": {"name": name}})
            with lock:
                created[str(answer["candidate"]["id"])] = time.time()
                names[str(answer["candidate"]["id"])] = name
            return
        with lock:
            target = rng.choice(list(created))
        name = f"Hook Bench renamed {number}"
        call("PATCH", f"{base}/{target}", {"candidate": {"name": name}})
        with lock:
            names[target] = name

    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(one, range(creates)))  # every create answered before the renames
        list(pool.map(one, range(creates, events)))
    return created, names, time.monotonic() - started


class CpuUse:
    """CPU seconds each process of the run uses between `__init__` and `stop`."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self.started = self._now()

    def _now(self) -> dict[str, float]:
        own = getrusage(RUSAGE_SELF)
        now = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        return {**now, "bench": own.ru_utime + own.ru_stime}

    def stop(self) -> dict[str, float]:
        return {name: used - self.started[name] for name, used in self._now().items()}


def drained(sandbox_url: str, attempts_before: list[int]) -> bool:
    from integrations.models import WebhookDelivery

    count = len(call("GET", f"{sandbox_url}/_sandbox/webhooks/attempts"))
    settled = attempts_before and attempts_before[-1] == count
    attempts_before.append(count)
    busy = WebhookDelivery.objects.filter(
        state__in=[WebhookDelivery.State.RECEIVED, WebhookDelivery.State.APPLYING]
    ).exists()
    return bool(settled) and not busy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=EVENTS, help="smaller for a smoke run")
    parser.add_argument("--rate", type=int, default=RATE, help="writes a second, at most")
    arguments = parser.parse_args()
    events, rate = arguments.events, arguments.rate
    with tempfile.TemporaryDirectory() as tmp:
        sandbox_db, hub_db = Path(tmp) / "sandbox.sqlite3", Path(tmp) / "hub.sqlite3"
        seed_sandbox(sandbox_db, candidates=5, offers=12, organizations=0, persons=0,
                     projects=0, workspaces=1)  # fmt: skip
        port = free_port()
        os.environ.update(production_env(f"sqlite:///{hub_db}"))
        os.environ["HUB_PUBLIC_URL"] = f"http://127.0.0.1:{port}"
        sys.path.insert(0, str(ROOT))
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0, interactive=False)
        from ats.models import Candidate
        from integrations.models import WebhookDelivery
        from integrations.webhooks.endpoints import receiver_url

        sandbox = SandboxProcess(sandbox_db)
        server = workers = visibility = None
        try:
            connection, endpoint = hub_connection(sandbox.url)
            server = Gunicorn(port, Path(tmp) / "gunicorn.log")
            workers = WorkerProcesses(Path(tmp), workers=WORKERS)
            call("POST", f"{sandbox.url}/_sandbox/webhooks/recruitee",
                 {"url": receiver_url(endpoint), "secret": SECRET})  # fmt: skip
            sandbox.set_faults("recruitee", {
                "webhook_duplicate_rate": DUPLICATE_RATE, "webhook_bad_signature_rate": FORGED_RATE,
                "webhook_jitter_ms": JITTER_MS, "seed": 7,
            })  # fmt: skip
            visibility = Visibility(hub_db, connection.pk)
            pids = {"sandbox": sandbox.process.pid, "gunicorn": server.process.pid}
            for number, process in enumerate(workers.processes, start=1):
                name = "scheduler" if number > WORKERS else f"db_worker {number}"
                pids[name] = process.pid
            cpu = CpuUse(pids)
            print(f"{events:,} writes at up to {rate}/s; {DUPLICATE_RATE:.0%} duplicates, "
                  f"{FORGED_RATE:.0%} forged, {JITTER_MS} ms jitter; load average "
                  f"{os.getloadavg()[0]:.1f}…", flush=True)  # fmt: skip
            created, names, took = write_all(sandbox.url, events, rate)
            print(f"  written in {took:.1f} s ({events / took:.0f}/s)", flush=True)
            drain_started, counts = time.monotonic(), []
            while time.monotonic() < drain_started + DRAIN_TIMEOUT_S and not drained(
                sandbox.url, counts
            ):
                time.sleep(2)
            drain_s = time.monotonic() - drain_started
            cpu_used = cpu.stop()
            load = os.getloadavg()
            visibility.stop()
            attempts = call("GET", f"{sandbox.url}/_sandbox/webhooks/attempts")
            dead = workers.dead()
        finally:
            for process in (visibility, workers, server):
                if process is not None and process is not visibility:
                    process.stop()
            sandbox.stop()

        genuine = [ms for kind, status, ms in attempts if kind in ("event", "retry")]
        forged = [status for kind, status, _ in attempts if kind == "forged"]
        refused = sum(1 for status in forged if status == 401)
        not_ok = sum(1 for kind, status, _ in attempts if kind == "event" and status != 200)
        ack = latency_summary(genuine)
        hub = dict(
            Candidate.objects.filter(connection=connection, is_deleted=False).values_list(
                "remote_id", "name"
            )
        )
        # The records this run wrote, as the sandbox holds them (the seeded few were
        # never synced: no sync runs here).
        with sqlite3.connect(sandbox_db) as data:
            stored = {
                str(row["id"]): row["name"]
                for (payload,) in data.execute("SELECT payload FROM recruitee_candidates")
                if str((row := json.loads(payload))["id"]) in names
            }
        # Two renames of one candidate may answer in another order than they were
        # sent, so the sandbox's stored name is the truth, not the last one sent.
        equal = hub == stored and set(stored) == set(names)
        if not equal:
            wrong = {k: (hub.get(k), v) for k, v in stored.items() if hub.get(k) != v}
            print(f"differ ({len(wrong)}, hub vs sandbox): {dict(list(wrong.items())[:5])}")
        visible = [visibility.seen[k] - at for k, at in created.items() if k in visibility.seen]
        visible_p = latency_summary([s * 1000 for s in visible]) if visible else {}
        states = dict(
            WebhookDelivery.objects.values_list("state").annotate(n=django.db.models.Count("id"))
        )
        print(f"acknowledgements ({len(genuine):,}): {ack} ms; non-200 first attempts: {not_ok}")
        print(f"forged copies: {len(forged)}, refused with 401: {refused}")
        print(f"deliveries stored: {states}; drained {drain_s:.0f} s after the writes")
        print(f"hub rows {len(hub):,}, written {len(names):,}, equal: {equal}")
        print(f"write -> visible ({len(visible):,} of {len(created):,}): {visible_p} ms")
        cpu_text = ", ".join(f"{name} {used:.1f}" for name, used in cpu_used.items())
        total = sum(cpu_used.values())
        print(f"load average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
        print(f"CPU seconds, writes to drained ({took + drain_s:.0f} s): {cpu_text} "
              f"(the poller {visibility.cpu_s:.1f}); {total:.1f} in all, "
              f"{total / events * 1000:.1f} ms a write")  # fmt: skip
        if dead:
            print(f"stopped early: {dead}")
        passed = (
            ack["p95"] <= ACK_GOAL_MS and refused == len(forged) and equal
            and len(visible) == len(created) and visible_p.get("p95", 1e9) <= VISIBLE_GOAL_S * 1000
        )  # fmt: skip
        report(
            "webhooks", "ack_p95_ms", ack["p95"], ACK_GOAL_MS, passed,
            forged=len(forged), refused=refused, equal=equal,
            visible_p95_ms=visible_p.get("p95"), write_rate=round(events / took),
        )  # fmt: skip


if __name__ == "__main__":
    main()
