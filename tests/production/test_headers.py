"""Security headers: a CSP that allows only the app's own files, Permissions-Policy, no-store."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.templatetags.static import static

from tests.unit.test_foundation import _production_env as production_env

ROOT = Path(settings.BASE_DIR)
TEMPLATES = ROOT / "templates"
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


def served_hsts(tmp_path, **env: str) -> tuple[str | None, subprocess.CompletedProcess]:
    """The Strict-Transport-Security header the production settings serve over https, and
    `check --deploy --fail-level WARNING` (docs/deploy.md section 2) with the same values."""
    values = production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", **env)
    script = (
        "import django; django.setup(); from django.test import Client; "
        "print(Client().get('/healthz', secure=True).headers.get('Strict-Transport-Security'))"
    )
    served = subprocess.run(  # noqa: S603 - the test's own interpreter
        [sys.executable, "-c", script], cwd=ROOT, env=values, capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    check = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=values, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return served.stdout.strip().splitlines()[-1], check


def test_hsts_is_on_without_subdomains_or_preload_unless_the_operator_says(tmp_path):
    header, check = served_hsts(tmp_path)
    assert header == "max-age=31536000"
    assert check.returncode == 0, check.stderr


def test_the_operator_can_add_include_subdomains_and_preload(tmp_path):
    header, check = served_hsts(
        tmp_path,
        DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
        DJANGO_SECURE_HSTS_PRELOAD="true",
        DJANGO_SECURE_HSTS_SECONDS="63072000",
    )
    assert header == "max-age=63072000; includeSubDomains; preload"
    assert check.returncode == 0, check.stderr
