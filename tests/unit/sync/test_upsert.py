"""The sync's upsert: defaults on insert, only the synced columns on update, pending rows kept."""

import datetime as dt

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


def test_times_in_any_zone_are_stored_as_the_same_instant(connection):
    amsterdam = dt.timezone(dt.timedelta(hours=2))
    written = dt.datetime(2026, 3, 1, 14, 30, 5, 123456, tzinfo=amsterdam)
    row = {**_row(connection, "Acme"), "remote_updated_at": written, "remote_created_at": None}
    upsert_rows(Organization, [row], update=["name"])
    organization = Organization.objects.get(remote_id="7")
    assert organization.remote_updated_at == written
    assert organization.remote_created_at is None
