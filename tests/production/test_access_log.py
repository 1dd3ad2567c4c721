"""gunicorn, started as docs/deploy.md says, never writes a receiver's token to its access log:
for Affinity, which signs nothing, the token in the URL is the only check on a delivery."""

import socket
import urllib.error
import urllib.request

import pytest

from integrations.models import Connection
from integrations.webhooks.endpoints import endpoint_for
from tests.processes import hub_processes, wait_for
from tests.production.test_smoke_script import smoke_test
from tests.unit.webhooks.payloads import affinity_event

pytestmark = pytest.mark.django_db(transaction=True)


def documented_gunicorn() -> str:
    (step,) = [s for s in smoke_test.deploy_steps(smoke_test.DEPLOY_DOC.read_text())
               if "gunicorn" in s.command]  # fmt: skip
    return step.command


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str) -> bool:
    """Whether anything answers (/healthz may say 503: the test's static files are not here)."""
    try:
        with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - loopback
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def post(url: str, body: bytes) -> int:
    request = urllib.request.Request(  # noqa: S310 - loopback
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_access_log_shows_a_delivery_with_its_token_masked(tmp_path):
    connection = Connection.objects.create(provider="affinity", name="prod")
    token = endpoint_for(connection).token
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with hub_processes(tmp_path) as hub:
        hub.shell("gunicorn", documented_gunicorn(), PORT=str(port))
        wait_for(lambda: answers(f"{base}/healthz"), timeout=60, what="gunicorn to answer")
        assert post(f"{base}/webhooks/affinity/{token}/", affinity_event()) == 200
        unknown = "x" * 43  # a token no endpoint has: masked too
        assert post(f"{base}/webhooks/affinity/{unknown}/", affinity_event()) == 404

        def logged() -> bool:
            return hub.log("gunicorn").count("POST /webhooks/affinity/") == 2

        wait_for(logged, timeout=10, what="the access log's lines")
        log = hub.log("gunicorn")
    assert token not in log and unknown not in log, log
    assert '"POST /webhooks/affinity/********/ HTTP/1.1" 200' in log, log
    assert '"POST /webhooks/affinity/********/ HTTP/1.1" 404' in log, log
