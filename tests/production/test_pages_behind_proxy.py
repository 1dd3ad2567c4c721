"""Every page answers 200 with DEBUG off, the manifest storage, and a TLS-terminating proxy."""

import pytest
from django.templatetags.static import static

from tests.production.test_smoke_script import smoke_test

pytestmark = pytest.mark.django_db


def pages() -> list[str]:
    """The URL conf's pages without parameters, as the smoke test opens them."""
    urlconf = smoke_test.UrlConf(smoke_test.app_url_patterns())
    return [path for _, path in urlconf.pages_without_parameters()]


def test_every_page_answers_200_over_the_proxy(client, staff_user, settings, sandbox_connection):
    for provider in ("recruitee", "affinity", "projecttool"):
        sandbox_connection(provider)
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client.force_login(staff_user)
    stylesheet = static("vendor/bootstrap/bootstrap.min.css")  # the hashed name
    assert stylesheet != "/static/vendor/bootstrap/bootstrap.min.css"
    paths = pages()
    assert "/candidates/new/" in paths
    for path in paths:
        response = client.get(path, headers={"X-Forwarded-Proto": "https"}, follow=True)
        assert response.status_code == 200, path
        if response["Content-Type"].startswith("text/html"):
            assert stylesheet.encode() in response.content, path
