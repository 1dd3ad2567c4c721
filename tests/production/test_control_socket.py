"""gunicorn, started as docs/deploy.md says, opens no control socket: from 25.1 it makes one
by default in `$XDG_RUNTIME_DIR` or `~/.gunicorn/` (outside the app's directory, which a
home-less service user cannot write), and a second gunicorn of the same user replaces it.
The deploy manages gunicorn with signals (`systemctl reload`), never `gunicornc`."""

import pytest

from tests.processes import hub_processes, wait_for
from tests.production.test_access_log import answers, documented_gunicorn, free_port

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_documented_gunicorn_opens_no_control_socket(tmp_path):
    home, runtime = tmp_path / "home", tmp_path / "run"
    home.mkdir()
    runtime.mkdir()
    port = free_port()
    with hub_processes(tmp_path) as hub:
        hub.shell(
            "gunicorn",
            documented_gunicorn(),
            PORT=str(port),
            HOME=str(home),
            XDG_RUNTIME_DIR=str(runtime),
        )
        wait_for(lambda: answers(f"http://127.0.0.1:{port}/healthz"), timeout=60, what="gunicorn")
        assert not any(home.iterdir()) and not any(runtime.iterdir())
    log = hub.log("gunicorn")  # stopped: every line of its start is written
    assert "Control socket" not in log, log
