"""Shared set-up for the benchmarks: Django on a throwaway database, the sandbox
as its own process, and the one JSON line each benchmark ends with.

The benchmarks import Django and the hub inside functions on purpose: each run
chooses its database and settings (`setup_django`, `setup_django_production`)
before `django.setup()`, and nothing that touches models may load before that.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import pickle
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


def setup_django(database: Path, *, migrate: bool = True) -> None:
    """Django on the test settings with a SQLite file, migrated unless `migrate` is off."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"  # real env wins over the settings
    os.environ["LOG_LEVEL"] = "WARNING"
    import django
    from django.core.management import call_command

    django.setup()
    if migrate:
        call_command("migrate", verbosity=0, interactive=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed_sandbox(database: Path, **sizes: int) -> None:
    """Seed a sandbox data file (`candidates=100_000`, …) in a child process."""
    args = [f"--{name}={count}" for name, count in sizes.items()]
    _manage("sandbox_seed", "--database", str(database), "--reset", *args)


class SandboxProcess:
    """`manage.py run_sandbox` in its own process, so its work is not measured here."""

    def __init__(self, database: Path, *faults: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [PYTHON, "manage.py", "run_sandbox", "--port", str(self.port)]
        command += ["--database", str(database)]
        for fault in faults:
            command += ["--fault", *fault.split()]
        self.process = subprocess.Popen(command, cwd=ROOT, env=_child_env())  # noqa: S603
        self._wait_until_up()

    def set_faults(self, provider: str, settings: dict) -> None:
        request = urllib.request.Request(  # noqa: S310 - our own loopback server
            f"{self.url}/_sandbox/faults/{provider}",
            data=json.dumps(settings).encode(),
            method="PUT",
            headers={"Content-Type": "application/json"},
        )
        urllib.request.urlopen(request, timeout=5).read()  # noqa: S310

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/_sandbox/health", timeout=1).read()  # noqa: S310
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the sandbox did not start")


class WorkerProcesses:
    """Background workers as production runs them (docs/deploy.md): `workers` times
    `manage.py db_worker --no-reload` and one `manage.py run_scheduler`, with their default
    intervals unless `scheduler_interval` is given, in their own processes, on this
    process's settings and database (its environment, `DATABASE_URL` included). Their
    output goes to `log_dir`."""

    def __init__(
        self, log_dir: Path, *, workers: int = 2, scheduler_interval: float | None = None
    ) -> None:
        commands = [
            ["db_worker", "--no-reload", f"--worker-id=bench-{n}"] for n in range(1, workers + 1)
        ]
        scheduler = ["run_scheduler"]
        if scheduler_interval is not None:
            scheduler += ["--interval", str(scheduler_interval)]
        commands.append(scheduler)
        self.logs = [log_dir / f"{command[0]}-{n}.log" for n, command in enumerate(commands)]
        self.processes = [
            subprocess.Popen(  # noqa: S603
                [PYTHON, "manage.py", *command],
                cwd=ROOT,
                env=dict(os.environ),
                stdout=log.open("w"),
                stderr=subprocess.STDOUT,
            )
            for command, log in zip(commands, self.logs, strict=True)
        ]

    def dead(self) -> list[str]:
        """The logs of the processes that have stopped (none should, until `stop`)."""
        pairs = zip(self.processes, self.logs, strict=True)
        return [log.name for process, log in pairs if process.poll() is not None]

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds of a live process and its live descendants (Linux /proc),
    so a run can say where its CPU went: a gunicorn master with its workers, a worker."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # The command name may hold spaces or parentheses: split after its last ")".
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        parents[int(entry.name)] = int(fields[1])
        used[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    tree, grew = {pid}, True
    while grew:
        more = {child for child, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return sum(used.get(member, 0.0) for member in tree)


def report(name: str, metric: str, value: float, goal: float, passed: bool, **extra) -> None:
    """The benchmark's last line: one JSON object, comparable run to run."""
    line = {"bench": name, "metric": metric, "value": round(value, 3), "goal": goal}
    line.update(extra)
    line["pass"] = passed
    # No figure (nothing answered) is null: JSON has no Infinity or NaN.
    line = {
        k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in line.items()
    }
    print(json.dumps(line, allow_nan=False), flush=True)


def _manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=_child_env(), check=True)  # noqa: S603


def _child_env() -> dict[str, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test", "LOG_LEVEL": "WARNING"}
    env.pop("DATABASE_URL", None)
    return env


# -- Production settings, cached data sets and latency figures (list_page.py, web.py) ------

BENCH_VAR = ROOT / "var" / "bench"  # gitignored: data sets a rerun reuses
BENCH_SECRET_KEY = "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"  # noqa: S105
BENCH_FERNET_KEY = "Nl2uYHcdBQN1b3mV8kbXaCD4j4lOhCHxxbWhWBbVJ3s="


def production_env(database_url: str) -> dict[str, str]:
    """The environment of a production deployment (config.settings, DEBUG off) on loopback.

    The one difference from docs/deploy.md: no TLS proxy in front, so no HTTPS redirect.
    Everything else (the manifest static storage, the database task backend, the
    locmem cache, secrets required) is what `config.settings` gives production.
    """
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV_FILE": os.devnull,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": BENCH_SECRET_KEY,
        "FIELD_ENCRYPTION_KEY": BENCH_FERNET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "INTEGRATIONS_ALLOW_LOOPBACK": "true",  # the sandbox listens on loopback
        "SANDBOX_URL": "",
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
    }


def setup_django_production(database_url: str) -> None:
    """Django in this process on the production settings, migrated, static files collected."""
    sys.path.insert(0, str(ROOT))
    os.environ.update(production_env(database_url))
    collect_static()
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def collect_static() -> None:
    """`collectstatic` into STATIC_ROOT: the manifest storage needs it with DEBUG off."""
    env = production_env("sqlite://:memory:")
    command = [PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"]
    subprocess.run(command, cwd=ROOT, env=env, check=True)  # noqa: S603


def source_digest(*patterns: str) -> str:
    """A short hash of the files matching `patterns` (globs under the project root).

    Part of a cached file's name, so a change to the code that shapes the data
    (seeding, mapping, migrations) builds the file again instead of reusing it.
    """
    digest = hashlib.blake2b(digest_size=6)
    for path in sorted({p for pattern in patterns for p in ROOT.glob(pattern)}):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


# What a seeded sandbox file depends on: the generator, the shapes and the store's schema.
SANDBOX_SEED_SOURCES = (
    "integrations/sandbox/seed*.py",
    "integrations/sandbox/recruitee_*.py",
    "integrations/sandbox/store.py",
    "integrations/sandbox/values.py",
    "integrations/management/commands/sandbox_seed.py",
)


def cached_sandbox(candidates: int) -> Path:
    """A sandbox data file with `candidates` candidates and 12 offers, seeded once per seed code."""
    path = BENCH_VAR / f"sandbox-{candidates}-{source_digest(*SANDBOX_SEED_SOURCES)}.sqlite3"
    if not path.exists():
        BENCH_VAR.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        print(f"seeding a sandbox with {candidates:,} candidates into {path.name}…", flush=True)
        started = time.perf_counter()
        seed_sandbox(partial, candidates=candidates, offers=12, organizations=0, persons=0,
                     projects=0, workspaces=1)  # fmt: skip
        with sqlite3.connect(partial) as data:  # fold the WAL in: the file is then complete
            data.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        partial.rename(path)
        for leftover in ("-wal", "-shm"):
            Path(f"{partial}{leftover}").unlink(missing_ok=True)
        print(f"  seeded in {time.perf_counter() - started:.0f} s", flush=True)
    return path


def recruiter(username: str, password: str | None = None):
    """A user as the list's people are: in the default "Recruiting" group, not a superuser,
    so every request pays the permission checks a recruiter's does."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from core.groups import ensure_default_groups

    ensure_default_groups()
    user, _ = get_user_model().objects.get_or_create(username=username)
    if password:
        user.set_password(password)
        user.save()
    user.groups.add(Group.objects.get(name="Recruiting"))
    return user


def percentile(samples: list[float], share: float) -> float:
    """The nearest-rank percentile of `samples` (share 0.95 for p95)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def latency_summary(samples: list[float]) -> dict[str, float]:
    """p50, p95 and p99 of `samples` (milliseconds), rounded for printing and JSON."""
    return {
        f"p{int(share * 100)}": round(percentile(samples, share), 1) for share in (0.50, 0.95, 0.99)
    }


class PostgresDatabase:
    """A throwaway PostgreSQL database (`bench_<name>_<pid>`), dropped on `drop()`."""

    def __init__(self, name: str, server: str = "postgres://postgres@127.0.0.1:5432") -> None:
        import psycopg

        self.name = f"bench_{name}_{os.getpid()}"
        self.server = server
        self.url = f"{server}/{self.name}"
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        import psycopg

        with psycopg.connect(f"{self.server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


# What the cached rows depend on besides the sync's mapping (which names them, see
# `cached_candidate_rows`): the sandbox's data and the parsing of its answers.
CANDIDATE_ROW_SOURCES = (*SANDBOX_SEED_SOURCES, "integrations/providers/recruitee*.py")
# What a filled hub database depends on besides its rows: the schema, the engine and
# the sync's writes (placements, anything `after_upsert` keeps).
HUB_DATABASE_SOURCES = (
    "*/migrations/*.py",
    "integrations/models/*.py",
    "integrations/sync/*.py",
    "ats/models.py",
    "ats/sync.py",
)
ROWS_PAGE_SIZE = 1000
SANDBOX_RECRUITEE_TOKEN = "sandbox-recruitee"  # noqa: S105 - the sandbox's public demo token


def bench_connection(sandbox_url: str):
    """The hub's Recruitee connection to the sandbox (created, or pointed at this run's port)."""
    from integrations.models import Connection

    connection, _ = Connection.objects.update_or_create(
        provider="recruitee",
        name="bench",
        defaults={
            "base_url": f"{sandbox_url}/recruitee",
            "company_id": "1",
            "api_token": SANDBOX_RECRUITEE_TOKEN,
        },
    )
    return connection


def cached_candidate_rows(connection, candidates: int) -> Path:
    """The sandbox's candidates as the sync maps them (`ats.sync.candidate_row`), pickled.

    Read once over HTTP through the hub's own client and Recruitee pagination
    (pages of 1,000), mapped by the sync's own code, and kept under var/bench in
    pages: writing them again is then the sync's database work alone. For a new
    mapping (see `candidate_rows_path`), the records (parsed answers) another
    file keeps are mapped again.
    """
    from ats.sync import candidate_row
    from integrations.providers import recruitee
    from integrations.services.connections import connection_client

    path = candidate_rows_path(connection, candidates)
    if path.exists():
        return path
    print(f"mapping {candidates:,} candidates as the sync does into {path.name}…", flush=True)
    started = time.perf_counter()
    partial = path.with_suffix(".partial")
    stem = path.stem.rsplit("-", 1)[0]
    earlier = [p for p in BENCH_VAR.glob(f"{stem}-*.pickle") if _records_readable(p)]
    with partial.open("wb") as out:
        if earlier:
            for page in _pages(earlier[0]):
                rows = [
                    dataclasses.replace(candidate_row(row.record), stages=row.stages)
                    for row in page
                ]
                pickle.dump(rows, out, protocol=pickle.HIGHEST_PROTOCOL)
        else:
            client = connection_client(connection, background=True)
            for page in recruitee.candidate_pages(client, page_size=ROWS_PAGE_SIZE):
                rows = [candidate_row(record, page.references) for record in page.candidates]
                pickle.dump(rows, out, protocol=pickle.HIGHEST_PROTOCOL)
    partial.rename(path)
    print(f"  mapped in {time.perf_counter() - started:.0f} s", flush=True)
    return path


def candidate_rows_path(connection, candidates: int) -> Path:
    """Where the rows are kept: named by the sandbox's data and by what the sync's mapping
    gives for the sandbox's first 200 candidates (so each mapping keeps its own file)."""
    from ats.sync import candidate_row
    from integrations.http import call_log
    from integrations.providers import recruitee
    from integrations.services.connections import connection_client

    client = connection_client(connection, background=True)
    sample = next(recruitee.candidate_pages(client, page_size=200))
    call_log.flush()  # now, while this database is still there
    mapped = [sorted(candidate_row(r, sample.references).fields.items()) for r in sample.candidates]
    mapping = hashlib.blake2b(repr(mapped).encode(), digest_size=6).hexdigest()
    stem = f"candidate-rows-{candidates}-{source_digest(*CANDIDATE_ROW_SOURCES)}"
    return BENCH_VAR / f"{stem}-{mapping}.pickle"


def _pages(rows_file: Path):
    with rows_file.open("rb") as rows:
        while True:
            try:
                yield pickle.load(rows)  # noqa: S301 - our own file under var/bench
            except EOFError:
                return


def _records_readable(rows_file: Path) -> bool:
    try:
        return all(row.record is not None for row in next(_pages(rows_file)))
    except Exception:  # a file from older code (a class that changed): read the sandbox again
        return False


def fill_synced_candidates(connection, rows_file: Path) -> None:
    """Offers synced over HTTP, then the cached candidate rows written by the sync engine.

    Each page goes through `sync_resource` (upsert, placements, run counters, one
    transaction a page), so the tables hold what a full sync leaves behind.
    """
    from ats.sync import CANDIDATES, OFFERS
    from integrations.sync.engine import sync_resource
    from integrations.sync.resources import FetchedPage

    def fetch_from_file(client, connection, request):
        for page in _pages(rows_file):
            yield FetchedPage(rows=page, checkpoint=None)

    started = time.perf_counter()
    for resource in (OFFERS, dataclasses.replace(CANDIDATES, fetch=fetch_from_file)):
        run = sync_resource(connection=connection, resource=resource, full=True)
        if run.status != "succeeded":
            raise RuntimeError(f"the {resource.label} sync ended {run.status}: {run.error}")
    print(f"  wrote the synced rows in {time.perf_counter() - started:.0f} s", flush=True)


def hub_sqlite_database(target: Path, candidates: int, sandbox_url: str):
    """A production-settings SQLite hub at `target` with `candidates` synced candidates.

    The filled file is kept under var/bench, named by the schema and sync code and
    by the rows it was filled from, and copied on later runs. Returns the bench
    connection and the kept file (`hub_postgres_database` copies it).
    """
    from django.db import connection as db
    from django.db import connections

    setup_django_production(f"sqlite:///{target}")
    mapping = candidate_rows_path(bench_connection(sandbox_url), candidates).stem[-12:]
    code = source_digest(*HUB_DATABASE_SOURCES)
    cached = BENCH_VAR / f"hub-{candidates}-{code}-{mapping}.sqlite3"
    if cached.exists():
        connections.close_all()
        for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
            leftover.unlink(missing_ok=True)
        shutil.copyfile(cached, target)
        return bench_connection(sandbox_url), cached
    connection = bench_connection(sandbox_url)
    print(f"filling the SQLite hub with {candidates:,} synced candidates…", flush=True)
    fill_synced_candidates(connection, cached_candidate_rows(connection, candidates))
    with db.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(target, cached.with_suffix(".partial"))
    cached.with_suffix(".partial").rename(cached)
    return connection, cached


def hub_postgres_database(database: PostgresDatabase, sqlite_hub: Path, sandbox_url: str):
    """A production-settings PostgreSQL hub holding what the filled SQLite hub holds.

    Every table the two share is copied row for row (COPY, the columns they share,
    PostgreSQL's own triggers firing), with the plain indexes built afterwards and
    the sequences moved past the copied ids: the rows the sync wrote, on PostgreSQL.
    """
    setup_django_production(database.url)
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection as db
    from django.db import transaction

    print(f"copying {sqlite_hub.name} into PostgreSQL {database.name}…", flush=True)
    started = time.perf_counter()
    source = sqlite3.connect(f"file:{sqlite_hub}?mode=ro", uri=True)
    shared = [
        name
        for (name,) in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if name in set(db.introspection.table_names()) and name != "django_migrations"
    ]
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        )
        plain_indexes = cursor.fetchall()
        with transaction.atomic():
            cursor.execute(f"TRUNCATE {', '.join(_quoted(t) for t in shared)} CASCADE")
            for name, _ in plain_indexes:
                cursor.execute(f"DROP INDEX {_quoted(name)}")
            for table in shared:
                _copy_table(source, cursor, table)
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the foreign keys, checked now
            for _, definition in plain_indexes:
                cursor.execute(definition)
            for statement in db.ops.sequence_reset_sql(no_style(), apps.get_models()):
                cursor.execute(statement)
        cursor.execute("VACUUM ANALYZE")
    source.close()
    print(f"  copied in {time.perf_counter() - started:.0f} s", flush=True)
    return bench_connection(sandbox_url)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _copy_table(source: sqlite3.Connection, cursor, table: str) -> None:
    """One table's shared, writable columns from SQLite into PostgreSQL with COPY."""
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
        "AND table_name = %s AND is_generated = 'NEVER'",
        [table],
    )
    target = {name for (name,) in cursor.fetchall()}
    columns = [row[1] for row in source.execute(f"PRAGMA table_info({_quoted(table)})")]
    columns = [c for c in columns if c in target]
    listed = ", ".join(_quoted(c) for c in columns)
    rows = source.execute(f"SELECT {listed} FROM {_quoted(table)}")  # noqa: S608 - names from the schemas
    with cursor.copy(f"COPY {_quoted(table)} ({listed}) FROM STDIN") as copy:
        while batch := rows.fetchmany(5000):
            for row in batch:
                copy.write_row(row)
