"""Benchmark: the app under gunicorn as deployed, over 100,000 synced candidates.

The hub is a production-settings SQLite file with 100,000 candidates written
by the sync engine (see common.hub_sqlite_database; cached under var/bench).
It is served as docs/deploy.md says: `collectstatic`, then gunicorn with
config.settings (DEBUG off, whitenoise's manifest storage, the request log at
INFO and gunicorn's access log, both to a file), 2 workers, on loopback; no
TLS proxy in front. The bench logs in once through the login form and reuses
the session cookie.

The load: this process's own generator, 8 threads, each sending one request
at a time on a new connection (gunicorn's sync workers close each one) for 20
s per target; a request's time runs from connect to the last byte. Targets,
one after the other:
- the candidates list, a search at page 50, a different term each request
  (substrings of the data's names with at least 50 pages of matches), so the
  rows read differ from one request to the next;
- the same list URL every request (`q=jansen&page=50`: the same rows read each
  time);
- a trivial logged-in page (the password change form: the layout, the
  session and the user, no data).

Goals: each list target's req/s is at least 0.5x the trivial page's, and its
p99 at most 150 ms.
"""

from __future__ import annotations

import http.client
import itertools
import random
import re
import subprocess
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from common import (
    PYTHON,
    ROOT,
    SandboxProcess,
    cached_sandbox,
    free_port,
    hub_sqlite_database,
    latency_summary,
    production_env,
    recruiter,
    report,
)

CANDIDATES = 100_000
WORKERS = 2
CONCURRENCY = 8
SECONDS = 20
PAGE = 50
PER_PAGE = 25
ONE_TERM = "jansen"
RATE_GOAL = 0.5
P99_GOAL_MS = 150
USERNAME, PASSWORD = "bench", "bench-web-password-31415"
TRIVIAL = "/accounts/password_change/"


@dataclass
class Load:
    """What one target's 20 seconds gave."""

    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds


def get(port: int, path: str, cookie: str = "") -> tuple[int, dict[str, str], bytes]:
    """One GET on a new connection: status, headers (lower-cased names), body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        return response.status, _headers(response), response.read()
    finally:
        connection.close()


def _headers(response: http.client.HTTPResponse) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in response.getheaders():
        key = name.lower()
        headers[key] = f"{headers[key]}\n{value}" if key in headers else value
    return headers


def cookies(headers: dict[str, str]) -> dict[str, str]:
    found = {}
    for line in headers.get("set-cookie", "").split("\n"):
        name, _, rest = line.partition("=")
        if name and rest:
            found[name.strip()] = rest.split(";", 1)[0]
    return found


def log_in(port: int) -> str:
    """The session cookie after logging in through the form, as a person would."""
    status, headers, body = get(port, "/accounts/login/")
    if status != 200:
        raise RuntimeError(f"the login page answered {status}")
    csrf = cookies(headers)["csrftoken"]
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    form = urllib.parse.urlencode(
        {"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "POST",
            "/accounts/login/",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={csrf}",
            },
        )
        response = connection.getresponse()
        response.read()
        session = cookies(_headers(response)).get("sessionid")
    finally:
        connection.close()
    if response.status != 302 or not session:
        raise RuntimeError(f"logging in answered {response.status}")
    cookie = f"sessionid={session}; csrftoken={csrf}"
    if get(port, TRIVIAL, cookie)[0] != 200:
        raise RuntimeError("the session cookie does not open a logged-in page")
    return cookie


def drive(port: int, cookie: str, paths, check) -> Load:
    """CONCURRENCY threads, one request at a time each, for SECONDS; `paths` is shared."""
    load, lock = Load(), threading.Lock()
    deadline = time.perf_counter() + SECONDS

    def user() -> None:
        while True:
            with lock:
                path = next(paths)
            started = time.perf_counter()
            if started >= deadline:
                return
            try:
                status, _, body = get(port, path, cookie)
                problem = "" if status == 200 else f"{status} for {path}"
                problem = problem or check(body)
            except OSError as error:
                problem = f"{error!r} for {path}"
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if problem:
                    load.failures.append(problem)
                else:
                    load.latencies.append(elapsed)

    started = time.perf_counter()
    threads = [threading.Thread(target=user) for _ in range(CONCURRENCY)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    load.seconds = time.perf_counter() - started
    return load


def full_list_page(body: bytes) -> str:
    shown = body.count(b"data-candidate-id=")
    return "" if shown == PER_PAGE else f"a list page with {shown} rows"


def logged_in_page(body: bytes) -> str:
    return "" if b'name="old_password"' in body else "not the password change form"


def search_terms(connection) -> list[str]:
    """Substrings of the data's names (2 to 5 letters) with at least PAGE pages of matches."""
    from ats.models import Candidate

    names = Candidate.objects.filter(connection=connection).values_list("name", flat=True)
    words = {w.lower() for name in names[:5000] for w in name.split() if w.isalpha()}
    pieces = {w[i : i + n] for w in words for n in (2, 3, 4, 5) for i in range(len(w) - n + 1)}
    texts = list(
        Candidate.objects.filter(connection=connection, is_deleted=False).values_list(
            "search_text", flat=True
        )
    )
    enough = PAGE * PER_PAGE
    terms = sorted(p for p in pieces if sum(p in text for text in texts) >= enough)
    random.Random(14).shuffle(terms)
    return terms


