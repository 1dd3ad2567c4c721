"""Nothing a person submits is saved twice: a double POST at the same moment."""

import threading
import time

import pytest

from ats.models import Candidate
from ats.outbox import CandidateCreate
from integrations.models import OutboxItem
from integrations.models.synced import SyncStatus
from integrations.outbox.service import deliver_later, outbox_write
from tests.concurrency import at_once


@pytest.mark.django_db(transaction=True)
def test_a_double_post_at_the_same_moment_saves_one_candidate(connection):
    """The second request passed the "already submitted?" check while the first was still
    saving: it must not save a second local candidate next to the first one's row."""
    first_inside = threading.Event()

    def save_record() -> Candidate:
        candidate = Candidate.objects.create(
            connection=connection, name="Ada Lovelace", sync_status=SyncStatus.PENDING
        )
        if not first_inside.is_set():
            first_inside.set()
            time.sleep(0.5)  # the other request checks for the key meanwhile
        return candidate

    def submit() -> None:
        with deliver_later():
            outbox_write(
                connection=connection,
                operation=CandidateCreate.name,
                payload={"candidate": {"name": "Ada Lovelace"}, "offers": []},
                submission_key="form-1",
                summary="Create candidate Ada Lovelace",
                save_record=save_record,
            )

    at_once(submit, submit)

    assert OutboxItem.objects.count() == 1
    assert list(Candidate.objects.values_list("name", flat=True)) == ["Ada Lovelace"]
