"""docs/deploy.md's commands work where they are shown: the shell blocks in a shell (the smoke
test runs them), the systemd units as systemd reads them."""

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

DOC = (Path(__file__).resolve().parents[2] / "docs" / "deploy.md").read_text()
# What ExecStart= does not do: only ${NAME} and $NAME are replaced; no defaults, command
# substitution, pipes, redirections, lists or home directories.
SHELL_ONLY = re.compile(r"\$\{[^}]*[^A-Za-z0-9_}][^}]*\}|\$\(|`|[|;&<>]|(^|\s)~")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC, re.S)


def shell_commands() -> list[list[str]]:
    """The commands of the shell blocks, continued lines joined, comments dropped."""
    joined = (line for b in blocks("sh") for line in b.replace("\\\n", " ").splitlines())
    return [shlex.split(line.split("#")[0]) for line in joined if line.strip()]


def unit_commands() -> dict[str, list[str]]:
    """ExecStart= of each unit shown, by the program it runs."""
    found = {}
    for block in blocks("ini"):
        if "[Service]" not in block:
            continue
        # systemd joins a line ending in a backslash with the next.
        (command,) = re.findall(r"^ExecStart=(.*)$", block.replace("\\\n", " "), re.M)
        assert not SHELL_ONLY.search(command), command
        args = command.split()
        assert args[0].startswith("/"), "systemd needs the program's absolute path"
        program = args[2] if args[1].endswith("manage.py") else Path(args[0]).name
        found[program] = args
    return found


def test_each_background_process_has_a_unit_running_the_documented_command():
    units = unit_commands()
    assert set(units) == {"gunicorn", "db_worker", "run_scheduler"}
    for program, unit in units.items():
        (shown,) = [c for c in shell_commands() if program in " ".join(c[:3])]
        tail = unit[1:] if program == "gunicorn" else unit[2:]
        documented = shown[1:] if program == "gunicorn" else shown[2:]
        # The shell's port default is the unit's port.
        documented = [arg.replace("${PORT:-8000}", "8000") for arg in documented]
        assert tail == documented, program


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd is not installed")
def test_systemd_accepts_the_units(tmp_path):
    root = str(Path(__file__).resolve().parents[2])
    for block in blocks("ini"):
        name = re.search(r"/etc/systemd/system/(\S+)", block).group(1).replace("@.", "@1.")
        (tmp_path / name).write_text(block.replace("/srv/hub", root))
        verified = subprocess.run(  # noqa: S603 - our own files
            ["systemd-analyze", "verify", str(tmp_path / name)],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert verified.returncode == 0 and not verified.stderr, verified.stderr


def test_the_upgrade_stops_the_workers_before_migrating_and_restarts_everything_after():
    section = re.search(r"^## \d+\. Upgrading\n(.*?)(?=^## |\Z)", DOC, re.M | re.S)
    assert section, "docs/deploy.md has no upgrade procedure"
    commands = [
        " ".join(line.split())
        for block in re.findall(r"```sh\n(.*?)```", section.group(1), re.S)
        for line in block.replace("\\\n", " ").splitlines()
        if line.strip()
    ]

    def step(*words: str) -> int:
        (index,) = [i for i, c in enumerate(commands) if all(w in c.split() for w in words)]
        return index

    started = " ".join(c for c in commands if re.search(r"systemctl (re)?start", c))
    for unit in re.findall(r"system/(\S+?)@?\.service", DOC):
        assert unit in started, f"{unit} is not started again"
    assert step("git", "pull") < step("install", "-r", "requirements.txt") < step("migrate")
    assert step("stop", "hub-scheduler") < step("migrate") < step("restart", "hub-web")
    assert step("collectstatic", "--noinput") < step("restart", "hub-web")
    assert step("check", "--deploy") < step("restart", "hub-web") < step("start", "hub-scheduler")
