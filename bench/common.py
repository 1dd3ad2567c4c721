"""Shared set-up for the benchmarks: Django on a throwaway database, the sandbox
as its own process, and the one JSON line each benchmark ends with."""

from __future__ import annotations

import json
import os
import socket
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
    """Background workers as production runs them: `workers` times `manage.py db_worker` and one
    `manage.py run_scheduler`, in their own processes, on this process's settings and
    database (its environment, `DATABASE_URL` included). Their output goes to `log_dir`."""

    def __init__(self, log_dir: Path, *, workers: int = 2, scheduler_interval: float = 1.0) -> None:
        commands = [
            ["db_worker", "--no-startup-delay", "--interval", "0.5", f"--worker-id=bench-{n}"]
            for n in range(1, workers + 1)
        ]
        commands.append(["run_scheduler", "--interval", str(scheduler_interval)])
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


def report(name: str, metric: str, value: float, goal: float, passed: bool, **extra) -> None:
    """The benchmark's last line: one JSON object, comparable run to run."""
    line = {"bench": name, "metric": metric, "value": round(value, 3), "goal": goal}
    line.update(extra)
    line["pass"] = passed
    print(json.dumps(line), flush=True)


def _manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=_child_env(), check=True)  # noqa: S603


def _child_env() -> dict[str, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test", "LOG_LEVEL": "WARNING"}
    env.pop("DATABASE_URL", None)
    return env
