"""gunicorn, started as docs/deploy.md says, never writes a receiver's token to its access log
(for Affinity, which signs nothing, the token in the URL is the only check on a delivery),
nor the value of a secret-looking query parameter."""

import http.client
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
PASTED_KEY = "key-SECRET-5e4d3c2b1a"


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


def post(port: int, path: str, body: bytes) -> int:
    """The status of a POST to `path`, as answered (a redirect is not followed)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("POST", path, body, {"Content-Type": "application/json"})
        return connection.getresponse().status
    finally:
        connection.close()


def test_the_access_log_shows_a_delivery_with_its_token_masked(tmp_path, collected_static):
    connection = Connection.objects.create(provider="affinity", name="prod")
    token = endpoint_for(connection).token
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with hub_processes(tmp_path) as hub:
        hub.shell(
            "gunicorn",
            documented_gunicorn(),
            PORT=str(port),
            HUB_TEST_STATIC_ROOT=str(collected_static),  # the 404 page links static files
        )
        wait_for(lambda: answers(f"{base}/healthz"), timeout=60, what="gunicorn to answer")
        assert post(port, f"/webhooks/affinity/{token}/", affinity_event()) == 200
        unknown = "x" * 43  # a token no endpoint has: masked too
        assert post(port, f"/webhooks/affinity/{unknown}/", affinity_event()) == 404
        # Without the trailing slash the path resolves to nothing: APPEND_SLASH redirects.
        assert post(port, f"/webhooks/affinity/{token}", affinity_event()) == 301
        assert answers(f"{base}/healthz?api_key={PASTED_KEY}&page=2")  # a key pasted in a URL

        def logged() -> bool:
            log = hub.log("gunicorn")
            return log.count("POST /webhooks/affinity/") == 3 and "/healthz?" in log

        wait_for(logged, timeout=10, what="the access log's lines")
        log = hub.log("gunicorn")
    assert token not in log and unknown not in log and PASTED_KEY not in log, log
    assert '"POST /webhooks/affinity/********/ HTTP/1.1" 200' in log, log
    assert '"POST /webhooks/affinity/********/ HTTP/1.1" 404' in log, log
    assert '"POST /webhooks/affinity/******** HTTP/1.1" 301' in log, log
    assert '"GET /healthz?api_key=[REDACTED]&page=2 HTTP/1.1" 200' in log, log
