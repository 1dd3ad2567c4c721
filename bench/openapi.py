"""Benchmark: building the OpenAPI client from Asana's document, and what a generated
method adds over the same call made through `ApiClient` directly.

1. Building (each in a fresh process, Django and imports loaded before the clock starts):
   - cold: Asana's YAML (about 3 MB, 247 operations) read, validated with
     openapi-spec-validator and compiled, nothing known about it yet (no stored
     verdict, no cache): what a connection pays when its document is first fetched;
   - from the stored copy: a new process building the client of a connection whose
     document and validation verdict are stored (`OpenApiSource`), printed beside it;
   - cached: the same process asking again (the in-memory cache), median of 20.
   Goals: cold <= 1.5 s, cached <= 50 ms.
2. Calls: 2,000 `client.posts.get(1)` against 2,000 `api.request("GET", "/posts/1")`
   through an identical `ApiClient` (same connection: retries, rate limiter, call
   log all on), interleaved, on loopback against the sandbox's JSONPlaceholder in
   its own process. Goal: the ratio of the means <= 1.10.

The last line is one JSON object (`common.report`); `pass` is all three goals. The
cold goal is measured on the never-seen document, not on the stored copy (which skips
the validator): the validator alone takes seconds on this document.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import PYTHON, ROOT, SandboxProcess, report, setup_django

ASANA = ROOT.parent / "shared" / "specs" / "asana_oas.yaml"  # not copied into the repo
CALLS = 2000
WARMUP = 100
GOALS = {"cold_s": 1.5, "cached_ms": 50.0, "call_ratio": 1.10}


def child(mode: str, database: Path) -> None:
    """One measurement in this fresh process; prints a JSON object."""
    setup_django(database, migrate=False)
    from integrations.models import Connection
    from integrations.openapi import cache, source, spec_validation
    from integrations.openapi.client import compile_api
    from integrations.openapi.normalize import build_model
    from integrations.openapi.service import openapi_client

    if mode == "first":
        started = time.perf_counter()
        document = source.read_file(ASANA)
        parsed = time.perf_counter()
        digest = spec_validation.validate_document(document)
        validated = time.perf_counter()
        compile_api(build_model(document, digest=digest), document)
        done = time.perf_counter()
        figures = {"parse_s": parsed - started, "validate_s": validated - parsed,
                   "compile_s": done - validated, "total_s": done - started}  # fmt: skip
    else:
        connection = Connection.objects.get(name="asana-document")
        started = time.perf_counter()
        client = openapi_client(connection)
        cold = time.perf_counter() - started
        cached = []
        for _ in range(20):
            started = time.perf_counter()
            openapi_client(connection)
            cached.append(time.perf_counter() - started)
        figures = {"cold_s": cold, "cached_ms": statistics.median(cached) * 1000,
                   "operations": len(cache.connection_document(connection).model.operations),
                   "resources": len(dir(client))}  # fmt: skip
    print(json.dumps(figures))


def measure_in_child(mode: str, database: Path) -> dict:
    out = subprocess.run(  # noqa: S603
        [PYTHON, __file__, "--child", mode, str(database)],
        cwd=ROOT, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def store_asana(connection_model, source_model) -> None:
    """A connection whose stored copy is Asana's document, as a first fetch leaves it."""
    from django.utils import timezone

    from integrations import jsoncodec
    from integrations.openapi import source, spec_validation

    document = source.read_file(ASANA)
    digest = spec_validation.validate_document(document)
    connection = connection_model.objects.create(
        provider="openapi", name="asana-document", base_url="https://app.asana.com/api/1.0"
    )
    source_model.objects.create(
        connection=connection,
        document_url="https://app.asana.com/api/1.0/openapi.json",  # never fetched: fresh copy
        document=jsoncodec.dumps(document),
        document_sha256=digest,
        fetched_at=timezone.now(),
    )


