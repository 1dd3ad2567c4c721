"""The hub's background processes, started for real by a test: workers and the scheduler.

They run `manage.py` in child processes on the test's own database, so a
test can kill one with SIGKILL mid-work, as production meets it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def database_url() -> str:
    """The URL of the database the test process is using (the test database)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class HubProcesses:
    """Start `manage.py` commands on the test database; every one is stopped at the end."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.process_settings",
            "DATABASE_URL": database_url(),
            "LOG_LEVEL": "WARNING",
            **env,
        }
        self.logs = logs
        self.started: list[subprocess.Popen] = []

    def start(self, name: str, *args: str) -> subprocess.Popen:
        return self._spawn(name, [sys.executable, "manage.py", *args], self.env)

    def shell(self, name: str, command: str, **env: str) -> subprocess.Popen:
        """A command as a shell runs it (one of docs/deploy.md's), with `env` added."""
        argv = ["/bin/bash", "-euo", "pipefail", "-c", command]
        return self._spawn(name, argv, {**self.env, **env})

    def log(self, name: str) -> str:
        """What the process named `name` wrote so far."""
        (path,) = self.logs.glob(f"{name}-*.log")
        return path.read_text(errors="replace")

    def _spawn(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = (self.logs / f"{name}-{len(self.started)}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603 - our own commands
            argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        self.started.append(process)
        return process

    def worker(self, worker_id: str) -> subprocess.Popen:
        return self.start(
            worker_id, "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2",
            "--worker-id", worker_id,
        )  # fmt: skip

    def scheduler(self) -> subprocess.Popen:
        return self.start("scheduler", "run_scheduler", "--interval", "1")

    def output(self) -> str:
        return "\n".join(
            path.read_text(errors="replace") for path in sorted(self.logs.glob("*.log"))
        )

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def hub_processes(tmp_path: Path, **env: str) -> Iterator[HubProcesses]:
    """The hub's processes for the block; a failed assertion in it shows what they logged."""
    processes = HubProcesses(env, tmp_path)
    try:
        yield processes
    except AssertionError as failure:
        logged = processes.output()[-6000:]
        raise AssertionError(
            f"{failure}\n--- the hub's processes logged ---\n{logged}"
        ) from failure
    finally:
        processes.stop_all()


def wait_for(condition: Callable[[], object], *, timeout: float, what: str) -> float:
    """Poll until `condition()` is true; returns the seconds it took."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)
    return time.monotonic() - started
