"""Django's own lines about a request name its path: a receiver's token in it is masked,
whether or not the path resolved (an error before URL resolution has no match)."""

import logging

from django.test import RequestFactory

TOKEN = "v7eN4FtDGvXyr__7EGVTla06URql-ljqYuBdXEKPmTU"


def test_a_django_request_line_masks_the_token_of_an_unresolved_receiver_path(caplog):
    path = f"/webhooks/affinity/{TOKEN}"
    request = RequestFactory().post(path)  # never resolved: no resolver_match
    with caplog.at_level(logging.ERROR, logger="django.request"):
        logging.getLogger("django.request").error(
            "Service Unavailable: %s", request.path, extra={"request": request}
        )
    assert "Service Unavailable: /webhooks/affinity/********" in caplog.text
    assert TOKEN not in caplog.text


def test_every_field_of_an_access_log_line_masks_secret_query_values():
    """A format may show the query alone (`%(q)s`) or the Referer, not only the request line."""
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config

    from core.access_log import AccessLog

    query = f"signature={TOKEN}&page=2"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/healthz?{query}",
        "PATH_INFO": "/healthz",
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://hub.example.test/calls/?access_token={TOKEN}",
    }
    response = SimpleNamespace(status="200 OK", headers=[], sent=2)
    atoms = AccessLog(Config()).atoms(response, [], environ, timedelta(seconds=0))
    assert atoms["r"] == "GET /healthz?signature=[REDACTED]&page=2 HTTP/1.1"
    assert atoms["q"] == "signature=[REDACTED]&page=2"
    assert atoms["f"] == "https://hub.example.test/calls/?access_token=[REDACTED]"
    assert TOKEN not in repr(atoms)