def calls(sandbox_url: str) -> dict:
    from integrations.http import call_log
    from integrations.models import Connection, OpenApiSource
    from integrations.openapi.cache import connection_document
    from integrations.openapi.service import connection_api_client, openapi_client

    base = f"{sandbox_url}/jsonplaceholder"
    connection = Connection.objects.create(provider="openapi", name="jp", base_url=base)
    OpenApiSource.objects.create(connection=connection, document_url=f"{base}/openapi.json")
    client = openapi_client(connection)
    api = connection_api_client(connection, connection_document(connection))

    def generated() -> None:
        assert client.posts.get(1).id == 1

    def direct() -> None:
        assert api.request("GET", "/posts/1").data["id"] == 1

    for _ in range(WARMUP):
        generated()
        direct()
    times: dict = {generated: [], direct: []}
    for i in range(CALLS):
        pair = (generated, direct) if i % 2 else (direct, generated)
        for call in pair:
            started = time.perf_counter()
            call()
            times[call].append(time.perf_counter() - started)
    call_log.flush()
    mean = {f.__name__: statistics.fmean(t) * 1e6 for f, t in times.items()}
    median = {f.__name__: statistics.median(t) * 1e6 for f, t in times.items()}
    return {"generated_mean_us": mean["generated"], "direct_mean_us": mean["direct"],
            "generated_p50_us": median["generated"], "direct_p50_us": median["direct"],
            "call_ratio": mean["generated"] / mean["direct"],
            "p50_ratio": median["generated"] / median["direct"]}  # fmt: skip


def main() -> None:
    if not ASANA.exists():
        sys.exit(f"{ASANA} is missing: this benchmark reads Asana's document from ../shared/specs/")
    with tempfile.TemporaryDirectory() as tmp:
        database = Path(tmp) / "bench.sqlite3"
        setup_django(database)
        from integrations.models import Connection, OpenApiSource

        store_asana(Connection, OpenApiSource)
        first = measure_in_child("first", database)
        stored = measure_in_child("stored", database)
        sandbox = SandboxProcess(Path(tmp) / "sandbox.sqlite3")
        try:
            timing = calls(sandbox.url)
        finally:
            sandbox.stop()
    print(f"Asana: {stored['operations']} operations, {stored['resources']} resources")
    print(
        f"cold (YAML parse {first['parse_s']:.2f} s + validation {first['validate_s']:.2f} s"
        f" + compile {first['compile_s']:.2f} s): {first['total_s']:.2f} s"
        f"   goal <= {GOALS['cold_s']} s"
    )
    print(f"from the stored copy (new process, verdict stored): {stored['cold_s']:.3f} s")
    print(f"cached: {stored['cached_ms']:.2f} ms   goal <= {GOALS['cached_ms']} ms")
    print(
        f"{CALLS} calls each: generated mean {timing['generated_mean_us']:.0f} us, "
        f"direct mean {timing['direct_mean_us']:.0f} us, ratio {timing['call_ratio']:.3f} "
        f"(p50 ratio {timing['p50_ratio']:.3f})   goal <= {GOALS['call_ratio']}"
    )
    passed = (
        first["total_s"] <= GOALS["cold_s"]
        and stored["cached_ms"] <= GOALS["cached_ms"]
        and timing["call_ratio"] <= GOALS["call_ratio"]
    )
    report(
        "openapi",
        "cold_build_s",
        round(first["total_s"], 2),
        GOALS["cold_s"],
        passed,
        cached_ms=round(stored["cached_ms"], 2),
        cached_goal_ms=GOALS["cached_ms"],
        call_ratio=round(timing["call_ratio"], 3),
        call_ratio_goal=GOALS["call_ratio"],
        p50_ratio=round(timing["p50_ratio"], 3),
        validate_s=round(first["validate_s"], 2),
        stored_copy_s=round(stored["cold_s"], 3),
    )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], Path(sys.argv[3]))
    else:
        main()
