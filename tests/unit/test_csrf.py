"""Every form that changes something refuses a POST without the CSRF token."""

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver

POSTS = [
    "/candidates/new/",
    "/organizations/new/",
    "/persons/new/",
    "/projects/new/",
    "/projects/import/",
    "/organizations/bulk/",
    "/sync/1/recruitee.candidates/start/",
    "/outbox/1/retry/",
    "/outbox/1/send-again/",
    "/outbox/1/dismiss/",
    "/accounts/logout/",
    "/accounts/password_change/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", POSTS)
def test_a_post_without_the_csrf_token_is_refused(path, user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(path, {"name": "x"})
    assert response.status_code == 403


def test_only_the_webhook_receiver_is_csrf_exempt():
    """Every other URL, the admin's included, goes through the CSRF check: a new view
    marked exempt fails here."""

    def exempt(patterns):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from exempt(entry.url_patterns)
            elif getattr(entry.callback, "csrf_exempt", False):
                yield entry.name

    assert set(exempt(get_resolver().url_patterns)) == {"webhook_receive"}
