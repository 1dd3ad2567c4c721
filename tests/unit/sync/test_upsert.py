"""The sync's upsert: defaults on insert, only the synced columns on update, pending rows kept."""

import pytest

from crm.models import Organization
from integrations.models.synced import SyncStatus
from integrations.sync.upsert import upsert_rows

pytestmark = pytest.mark.django_db


def _row(connection, name):
    return {"connection": connection.pk, "remote_id": "7", "name": name, "search_text": name}


def test_a_new_row_gets_the_model_defaults(connection):
    upsert_rows(Organization, [_row(connection, "Acme")], update=["name", "search_text"])
    organization = Organization.objects.get(remote_id="7")
    assert (organization.person_ids, organization.persons_count) == ([], 0)
    assert organization.sync_status == SyncStatus.SYNCED


def test_an_update_leaves_columns_the_sync_does_not_own(connection):
    Organization.objects.create(
        connection=connection, remote_id="7", name="Old", person_ids=["1", "2"], persons_count=2
    )
    upsert_rows(Organization, [_row(connection, "New")], update=["name", "search_text"])
    organization = Organization.objects.get(remote_id="7")
    assert organization.name == "New"
    assert (organization.person_ids, organization.persons_count) == (["1", "2"], 2)


def test_a_pending_row_keeps_what_the_person_typed(connection):
    Organization.objects.create(
        connection=connection, remote_id="7", name="Typed", sync_status=SyncStatus.PENDING
    )
    upsert_rows(Organization, [_row(connection, "From Affinity")], update=["name", "search_text"])
    assert Organization.objects.get(remote_id="7").name == "Typed"
