"""Benchmark: the candidates list page (a search, page 50) over 100,000 synced candidates.

The hub's copy is filled by the sync engine from a seeded sandbox data set:
offers over HTTP, and 100,000 candidates read straight from the sandbox's
data file (its stored list items, in the API's order) instead of 500 HTTP
pages, to save time; each goes through the sync's own parsing, mapping,
bulk upsert and placements, exactly as a real sync stores them. Then the
page `/candidates/?q=<term>&page=50` is requested through Django's test
client as a logged-in user, in this process, and the server time of each
request is taken around the call: p50 and p95 over 200 requests after a
warm-up.

In the same run, the page as simple tutorials write it: a view that asks the
sandbox (its own process, 10,000 candidates, no added latency) for every
candidate on each view, filters by the search term in Python, slices the
page with Django's paginator and renders a template string: p50 and p95
over 20 requests.

Goals: the synced page's p95 is at most 30 ms on SQLite, and the naive
page's p95 is at least 20x the synced page's.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import statistics
import tempfile
import time
import warnings
from pathlib import Path

from common import SandboxProcess, report, seed_sandbox, setup_django

SYNCED_CANDIDATES = 100_000
NAIVE_CANDIDATES = 10_000
TERM = "jansen"  # a last name: about 4% of the seeded candidates (name or email)
PAGE = 50
PER_PAGE = 25
WARMUP, REQUESTS = 20, 200
NAIVE_WARMUP, NAIVE_REQUESTS = 2, 20
P95_GOAL_MS = 30
SPEEDUP_GOAL = 20
FILE_PAGE_SIZE = 1000
SANDBOX_TOKEN = "sandbox-recruitee"  # noqa: S105 - the sandbox's public demo token

NAIVE_TEMPLATE = """<html><body><h1>Candidates</h1>
<form><input name="q" value="{{ q }}"></form>
<table>{% for c in page %}<tr><td>{{ c.name }}</td><td>{{ c.emails|join:", " }}</td>
<td>{{ c.phones|join:", " }}</td><td>{{ c.source }}</td><td>{{ c.created_at }}</td></tr>
{% endfor %}</table>
<p>Page {{ page.number }} of {{ page.paginator.num_pages }}</p></body></html>"""


def percentile(samples: list[float], share: float) -> float:
    """The nearest-rank percentile of `samples`."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def timed_ms(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def sync_candidates(sandbox_url: str, sandbox_file: Path):
    """Create the Recruitee connection; sync offers over HTTP, candidates from the data file."""
    from ats.models import Candidate, Placement
    from ats.sync import CANDIDATES, OFFERS, candidate_row
    from integrations.models import Connection
    from integrations.providers.recruitee_records import parse_candidate
    from integrations.sync.engine import sync_resource
    from integrations.sync.resources import FetchedPage

    def fetch_from_file(client, connection, request):
        data = sqlite3.connect(sandbox_file)
        try:
            items = data.execute(
                "SELECT item FROM recruitee_candidates ORDER BY created_at DESC, id DESC"
            )
            while batch := items.fetchmany(FILE_PAGE_SIZE):
                records = [parse_candidate(json.loads(item)) for (item,) in batch]
                yield FetchedPage(rows=[candidate_row(r) for r in records], checkpoint=None)
        finally:
            data.close()

    connection = Connection.objects.create(
        provider="recruitee",
        name="bench",
        base_url=f"{sandbox_url}/recruitee",
        company_id="1",
        api_token=SANDBOX_TOKEN,
    )
    started = time.perf_counter()
    from_file = dataclasses.replace(CANDIDATES, fetch=fetch_from_file)
    for resource in (OFFERS, from_file):
        run = sync_resource(connection=connection, resource=resource, full=True)
        if run.status != "succeeded":
            raise RuntimeError(f"the {resource.label} sync ended {run.status}: {run.error}")
    elapsed = time.perf_counter() - started
    stored = Candidate.objects.filter(connection=connection, is_deleted=False).count()
    placements = Placement.objects.count()
    matching = Candidate.objects.filter(
        connection=connection, is_deleted=False, search_text__contains=TERM
    ).count()
    print(f"synced {stored:,} candidates ({placements:,} placements) in {elapsed:.1f} s")
    print(f"{matching:,} candidates match {TERM!r}; page {PAGE} shows rows "
          f"{(PAGE - 1) * PER_PAGE + 1}-{PAGE * PER_PAGE}")  # fmt: skip
    if stored != SYNCED_CANDIDATES or matching < 2000:
        raise RuntimeError("the synced data set is not what the benchmark needs")
    return connection


