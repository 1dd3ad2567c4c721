"""`make run` (scripts/run.sh) keeps the hub up when one of its processes dies.

Runs the real script in a temporary directory (its own env file, SQLite
database, sandbox file and free ports), SIGKILLs the worker and then the
sandbox, and checks that each is named, restarted, and that the web app kept
answering; then SIGTERM must leave no process behind.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from make_env import render  # noqa: E402 (scripts/ is not a package)

BASH = shutil.which("bash")
pytestmark = pytest.mark.skipif(BASH is None, reason="scripts/run.sh needs bash")

STARTED = re.compile(r"run\.sh: started (\w+) \(pid (\d+)\)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_env_file(directory: Path, sandbox_port: int) -> Path:
    """.env.example with fresh secrets, pointing at this directory's files."""
    settings = {
        "DATABASE_URL": f"sqlite:///{directory / 'db.sqlite3'}",
        "SANDBOX_URL": f"http://127.0.0.1:{sandbox_port}",
        "SANDBOX_DATABASE_PATH": str(directory / "sandbox.sqlite3"),
    }
    example = render((ROOT / ".env.example").read_text()).splitlines()
    kept = [line for line in example if line.partition("=")[0].lstrip("# ") not in settings]
    path = directory / "env"
    path.write_text("\n".join([*kept, *(f"{k}={v}" for k, v in settings.items())]) + "\n")
    return path


class RunScript:
    """scripts/run.sh in its own session, its terminal output in a file."""

    def __init__(self, directory: Path) -> None:
        self.sandbox_port, self.web_port = free_port(), free_port()
        self.env = {
            "PATH": os.environ["PATH"],
            "HOME": str(directory),
            "LANG": "C.UTF-8",
            "DJANGO_ENV_FILE": str(write_env_file(directory, self.sandbox_port)),
            "WEB_PORT": str(self.web_port),
        }
        self.output = directory / "terminal.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        subprocess.run(
            [".venv/bin/python", "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env=self.env,
            check=True,
        )
        with self.output.open("wb") as output:
            self.process = subprocess.Popen(  # noqa: S603 - our own script
                [BASH, "scripts/run.sh"],
                cwd=ROOT,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group and session, to find leftovers
            )

    def terminal(self) -> str:
        return self.output.read_text(errors="replace")

    def pids(self, name: str) -> list[int]:
        """Every pid the script said it started for this process, oldest first."""
        return [int(pid) for kind, pid in STARTED.findall(self.terminal()) if kind == name]

    def web_ok(self) -> bool:
        try:
            url = f"http://127.0.0.1:{self.web_port}/healthz"
            return requests.get(url, timeout=3).status_code == 200
        except requests.RequestException:
            return False

    def sandbox_ok(self) -> bool:
        try:
            url = f"http://127.0.0.1:{self.sandbox_port}/_sandbox/health"
            return requests.get(url, timeout=3).status_code == 200
        except requests.RequestException:
            return False

    def leftovers(self) -> list[str]:
        """Processes still in the script's session."""
        assert self.process is not None
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rpartition(")")[2].split()
            except OSError:
                continue  # it ended while we looked
            if int(fields[3]) == self.process.pid and fields[0] != "Z":
                found.append((stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        return found

    def kill_everything(self) -> None:
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):  # only what this test started
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def wait_for(check, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def is_running(pid: int, command: str) -> bool:
    try:
        return command in Path(f"/proc/{pid}/cmdline").read_bytes().decode()
    except OSError:
        return False


class Poller(threading.Thread):
    """Asks the web app for /healthz every 0.1 s and keeps what went wrong."""

    def __init__(self, run: RunScript) -> None:
        super().__init__(daemon=True)
        self.run_script, self.stop, self.answered, self.failures = run, threading.Event(), 0, []

    def run(self) -> None:
        while not self.stop.is_set():
            if self.run_script.web_ok():
                self.answered += 1
            else:
                self.failures.append(time.strftime("%H:%M:%S"))
            time.sleep(0.1)


def kill_and_see_restart(run: RunScript, name: str, command: str) -> int:
    [old] = run.pids(name)
    os.kill(old, signal.SIGKILL)
    wait_for(lambda: len(run.pids(name)) == 2, f"a new {name}")
    new = run.pids(name)[1]
    assert new != old
    assert f"run.sh: {name} (pid {old}) was killed by SIGKILL" in run.terminal()
    wait_for(lambda: is_running(new, command), f"the new {name} to run")
    return new


def test_make_run_restarts_a_dead_worker_and_sandbox_and_stops_cleanly(tmp_path):
    run = RunScript(tmp_path)
    try:
        run.start()
        wait_for(run.web_ok, "the web app", timeout=60)  # six Django processes boot at once
        wait_for(run.sandbox_ok, "the sandbox")
        wait_for(lambda: run.pids("worker") and run.pids("scheduler"), "the worker")
        poller = Poller(run)
        poller.start()

        kill_and_see_restart(run, "worker", "db_worker")
        kill_and_see_restart(run, "sandbox", "run_sandbox")
        wait_for(run.sandbox_ok, "the restarted sandbox to serve")
        assert is_running(run.pids("scheduler")[0], "run_scheduler")  # untouched

        poller.stop.set()
        poller.join()
        assert poller.answered > 10 and poller.failures == []

        run.process.send_signal(signal.SIGTERM)
        assert run.process.wait(timeout=20) == 0
        deadline = time.monotonic() + 5
        while run.leftovers() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert run.leftovers() == []
    finally:
        run.kill_everything()
