"""A copy that reached Recruitee outside the outbox is flagged after the next sync, over HTTP."""

import uuid

import pytest
import requests

from ats.models import Candidate
from ats.sync import CANDIDATES
from integrations.models import DuplicateFlag, OutboxItem
from integrations.sandbox.credentials import RECRUITEE_COMPANY_ID, RECRUITEE_TOKEN
from integrations.sync.engine import sync_resource

pytestmark = pytest.mark.django_db


def _create_at_the_sandbox(sandbox, *, name: str, emails: list[str]) -> str:
    """POST a candidate straight to the sandbox's Recruitee API, as another tool would."""
    response = requests.post(
        f"{sandbox.url_for('recruitee')}/c/{RECRUITEE_COMPANY_ID}/candidates",
        json={"candidate": {"name": name, "emails": emails}},
        headers={"Authorization": f"Bearer {RECRUITEE_TOKEN}"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["candidate"]["id"])


def test_a_second_copy_at_recruitee_is_flagged_after_the_sync(
    recruitee, logged_in_client, sandbox_clean
):
    email = f"twin-{uuid.uuid4().hex[:8]}@example.com"
    response = logged_in_client.post(
        "/candidates/new/",
        {"submission_key": uuid.uuid4().hex, "name": "Tess Twin", "emails": email},
    )
    assert response.status_code == 302
    created = Candidate.objects.get(emails=[email])
    item = OutboxItem.objects.get(record_id=created.pk)
    assert item.status == OutboxItem.Status.DONE
    copy_id = _create_at_the_sandbox(sandbox_clean, name="Tess Twin", emails=[email.upper()])

    run = sync_resource(connection=recruitee, resource=CANDIDATES)

    assert run.status == "succeeded", run.error
    copy = Candidate.objects.get(connection=recruitee, remote_id=copy_id)
    flag = DuplicateFlag.objects.get()
    assert flag.outbox_item == item
    assert flag.identity_value == email
    assert flag.record_ids == sorted([created.pk, copy.pk])
    dashboard = logged_in_client.get("/").content.decode()
    assert f'href="/candidates/{copy.pk}/"' in dashboard
    page = logged_in_client.get(f"/candidates/{created.pk}/").content.decode()
    assert "Possible duplicate" in page and f'href="/candidates/{copy.pk}/"' in page
    # Nothing at Recruitee was deleted.
    assert requests.get(
        f"{sandbox_clean.url_for('recruitee')}/c/{RECRUITEE_COMPANY_ID}/candidates/{copy_id}",
        headers={"Authorization": f"Bearer {RECRUITEE_TOKEN}"},
        timeout=10,
    ).ok


def test_one_copy_at_recruitee_is_not_flagged(recruitee, logged_in_client, sandbox_clean):
    email = f"single-{uuid.uuid4().hex[:8]}@example.com"
    logged_in_client.post(
        "/candidates/new/",
        {"submission_key": uuid.uuid4().hex, "name": "Sol Single", "emails": email},
    )
    _create_at_the_sandbox(sandbox_clean, name="Other Person", emails=["other-" + email])

    run = sync_resource(connection=recruitee, resource=CANDIDATES)

    assert run.status == "succeeded", run.error
    assert not DuplicateFlag.objects.exists()