def measure_synced_page() -> list[float]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    user = get_user_model().objects.create_user("bench", password="bench-password")  # noqa: S106
    client = Client()
    client.force_login(user)
    url = f"/candidates/?q={TERM}&page={PAGE}"

    def view() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        assert b'data-testid="candidate-table"' in response.content
        assert response.content.count(b"data-candidate-id=") == PER_PAGE

    for _ in range(WARMUP):
        view()
    wall, cpu = [], []
    for _ in range(REQUESTS):
        started_cpu = time.process_time()
        wall.append(timed_ms(view))
        cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def naive_view_for(sandbox_url: str):
    """The list page of a tutorial: every candidate from the provider on every view."""
    import requests
    from django.core.paginator import Paginator
    from django.http import HttpResponse
    from django.template import Context, Template

    template = Template(NAIVE_TEMPLATE)

    def candidate_list(request) -> HttpResponse:
        answer = requests.get(
            f"{sandbox_url}/recruitee/c/1/candidates",
            headers={"Authorization": f"Bearer {SANDBOX_TOKEN}"},
            timeout=30,
        )
        answer.raise_for_status()
        term = request.GET.get("q", "").strip().lower()
        found = [
            c
            for c in answer.json()["candidates"]
            if term in " ".join([c.get("name") or "", *(c.get("emails") or [])]).lower()
        ]
        # get_page() shows the last page for a number past the end, as tutorials use it.
        page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
        return HttpResponse(template.render(Context({"page": page, "q": term})))

    return candidate_list


def measure_naive_page(sandbox_url: str) -> list[float]:
    from django.test import RequestFactory

    view = naive_view_for(sandbox_url)
    request = RequestFactory().get("/naive/", {"q": TERM, "page": PAGE})

    def call() -> None:
        response = view(request)
        assert response.status_code == 200
        assert b"<tr>" in response.content

    for _ in range(NAIVE_WARMUP):
        call()
    return [timed_ms(call) for _ in range(NAIVE_REQUESTS)]


def main() -> None:
    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic
    with tempfile.TemporaryDirectory() as tmp:
        big, small = Path(tmp) / "sandbox-100k.sqlite3", Path(tmp) / "sandbox-10k.sqlite3"
        print(f"seeding sandboxes with {SYNCED_CANDIDATES:,} and {NAIVE_CANDIDATES:,} candidates…")
        sizes = {"offers": 12, "organizations": 0, "persons": 0, "projects": 0, "workspaces": 1}
        seed_sandbox(big, candidates=SYNCED_CANDIDATES, **sizes)
        seed_sandbox(small, candidates=NAIVE_CANDIDATES, **sizes)
        setup_django(Path(tmp) / "hub.sqlite3")

        sandbox = SandboxProcess(big)
        try:
            sync_candidates(sandbox.url, big)
        finally:
            sandbox.stop()
        synced, synced_cpu = measure_synced_page()

        sandbox = SandboxProcess(small)
        try:
            naive = measure_naive_page(sandbox.url)
        finally:
            sandbox.stop()

    synced_p50, synced_p95 = statistics.median(synced), percentile(synced, 0.95)
    naive_p50, naive_p95 = statistics.median(naive), percentile(naive, 0.95)
    speedup = naive_p95 / synced_p95
    cpu_p50, cpu_p95 = statistics.median(synced_cpu), percentile(synced_cpu, 0.95)
    print(f"synced page ({SYNCED_CANDIDATES:,} in the hub, q={TERM!r}, page {PAGE}, "
          f"{REQUESTS} requests): p50 {synced_p50:.1f} ms, p95 {synced_p95:.1f} ms "
          f"(goal <= {P95_GOAL_MS})")  # fmt: skip
    print(f"  of which CPU time in this process: p50 {cpu_p50:.1f} ms, p95 {cpu_p95:.1f} ms")
    print(f"naive page ({NAIVE_CANDIDATES:,} at the sandbox, every view, {NAIVE_REQUESTS} "
          f"requests): p50 {naive_p50:.1f} ms, p95 {naive_p95:.1f} ms")  # fmt: skip
    print(f"speedup (naive p95 / synced p95): {speedup:.1f}x (goal >= {SPEEDUP_GOAL})")
    passed = synced_p95 <= P95_GOAL_MS and speedup >= SPEEDUP_GOAL
    report(
        "list_page",
        "p95_ms",
        synced_p95,
        P95_GOAL_MS,
        passed,
        p50_ms=round(synced_p50, 3),
        speedup=round(speedup, 1),
        naive_p50_ms=round(naive_p50, 3),
        naive_p95_ms=round(naive_p95, 3),
    )


if __name__ == "__main__":
    main()
