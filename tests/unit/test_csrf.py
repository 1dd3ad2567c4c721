"""Every form that changes something refuses a POST without the CSRF token."""

import pytest
from django.test import Client

POSTS = [
    "/candidates/new/",
    "/organizations/new/",
    "/persons/new/",
    "/projects/new/",
    "/projects/import/",
    "/organizations/bulk/",
    "/sync/1/recruitee.candidates/start/",
    "/outbox/1/retry/",
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
