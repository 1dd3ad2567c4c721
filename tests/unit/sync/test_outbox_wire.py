"""The outbox on the wire (mocked HTTP): idempotency keys, and waits longer than the lease.

`connection` (tests/unit/sync/conftest.py) is a Recruitee connection.
"""

from datetime import timedelta

import pytest
import requests
import responses
from django.utils import timezone

from ats.services import candidate_create
from integrations.models import Connection, OutboxItem
from integrations.outbox.delivery import outbox_deliver
from projects.models import Project
from projects.services import project_create
from tests.unit.integrations.conftest import _isolated, rsps, sleeps  # noqa: F401

from integrations.providers.project_records import ProjectInput  # isort: skip

API = "https://pm.example.test/v1"
RECRUITEE = "https://api.recruitee.com/c/1"
ADA = {"name": "Ada", "emails": ["ada@example.com"]}
CREATED = {"id": 501, "name": "Apollo", "workspace_id": 7, "status": "Planning"}


pytestmark = pytest.mark.usefixtures("sleeps")


@pytest.fixture
def tool(db):
    return Connection.objects.create(
        provider="projecttool", name="pm", base_url=API, api_token="pm-token"
    )


def _create(connection, key="form-1"):
    project = ProjectInput(name="Apollo", workspace="7")
    return project_create(connection=connection, project=project, submission_key=key)


def _due_again(item):
    OutboxItem.objects.filter(pk=item.pk).update(next_attempt_at=timezone.now())
    return outbox_deliver(item.pk)


def _keys(rsps):  # noqa: F811
    return [c.request.headers.get("Idempotency-Key") for c in rsps.calls]


def test_every_attempt_of_a_row_carries_the_same_key_and_nothing_is_looked_up(
    tool,
    rsps,  # noqa: F811
):
    rsps.add(responses.POST, f"{API}/projects", body=requests.exceptions.ReadTimeout())
    rsps.add(responses.POST, f"{API}/projects", json=CREATED, status=201)

    first = _create(tool)
    assert first.status == OutboxItem.Status.PENDING and first.outcome_unknown
    # With a key the provider answers a repeat with the stored answer: no settle wait.
    assert first.next_attempt_at < timezone.now() + timedelta(minutes=2)
    done = _due_again(first)

    assert done.status == OutboxItem.Status.DONE and done.remote_id == "501"
    assert [c.request.method for c in rsps.calls] == ["POST", "POST"], "no lookup, no third send"
    keys = _keys(rsps)
    assert keys[0] == keys[1] == first.idempotency_key
    assert OutboxItem(submission_key="form-2").idempotency_key != first.idempotency_key


def test_a_key_still_in_progress_waits_and_keeps_the_project(tool, rsps):  # noqa: F811
    rsps.add(responses.POST, f"{API}/projects", body=requests.exceptions.ReadTimeout())
    rsps.add(
        responses.POST,
        f"{API}/projects",
        status=409,
        json={"error": {"code": "IDEMPOTENCY_IN_PROGRESS", "message": "Still processing."}},
    )
    rsps.add(responses.POST, f"{API}/projects", json=CREATED, status=201)

    item = _create(tool)
    waiting = _due_again(item)
    assert waiting.status == OutboxItem.Status.PENDING and waiting.outcome_unknown
    assert Project.objects.filter(pk=item.record_id).exists(), "a 409 in progress is no refusal"
    done = _due_again(item)
    assert done.status == OutboxItem.Status.DONE
    assert len(set(_keys(rsps))) == 1


def test_a_key_seen_with_another_body_needs_a_person(tool, rsps):  # noqa: F811
    rsps.add(
        responses.POST,
        f"{API}/projects",
        status=422,
        json={"error": {"code": "IDEMPOTENCY_MISMATCH", "message": "Key reused."}},
    )
    item = _create(tool)
    assert item.status == OutboxItem.Status.NEEDS_ATTENTION
    assert Project.objects.filter(pk=item.record_id).exists(), "what the person typed is kept"


def test_providers_without_keys_send_no_key(connection, rsps):  # noqa: F811
    rsps.add(
        responses.POST,
        f"{RECRUITEE}/candidates",
        status=201,
        json={"candidate": {"id": 9, "name": "Ada", "emails": ["ada@example.com"]}},
    )
    item = candidate_create(
        connection=connection,
        data={"name": "Ada", "emails": ["ada@example.com"]},
        submission_key="k",
    )
    assert item.status == OutboxItem.Status.DONE
    assert "Idempotency-Key" not in rsps.calls[0].request.headers


def test_a_retry_after_longer_than_the_lease_puts_the_row_back_instead_of_sleeping(
    connection,
    rsps,  # noqa: F811
    sleeps,  # noqa: F811
    settings,
):
    settings.OUTBOX_LEASE_SECONDS = 30
    rsps.add(
        responses.POST,
        f"{RECRUITEE}/candidates",
        status=429,
        headers={"Retry-After": "70"},
        json={"error": ["Too many requests"]},
    )
    item = candidate_create(
        connection=connection,
        data={"name": "Ada", "emails": ["ada@example.com"]},
        submission_key="k",
    )
    OutboxItem.objects.filter(pk=item.pk).update(next_attempt_at=timezone.now())
    postponed = outbox_deliver(item.pk)  # a background worker, with its long deadline

    assert postponed.status == OutboxItem.Status.PENDING
    assert postponed.next_attempt_at >= timezone.now() + timedelta(seconds=60)
    assert all(wait < settings.OUTBOX_LEASE_SECONDS for wait in sleeps), sleeps
    assert not OutboxItem.objects.filter(status=OutboxItem.Status.SENDING).exists()
