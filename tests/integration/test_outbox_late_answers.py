"""Late answers over real HTTP: the provider's queue backs up, it handles each create
only after the hub gave up waiting, and a worker keeps coming back meanwhile.

Each write must reach the sandbox exactly once, and the person's row ends done.
"""

from __future__ import annotations

import time
import uuid

import pytest
from django.core.cache import cache

from ats.services import candidate_create
from crm.services import organization_create
from integrations.models import OutboxItem
from integrations.outbox.delivery import outbox_deliver_due
from integrations.providers.project_records import ProjectInput
from integrations.sandbox.asana import gid
from projects.services import project_create

pytestmark = pytest.mark.django_db(transaction=True)

HANG_SECONDS = 2.5  # past the hub's read timeout (at least 1 s), then handled anyway
WRITES = 3


@pytest.fixture(autouse=True)
def _late_answers(settings, sandbox_clean):
    cache.clear()
    settings.INTEGRATIONS_READ_TIMEOUT = 1.0
    settings.INTEGRATIONS_REQUEST_DEADLINE = 1.0
    settings.INTEGRATIONS_BACKGROUND_DEADLINE = 3.0
    # Longer than the sandbox may still be processing a request it holds.
    settings.OUTBOX_SETTLE_SECONDS = 2 * HANG_SECONDS
    yield
    cache.clear()


def _drain(deadline: float = 30.0) -> None:
    """A worker that comes back as often as it can, as two busy workers would."""
    started = time.monotonic()
    open_rows = OutboxItem.objects.filter(
        status__in=[OutboxItem.Status.PENDING, OutboxItem.Status.SENDING]
    )
    while open_rows.exists():
        assert time.monotonic() - started < deadline, list(open_rows.values())
        OutboxItem.objects.filter(status=OutboxItem.Status.PENDING).update(
            next_attempt_at="2000-01-01T00:00:00Z"
        )
        outbox_deliver_due()
        time.sleep(0.2)


def _names(sandbox, table: str, prefix: str) -> list[str]:
    return [
        row["name"]
        for row in sandbox.store.payloads(f"SELECT payload FROM {table}")  # noqa: S608
        if str(row.get("name", "")).startswith(prefix)
    ]


def _hang_every_create(sandbox, provider: str) -> None:
    sandbox.set_faults(provider, hang_rate=1, hang_seconds=HANG_SECONDS, methods=["POST"])


def _assert_each_once(names: list[str], prefix: str) -> None:
    assert sorted(names) == [f"{prefix}{n}" for n in range(WRITES)], names
    assert OutboxItem.objects.filter(status=OutboxItem.Status.DONE).count() == WRITES


def test_late_answers_create_each_candidate_once(sandbox_clean, sandbox_connection):
    connection = sandbox_connection("recruitee")
    prefix = f"Late {uuid.uuid4().hex[:6]} "
    _hang_every_create(sandbox_clean, "recruitee")
    for n in range(WRITES):
        data = {"name": f"{prefix}{n}", "emails": [f"late-{prefix.split()[1]}-{n}@example.com"]}
        item = candidate_create(connection=connection, data=data, submission_key=f"{prefix}{n}")
        assert item.status == OutboxItem.Status.PENDING and item.outcome_unknown
    _drain()
    _assert_each_once(_names(sandbox_clean, "recruitee_candidates", prefix), prefix)


def test_late_answers_create_each_organization_once(sandbox_clean, sandbox_connection):
    connection = sandbox_connection("affinity")
    prefix = f"Late Org {uuid.uuid4().hex[:6]} "
    _hang_every_create(sandbox_clean, "affinity")
    for n in range(WRITES):
        organization_create(
            connection=connection,
            name=f"{prefix}{n}",
            domain="",
            person_ids=[],
            existing_ids=[],
            submission_key=f"{prefix}{n}",
        )
    _drain()
    _assert_each_once(_names(sandbox_clean, "affinity_organizations", prefix), prefix)


def test_late_answers_create_each_asana_project_once(sandbox_clean, sandbox_connection):
    connection = sandbox_connection("asana")
    workspace = gid(sandbox_clean.record("SELECT payload FROM asana_workspaces LIMIT 1")["id"])
    prefix = f"Late Project {uuid.uuid4().hex[:6]} "
    _hang_every_create(sandbox_clean, "asana")
    for n in range(WRITES):
        project = ProjectInput(name=f"{prefix}{n}", workspace=workspace)
        project_create(connection=connection, project=project, submission_key=f"{prefix}{n}")
    _drain()
    _assert_each_once(_names(sandbox_clean, "asana_projects", prefix), prefix)


def test_late_answers_with_idempotency_keys_create_each_project_once(
    sandbox_clean, sandbox_connection
):
    """The generic tool keeps each key: the re-sends meet "in progress", then the stored answer."""
    connection = sandbox_connection(
        "projecttool", api_token="sandbox-projects", oauth_client_id="", oauth_client_secret=""
    )
    workspace = sandbox_clean.record("SELECT payload FROM projects_workspaces LIMIT 1")["id"]
    prefix = f"Late Keyed {uuid.uuid4().hex[:6]} "
    _hang_every_create(sandbox_clean, "projects")
    for n in range(WRITES):
        project = ProjectInput(name=f"{prefix}{n}", workspace=str(workspace))
        item = project_create(connection=connection, project=project, submission_key=f"{prefix}{n}")
        assert item.outcome_unknown
    _drain()
    _assert_each_once(_names(sandbox_clean, "projects_projects", prefix), prefix)
    # No row waited for a settle window: the key made each re-send safe at once.
    assert not OutboxItem.objects.filter(empty_lookups__gt=0).exists()
