"""Two first visits of a synced API list at the same moment queue one first sync
(integrations/sync/service.py: the check and the new run under the `SyncState` row's
lock). Real threads and connections: on SQLite here, on PostgreSQL when the suite runs
there (DATABASE_URL=postgres://…, `make test-postgres`)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from functools import partial

import pytest
from django.db.models.signals import pre_save
from django.test import Client

from apis.models import ResourceColumns
from integrations.models import Connection, OpenApiSource, SyncRun
from integrations.sync import service
from tests.concurrency import at_once

ITEM = {"type": "object", "properties": {"id": {"type": "integer"}, "title": {"type": "string"}}}
OK = {"200": {"description": "ok", "content": {"application/json": {
    "schema": {"type": "array", "items": ITEM}}}}}  # fmt: skip
DOC = {"openapi": "3.0.3", "info": {"title": "Posts API", "version": "1"},
       "paths": {"/posts": {"get": {"responses": OK}}}}  # fmt: skip


@pytest.fixture
def enqueued(monkeypatch) -> list[dict]:
    """The sync tasks enqueued, from any thread."""
    calls: list[dict] = []
    lock = threading.Lock()

    class Task:
        def enqueue(self, **kwargs) -> None:
            with lock:
                calls.append(kwargs)

    monkeypatch.setattr(service, "sync_resource_task", Task())
    return calls


@pytest.fixture
def slow_new_runs() -> Iterator[None]:
    """Writing a new run takes a moment: the window in which the other visit still sees
    the resource as never synced."""

    def slow(sender, instance, **kwargs) -> None:
        if instance._state.adding:
            time.sleep(0.5)

    pre_save.connect(slow, sender=SyncRun)
    yield
    pre_save.disconnect(slow, sender=SyncRun)


@pytest.mark.django_db(transaction=True)
def test_two_first_visits_at_once_queue_one_first_sync(user, enqueued, slow_new_runs):
    row = Connection.objects.create(
        provider="openapi", name="posts-api", base_url="https://api.example.test/v1"
    )
    OpenApiSource.objects.create(connection=row, document=json.dumps(DOC))
    ResourceColumns.objects.create(connection=row, resource="posts", synced=True)
    statuses: list[int] = []

    def visit(browser: Client) -> None:
        statuses.append(browser.get("/apis/posts-api/posts/").status_code)

    browsers = [Client(), Client()]
    for browser in browsers:
        browser.force_login(user)
    at_once(*(partial(visit, browser) for browser in browsers))

    assert statuses == [200, 200]
    assert SyncRun.objects.filter(connection=row, resource="openapi:posts").count() == 1
    assert len(enqueued) == 1
