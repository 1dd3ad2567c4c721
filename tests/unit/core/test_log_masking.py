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
