"""Security headers: a CSP that allows only the app's own files, Permissions-Policy, no-store."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.templatetags.static import static

TEMPLATES = Path(settings.BASE_DIR) / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {name: values for name, *values in parts}


@pytest.mark.parametrize("pattern", [INLINE_SCRIPT, EVENT_HANDLER, STYLE_ATTRIBUTE])
def test_no_template_has_inline_script_handlers_or_styles(pattern):
    offenders = [
        str(path.relative_to(TEMPLATES))
        for path in sorted(TEMPLATES.rglob("*.html"))
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_pages_allow_only_the_apps_own_scripts_and_styles(client):
    policy = directives(client.get("/accounts/login/"))
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in " ".join(v for vs in policy.values() for v in vs)


def test_htmx_is_configured_for_the_csp(client):
    content = client.get("/accounts/login/").content.decode()
    assert '"allowEval": false' in content
    assert '"includeIndicatorStyles": false' in content


def test_every_page_switches_off_unused_browser_features(client):
    policy = client.get("/accounts/login/")["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in policy


@pytest.mark.parametrize("path", ["/", "/candidates/", "/outbox/"])
def test_what_a_signed_in_user_sees_is_never_stored(logged_in_client, path):
    response = logged_in_client.get(path)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_static_files_keep_far_future_caching(client):
    url = static("vendor/bootstrap/bootstrap.min.css")
    response = client.get(url)
    assert response.status_code == 200
    assert "immutable" in response["Cache-Control"]
    assert "no-store" not in response["Cache-Control"]
    b"".join(response.streaming_content)