class Gunicorn:
    """The app as docs/deploy.md serves it, on a free loopback port."""

    def __init__(self, database_url: str, log: Path) -> None:
        self.port = free_port()
        env = {**production_env(database_url), "LOG_LEVEL": "INFO"}  # the production default
        command = [PYTHON, "-m", "gunicorn", "config.wsgi:application",
                   "--bind", f"127.0.0.1:{self.port}", "--workers", str(WORKERS),
                   "--timeout", "30", "--access-logfile", "-",
                   "--logger-class", "core.access_log.AccessLog",
                   "--no-control-socket"]  # fmt: skip
        self.log = log.open("wb")
        self.process = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if get(self.port, "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer /healthz; see {log}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


def main() -> None:
    sandbox_file = cached_sandbox(CANDIDATES)
    with tempfile.TemporaryDirectory() as tmp:
        database = Path(tmp) / "hub.sqlite3"
        sandbox = SandboxProcess(sandbox_file)
        try:
            connection, _ = hub_sqlite_database(database, CANDIDATES, sandbox.url)
        finally:
            sandbox.stop()
        from django.db import connections

        recruiter(USERNAME, PASSWORD)
        terms = search_terms(connection)
        connections.close_all()
        print(f"{CANDIDATES:,} synced candidates; {len(terms)} search terms with at least "
              f"{PAGE} pages, e.g. {', '.join(terms[:8])}")  # fmt: skip

        server = Gunicorn(f"sqlite:///{database}", Path(tmp) / "gunicorn.log")
        try:
            cookie = log_in(server.port)
            for path in [TRIVIAL] * 20 + [f"/candidates/?q={t}&page={PAGE}" for t in ("an", "ma")]:
                get(server.port, path, cookie)  # warm-up: imports and templates, not measured
            varied = (f"/candidates/?q={urllib.parse.quote(t)}&page={PAGE}" for t in
                      itertools.cycle(terms))  # fmt: skip
            loads = {
                "list, a different search each request": drive(
                    server.port, cookie, varied, full_list_page
                ),
                f"list, q={ONE_TERM}&page={PAGE} every request": drive(
                    server.port,
                    cookie,
                    itertools.repeat(f"/candidates/?q={ONE_TERM}&page={PAGE}"),
                    full_list_page,
                ),
                "trivial logged-in page": drive(
                    server.port, cookie, itertools.repeat(TRIVIAL), logged_in_page
                ),
            }
        finally:
            server.stop()

    print(f"gunicorn, {WORKERS} workers, production settings; {CONCURRENCY} concurrent "
          f"requests for {SECONDS} s per target, loopback, this process's generator")  # fmt: skip
    for name, load in loads.items():
        figures = latency_summary(load.latencies or [0.0])
        print(f"  {name:<40} {load.rate:7.1f} req/s  p50 {figures['p50']:6.1f}  "
              f"p95 {figures['p95']:6.1f}  p99 {figures['p99']:6.1f} ms  "
              f"({len(load.latencies)} answered, {len(load.failures)} failed)")  # fmt: skip
        for problem in sorted(set(load.failures))[:5]:
            print(f"    failed: {problem}")
    trivial = loads.pop("trivial logged-in page")
    results = {}
    for name, load in loads.items():
        p99 = latency_summary(load.latencies)["p99"] if load.latencies else float("inf")
        results[name] = (load.rate / trivial.rate, p99, not load.failures)
        print(f"  {name}: {load.rate / trivial.rate:.2f}x the trivial page's req/s "
              f"(goal >= {RATE_GOAL}), p99 {p99:.1f} ms (goal <= {P99_GOAL_MS})")  # fmt: skip
    worst_ratio = min(ratio for ratio, _, _ in results.values())
    worst_p99 = max(p99 for _, p99, _ in results.values())
    passed = (
        worst_ratio >= RATE_GOAL
        and worst_p99 <= P99_GOAL_MS
        and not trivial.failures
        and all(ok for *_, ok in results.values())
    )
    varied_load = loads["list, a different search each request"]
    report(
        "web",
        "list_rate_over_trivial",
        worst_ratio,
        RATE_GOAL,
        passed,
        list_p99_ms=worst_p99,
        p99_goal_ms=P99_GOAL_MS,
        list_rps=round(varied_load.rate, 1),
        trivial_rps=round(trivial.rate, 1),
        candidates=CANDIDATES,
        workers=WORKERS,
        concurrency=CONCURRENCY,
    )


if __name__ == "__main__":
    main()
