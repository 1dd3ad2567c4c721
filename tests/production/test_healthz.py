"""/healthz answers 503 with the reason whenever the app cannot render a page."""

import json
import shutil
import socket
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.db import DatabaseError
from django.db.migrations.recorder import MigrationRecorder

from core import health

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_migrations_check():
    health.forget_migrations_check()
    yield
    health.forget_migrations_check()


@pytest.fixture
def static_copy(tmp_path, settings):
    """A copy of the session's collected static files that a test may break."""
    root = tmp_path / "static"
    shutil.copytree(django_settings.STATIC_ROOT, root)
    settings.STATIC_ROOT = root
    return root


def test_healthy_app_answers_200_with_every_check(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "static": "ok",
        "migrations": "ok",
    }
    assert "no-cache" in response["Cache-Control"]


def test_database_that_does_not_answer_is_a_503(client):
    with mock.patch("core.health.connection.cursor", side_effect=DatabaseError("pw=hunter2")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "the database does not answer"
    assert b"hunter2" not in response.content


def test_missing_manifest_is_a_503_even_after_a_healthy_answer(client, static_copy):
    assert client.get("/healthz").status_code == 200
    (static_copy / "staticfiles.json").unlink()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["static"] == "the static files manifest is missing: run collectstatic"


def test_manifest_without_the_layouts_files_is_a_503(client, static_copy, settings):
    manifest = static_copy / "staticfiles.json"
    data = json.loads(manifest.read_text())
    del data["paths"]["vendor/htmx/htmx.min.js"]
    manifest.write_text(json.dumps(data))
    settings.STATIC_ROOT = static_copy  # the storage reloads the manifest, as at start-up
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "no entry for vendor/htmx/htmx.min.js" in response.json()["static"]


def test_collected_file_deleted_from_disk_is_a_503(client, static_copy):
    for path in static_copy.rglob("bootstrap.min.*.css"):
        path.unlink()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "vendor/bootstrap/bootstrap.min." in response.json()["static"]


def test_pending_migrations_are_a_503(client):
    MigrationRecorder.Migration.objects.filter(app="sessions").delete()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["migrations"] == "migrations are not applied (1): run migrate"


def test_a_clean_migrations_check_is_remembered(client, django_assert_max_num_queries):
    assert client.get("/healthz").status_code == 200
    with django_assert_max_num_queries(1):  # SELECT 1 only
        assert client.get("/healthz").status_code == 200


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_redis_cache_that_does_not_answer_is_a_503(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"] == "the cache (Redis) does not answer"


def test_the_load_balancer_may_ask_over_plain_http(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/accounts/login/").status_code == 301
    assert client.get("/healthz").status_code == 200


def test_the_load_balancer_may_ask_by_the_backends_own_address(client, settings):
    """A load balancer's check names the backend (10.0.0.5:8000), not ALLOWED_HOSTS' name."""
    settings.ALLOWED_HOSTS = ["hub.example.com"]
    assert client.get("/accounts/login/", HTTP_HOST="10.0.0.5:8000").status_code == 400
    response = client.get("/healthz", HTTP_HOST="10.0.0.5:8000")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_a_head_request_checks_too(client):
    """HAProxy's `option httpchk HEAD /healthz` (and other checkers) send HEAD."""
    assert client.head("/healthz").status_code == 200
    with mock.patch("core.health.connection.cursor", side_effect=DatabaseError("down")):
        assert client.head("/healthz").status_code == 503
