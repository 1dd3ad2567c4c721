"""The ground every page stands on: login, health check, settings, deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(__file__).resolve().parents[2]
# /metrics checks its own bearer token instead (tests/unit/integrations/test_metrics.py);
# /favicon.ico is a redirect to the static icon, which browsers fetch before anyone signs in.
PUBLIC_PATHS = {"/accounts/login/", "/healthz", "/metrics", "/favicon.ico"}


def _production_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "FIELD_"))}
    env.update(
        DJANGO_ENV_FILE=os.devnull,
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="a-long-production-like-secret-key-with-many-different-characters-1234",
        FIELD_ENCRYPTION_KEY="Nl2uYHcdBQN1b3mV8kbXaCD4j4lOhCHxxbWhWBbVJ3s=",
        DJANGO_ALLOWED_HOSTS="hub.example.com",
    )
    env.update(overrides)
    return env


def _concrete_paths() -> list[str]:
    """Every URL of the project without parameters, outside the admin."""
    paths: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for entry in patterns:
            route = str(entry.pattern)
            if isinstance(entry, URLResolver):
                if route.startswith("admin/"):
                    continue
                walk(entry.url_patterns, prefix + route)
            elif isinstance(entry, URLPattern) and "<" not in route:
                paths.append("/" + prefix + route)

    walk(get_resolver().url_patterns, "")
    return paths


@pytest.mark.django_db
def test_every_page_but_login_and_healthz_requires_login(client):
    paths = _concrete_paths()
    assert "/" in paths
    for path in paths:
        if path in PUBLIC_PATHS:
            continue
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/"), path


@pytest.mark.django_db
def test_login_page_is_public(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b"Log in" in response.content


def test_dashboard_lists_the_providers(logged_in_client):
    response = logged_in_client.get("/")
    assert response.status_code == 200
    for name in (b"Recruitee", b"Affinity", b"Project tool"):
        assert name in response.content


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "FIELD_ENCRYPTION_KEY"])
def test_missing_secret_with_debug_off_names_the_variable(missing):
    env = _production_env()
    del env[missing]
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert f"Set the {missing} environment variable" in result.stderr


def test_real_environment_overrides_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("TIME_ZONE=Europe/Amsterdam\nLOG_LEVEL=DEBUG\n")
    env = _production_env(DJANGO_ENV_FILE=str(env_file), TIME_ZONE="Asia/Tokyo")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import config.settings as s; print(s.TIME_ZONE, s.LOG_LEVEL)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["Asia/Tokyo", "DEBUG"]


def test_check_deploy_is_clean_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_on_the_example_files_placeholder_encryption_key():
    """.env.example copied and FIELD_ENCRYPTION_KEY left as it came: the deploy's check
    says so, instead of the first saved credential failing later."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(FIELD_ENCRYPTION_KEY="generated-by-make-run"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEY must be one or more comma-separated Fernet keys" in result.stderr


def test_the_pgbouncer_settings_of_the_deploy_doc_reach_django():
    """docs/deploy.md: DATABASE_CONN_MAX_AGE=0 and ?disable_server_side_cursors=True."""
    env = _production_env(
        DATABASE_URL="postgres://hub@127.0.0.1:6432/hub?disable_server_side_cursors=True",
        DATABASE_CONN_MAX_AGE="0",
    )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import config.settings as s; d = s.DATABASES['default']; "
            "print(d['CONN_MAX_AGE'], d['DISABLE_SERVER_SIDE_CURSORS'], d['OPTIONS'])",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["0", "True", "{}"]


def test_check_deploy_passes_when_the_proxy_redirects_to_https_itself():
    """.env.example: DJANGO_SECURE_SSL_REDIRECT=false when a proxy already redirects; the
    deploy's check (docs/deploy.md section 2) must still pass."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(DJANGO_SECURE_SSL_REDIRECT="false"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
