"""Fixtures shared by every level of tests."""

import shutil
import threading

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.db import connections
from django_tasks_db.management.commands.db_worker import Worker

from apis.pages import ApiResourcePages
from core.groups import permission_named
from core.resources import ACTIONS, registered
from integrations.http import call_log
from integrations.models import Connection
from integrations.openapi import cache as openapi_cache
from integrations.providers import provider_for

pytest_plugins = ["tests.sandbox_fixtures"]


@pytest.fixture(scope="session", autouse=True)
def collected_static():
    """collectstatic once per session into the test STATIC_ROOT, with the production storage.

    Pages then link hashed names from the real manifest and whitenoise serves
    them, as in production; a dangling reference in a static file fails here.
    """
    call_command("collectstatic", interactive=False, verbosity=0, clear=True)
    yield settings.STATIC_ROOT
    shutil.rmtree(settings.STATIC_ROOT, ignore_errors=True)


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with an empty cache: cached rows, flags and rate-limit state stay put."""
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def forgotten_documents():
    """Every test compiles its OpenAPI documents anew: a connection's cached document would
    outlive the test's database, where another test's connection may get its id."""
    openapi_cache.forget()
    yield
    openapi_cache.forget()


@pytest.fixture(autouse=True)
def empty_call_log_buffer():
    """Calls one test made outside a request stay buffered until the next flush: dropped
    here, so they are not written into the next test's database, where (on PostgreSQL,
    whose ids are never reused after a rollback) their connection does not exist."""
    call_log.buffer.clear()
    yield
    call_log.buffer.clear()


@pytest.fixture
def user(db):
    """Someone who may see and change every registered resource and the connected APIs
    (not staff): the pages as a member of every team sees them. tests/unit/permissions/
    refuses."""
    alice = get_user_model().objects.create_user(username="alice", password="correct-horse-42")
    described = [*registered(), ApiResourcePages]
    rights = {r.permission(action) for r in described for action in ACTIONS}
    alice.user_permissions.set([permission_named(right) for right in rights])
    return alice


@pytest.fixture
def staff_user(db):
    return get_user_model().objects.create_superuser(username="root", password="correct-horse-42")


@pytest.fixture
def logged_in_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def sandbox_connection(db, sandbox_clean, settings):
    """Make a Connection for `provider` that talks to the test sandbox with its demo credentials."""

    settings.SANDBOX_URL = sandbox_clean.url

    def make(provider: str, **overrides) -> Connection:
        spec = provider_for(provider)
        fields = {
            "provider": provider,
            "name": "sandbox",
            "base_url": sandbox_clean.url + spec.sandbox_path,
            **spec.sandbox_credentials,
            **overrides,
        }
        return Connection.objects.create(**fields)

    return make


@pytest.fixture
def immediate_tasks(settings):
    """Run enqueued tasks at once, inside the caller (a view, a service)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def task_worker(settings, transactional_db):
    """A real database-backed worker in a thread, as `manage.py db_worker` runs it.

    For tests (browser ones above all) that watch background work progress.
    The test database is SQLite's shared-cache memory database (or PostgreSQL),
    which the worker thread's own connection sees.
    """

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    worker = Worker(
        queue_names=["default"], interval=0.1, batch=False, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id="test-worker", excluded_queue_names=[],
    )  # fmt: skip

    def run() -> None:
        try:
            worker.run()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield worker
    worker.running = False
    thread.join(timeout=10)
