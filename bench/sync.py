"""Benchmark: a full sync of 100,000 candidates from the sandbox with 50 ms latency,
beside the bare script a user might write and Airbyte's Recruitee connector.

One sandbox process (its own data file, 50 ms added to every answer, TCP_NODELAY
so no answer waits on Nagle's algorithm) serves three readers in turn, each
in its own process so each peak memory (RSS, from `wait4`) is its own:

- the hub: `sync_resource_task` as the worker runs it, a full pass of
  candidates into its SQLite database (Django set up and migrated beforehand,
  as in a running worker);
- the bare script: a `requests.Session` paging with limit/offset by
  BARE_PAGE_SIZE, decoding the JSON and bulk-inserting into SQLite;
- the peer: Airbyte's Recruitee connector manifest (PyPI package
  airbyte-source-recruitee) run by the current Airbyte library (airbyte-cdk 7,
  `source-declarative-manifest read --manifest-path`), only `url_base` pointed
  at the sandbox, only reading (its records go to a file). Both are installed
  at run time into var/bench-peers/ (gitignored); nothing of Airbyte's is kept
  in this repository. If they cannot be installed, the output and the JSON
  say so and the benchmark does not pass.

The sandbox is a plain implementation of the list endpoint: each page is one
indexed LIMIT/OFFSET query whose stored candidates are decoded and encoded
again as list items; its measured cost per page is printed. Recruitee's
candidate list documents no largest page (without limit/offset it returns
everything, slowly); the largest page documented for candidates is the
search endpoint's 10,000, so that is the bare script's page.

Goals: the hub takes at most 1.5x the bare script's time with a peak RSS of
at most 250 MB; it is at least 2x faster than Airbyte only reading, with at
most a fifth of Airbyte's peak RSS. Times are the readers' own: the hub and the
bare script from their first request to their last commit, Airbyte from the
start of its process (it has no other way to be run) to its end.

`--hub-page-size N` runs the hub with another page size; `--readers` picks
which readers run (for experiments; the JSON then cannot pass).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import requests
from common import PYTHON, ROOT, SandboxProcess, report, seed_sandbox, setup_django

CANDIDATES = 100_000
LATENCY_MS = 50
BARE_PAGE_SIZE = 10_000
HUB_OVER_BARE_GOAL = 1.5
MEMORY_GOAL_MB = 250
PEER_SPEEDUP_GOAL = 2.0
PEER_MEMORY_SHARE_GOAL = 0.2
READERS = ("bare", "hub", "airbyte")
TOKEN = "sandbox-recruitee"  # noqa: S105 - the sandbox's public demo token
PEERS = ROOT / "var" / "bench-peers"
AIRBYTE_CDK = "airbyte-cdk>=7,<8"
AIRBYTE_CONNECTOR = "airbyte-source-recruitee==0.1.14"
MANIFEST_URL_BASE = "url_base: https://api.recruitee.com/c/{{ config.company_id }}"


# -- the readers, each run in a child process ------------------------------------
def run_hub(sandbox_url: str, workdir: Path, page_size: int | None) -> dict:
    setup_django(workdir / "hub.sqlite3", migrate=False)
    from ats import sync as ats_sync
    from ats.models import Candidate
    from integrations.models import Connection
    from integrations.tasks import sync_resource_task

    if page_size:
        ats_sync.CANDIDATE_PAGE_SIZE = page_size
    connection = Connection.objects.create(
        provider="recruitee",
        name="bench",
        base_url=f"{sandbox_url}/recruitee",
        company_id="1",
        api_token=TOKEN,
    )
    started = time.perf_counter()
    status = sync_resource_task.call(connection.pk, "recruitee.candidates", True)
    seconds = time.perf_counter() - started
    stored = Candidate.objects.filter(is_deleted=False).count()
    return {"seconds": seconds, "rows": stored, "ok": status == "succeeded",
            "page_size": ats_sync.CANDIDATE_PAGE_SIZE}  # fmt: skip


def run_bare(sandbox_url: str, workdir: Path) -> dict:
    """What a user would write: page, decode, bulk-insert, commit per page."""
    db = sqlite3.connect(workdir / "bare.sqlite3")
    db.execute(
        "CREATE TABLE candidates (id INTEGER PRIMARY KEY, name TEXT, emails TEXT,"
        " created_at TEXT, updated_at TEXT, raw TEXT)"
    )
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {TOKEN}"
    url = f"{sandbox_url}/recruitee/c/1/candidates"
    started = time.perf_counter()
    offset = 0
    while True:
        answer = session.get(url, params={"limit": BARE_PAGE_SIZE, "offset": offset}, timeout=120)
        answer.raise_for_status()
        candidates = answer.json()["candidates"]
        db.executemany(
            "INSERT OR REPLACE INTO candidates VALUES (?, ?, ?, ?, ?, ?)",
            [
                (c["id"], c["name"], json.dumps(c["emails"]), c["created_at"], c["updated_at"],
                 json.dumps(c))
                for c in candidates
            ],
        )  # fmt: skip
        db.commit()
        offset += len(candidates)
        if len(candidates) < BARE_PAGE_SIZE:
            break
    seconds = time.perf_counter() - started
    rows = db.execute("SELECT COUNT(*) FROM candidates").fetchone()[0]
    return {"seconds": seconds, "rows": rows, "ok": True, "page_size": BARE_PAGE_SIZE}


def child(reader: str, sandbox_url: str, workdir: Path, page_size: int | None) -> None:
    if reader == "migrate":
        setup_django(workdir / "hub.sqlite3")
        from ats.sync import CANDIDATE_PAGE_SIZE

        result: dict = {"page_size": page_size or CANDIDATE_PAGE_SIZE}
    elif reader == "hub":
        result = run_hub(sandbox_url, workdir, page_size)
    else:
        result = run_bare(sandbox_url, workdir)
    print(json.dumps(result), flush=True)


def in_child(reader: str, sandbox_url: str, workdir: Path, page_size: int | None) -> dict:
    """Run one reader in its own process; its result plus its peak RSS in MB."""
    command = [PYTHON, __file__, "--child", reader, "--sandbox", sandbox_url,
               "--workdir", str(workdir)]  # fmt: skip
    if page_size:
        command += ["--hub-page-size", str(page_size)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise RuntimeError(f"the {reader} reader failed (wait status {status})")
    cpu = usage.ru_utime + usage.ru_stime
    return {**json.loads(output.strip().splitlines()[-1]), "peak_mb": usage.ru_maxrss / 1024,
            "cpu_s": cpu}  # fmt: skip


# -- the peer: Airbyte, installed at run time ----------------------------------
def airbyte_install() -> tuple[Path, str]:
    """(the `source-declarative-manifest` program, the connector's manifest text).

    Raises RuntimeError when either cannot be had from PyPI here.
    """
    venv = PEERS / "airbyte"
    program = venv / "bin" / "source-declarative-manifest"
    try:
        if not program.exists():
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)  # noqa: S603
            pip = [str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check"]
            subprocess.run([*pip, AIRBYTE_CDK], check=True)  # noqa: S603
        wheels = PEERS / "wheels"
        if not list(wheels.glob("airbyte_source_recruitee-*.whl")):
            subprocess.run(  # noqa: S603
                [str(venv / "bin" / "pip"), "download", "--quiet", "--no-deps",
                 "--disable-pip-version-check", AIRBYTE_CONNECTOR, "-d", str(wheels)],
                check=True,
            )  # fmt: skip
    except (OSError, subprocess.CalledProcessError) as exc:
        raise RuntimeError(f"could not install {AIRBYTE_CDK} / {AIRBYTE_CONNECTOR}: {exc}") from exc
    wheel = sorted(wheels.glob("airbyte_source_recruitee-*.whl"))[-1]
    with zipfile.ZipFile(wheel) as archive:
        manifest = archive.read("source_recruitee/manifest.yaml").decode()
    return program, manifest


def run_airbyte(program: Path, manifest: str, sandbox_url: str, workdir: Path) -> dict:
    """`read` of the candidates stream; records go to a file, counted afterwards."""
    if manifest.count(MANIFEST_URL_BASE) != 1:
        raise RuntimeError("the connector's manifest no longer has the url_base this bench edits")
    url_base = f"url_base: {sandbox_url}/recruitee/c/{{{{ config.company_id }}}}"
    (workdir / "manifest.yaml").write_text(manifest.replace(MANIFEST_URL_BASE, url_base))
    (workdir / "config.json").write_text(json.dumps({"api_key": TOKEN, "company_id": 1}))
    stream = {"name": "candidates", "json_schema": {}, "supported_sync_modes": ["full_refresh"]}
    catalog = {"streams": [{"stream": stream, "sync_mode": "full_refresh",
                            "destination_sync_mode": "overwrite"}]}  # fmt: skip
    (workdir / "catalog.json").write_text(json.dumps(catalog))
    command = [str(program), "read", "--manifest-path", str(workdir / "manifest.yaml"),
               "--config", str(workdir / "config.json"),
               "--catalog", str(workdir / "catalog.json")]  # fmt: skip
    out = workdir / "airbyte.jsonl"
    with out.open("wb") as sink:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=sink, cwd=workdir)  # noqa: S603
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    with out.open("rb") as lines:
        rows = sum(1 for line in lines if json.loads(line).get("type") == "RECORD")
    return {"seconds": seconds, "rows": rows, "ok": status == 0, "peak_mb": usage.ru_maxrss / 1024,
            "cpu_s": usage.ru_utime + usage.ru_stime}  # fmt: skip


# -- the sandbox's own cost ------------------------------------------------------
def sandbox_page_costs(sandbox_url: str, sizes: list[int]) -> dict[int, list[float]]:
    """Each page size's answer time less the added latency, at the list's start, middle and end."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {TOKEN}"
    costs: dict[int, list[float]] = {}
    for size in sizes:
        costs[size] = []
        for offset in (0, CANDIDATES // 2, CANDIDATES - size):
            started = time.perf_counter()
            session.get(
                f"{sandbox_url}/recruitee/c/1/candidates",
                params={"limit": size, "offset": offset},
                timeout=120,
            ).raise_for_status()
            costs[size].append(time.perf_counter() - started - LATENCY_MS / 1000)
    return costs


def main(args: argparse.Namespace) -> None:
    readers = args.readers.split(",")
    results: dict[str, dict] = {}
    peer_error = ""
    if "airbyte" in readers:
        try:
            program, manifest = airbyte_install()
        except RuntimeError as exc:
            peer_error = str(exc)
            print(f"peer unavailable: {peer_error}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        sandbox_db = workdir / "sandbox.sqlite3"
        print(f"seeding the sandbox with {CANDIDATES:,} candidates…", flush=True)
        seed_sandbox(sandbox_db, candidates=CANDIDATES, offers=12, organizations=0, persons=0,
                     projects=0, workspaces=1)  # fmt: skip
        sandbox = SandboxProcess(sandbox_db, f"recruitee latency_ms={LATENCY_MS}")
        try:
            hub_page = in_child("migrate", sandbox.url, workdir, args.hub_page_size)["page_size"]
            costs = sandbox_page_costs(sandbox.url, sorted({hub_page, BARE_PAGE_SIZE}))
            for size, seconds in costs.items():
                spread = ", ".join(f"{s * 1000:.0f}" for s in seconds)
                print(f"sandbox's own time for a {size:,}-row page (start, middle, end): "
                      f"{spread} ms", flush=True)  # fmt: skip
            for reader in readers:
                print(f"running {reader}…", flush=True)
                if reader == "airbyte":
                    if not peer_error:
                        results[reader] = run_airbyte(program, manifest, sandbox.url, workdir)
                else:
                    results[reader] = in_child(reader, sandbox.url, workdir, args.hub_page_size)
        finally:
            sandbox.stop()
    print(f"{CANDIDATES:,} candidates, sandbox latency {LATENCY_MS} ms, no Nagle stall:")
    for reader, result in results.items():
        print(f"  {reader:8} {result['seconds']:7.1f} s  CPU {result['cpu_s']:5.1f} s  "
              f"peak {result['peak_mb']:5.0f} MB  "
              f"{result['rows']:,} rows" + (f", page {result['page_size']:,}"
                                            if "page_size" in result else ""))  # fmt: skip
    _verdict(results, readers, peer_error, costs)


def _verdict(results: dict, readers: list[str], peer_error: str, costs: dict) -> None:
    hub, bare, peer = results.get("hub"), results.get("bare"), results.get("airbyte")
    extra: dict = {}
    checks = [all(r["ok"] and r["rows"] == CANDIDATES for r in results.values())]
    checks.append(readers == list(READERS))
    ratio = 0.0  # when the hub or the bare script did not run (the benchmark then fails)
    if hub and bare:
        ratio = hub["seconds"] / bare["seconds"]
        print(f"hub / bare script: {ratio:.2f} x (goal <= {HUB_OVER_BARE_GOAL})")
        print(f"hub peak memory {hub['peak_mb']:.0f} MB (goal <= {MEMORY_GOAL_MB})")
        checks += [ratio <= HUB_OVER_BARE_GOAL, hub["peak_mb"] <= MEMORY_GOAL_MB]
        extra.update(hub_s=round(hub["seconds"], 1), hub_mb=round(hub["peak_mb"]),
                     bare_s=round(bare["seconds"], 1), bare_mb=round(bare["peak_mb"]),
                     hub_page_size=hub["page_size"])  # fmt: skip
    if peer_error:
        print(f"peer: not run ({peer_error}); its goals are not met")
        extra["peer"] = f"unavailable: {peer_error}"
        checks.append(False)
    elif hub and peer:
        speedup, share = peer["seconds"] / hub["seconds"], hub["peak_mb"] / peer["peak_mb"]
        print(f"Airbyte (reading only) / hub (writing): {speedup:.2f} x faster "
              f"(goal >= {PEER_SPEEDUP_GOAL})")  # fmt: skip
        print(f"hub's peak memory / Airbyte's: {share:.2f} (goal <= {PEER_MEMORY_SHARE_GOAL})")
        checks += [speedup >= PEER_SPEEDUP_GOAL, share <= PEER_MEMORY_SHARE_GOAL]
        extra.update(airbyte_s=round(peer["seconds"], 1), airbyte_mb=round(peer["peak_mb"]),
                     peer_speedup=round(speedup, 2), peer_memory_share=round(share, 2))  # fmt: skip
    extra["sandbox_page_ms"] = {
        size: [round(s * 1000) for s in seconds] for size, seconds in costs.items()
    }
    report("sync", "hub_over_bare", ratio, HUB_OVER_BARE_GOAL, all(checks), **extra)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", default=",".join(READERS))
    parser.add_argument("--hub-page-size", type=int)
    parser.add_argument("--child", choices=("migrate", "hub", "bare"), help=argparse.SUPPRESS)
    parser.add_argument("--sandbox", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        child(arguments.child, arguments.sandbox, arguments.workdir, arguments.hub_page_size)
    else:
        main(arguments)
