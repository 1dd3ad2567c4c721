"""The sync's upsert: defaults on insert, only the synced columns on update, pending rows kept."""

import datetime as dt
import sqlite3

import pytest
from django.db import connection as db_connection

from core.search import search_filter
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


def test_a_remote_id_twice_in_a_page_ends_with_its_later_version(connection):
    earlier = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    rows = [
        {**_row(connection, "Second"), "remote_updated_at": earlier + dt.timedelta(hours=1)},
        {**_row(connection, "First"), "remote_updated_at": earlier},
        {**_row(connection, "Third"), "remote_updated_at": earlier + dt.timedelta(hours=2)},
    ]
    upsert_rows(Organization, rows, update=["name", "remote_updated_at"], newer_only=True)
    assert list(Organization.objects.values_list("name", flat=True)) == ["Third"]


@pytest.fixture
def few_variables_a_statement():
    """On SQLite, statements of at most 400 variables (a few rows each) for one test."""
    if db_connection.vendor != "sqlite":
        yield
        return
    db_connection.ensure_connection()
    limit = sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER
    before = db_connection.connection.setlimit(limit, 400)
    yield
    db_connection.connection.setlimit(limit, before)


@pytest.mark.usefixtures("few_variables_a_statement")
def test_a_page_longer_than_one_statement_takes_is_written_whole_and_searchable(connection):
    rows = [
        {**_row(connection, f"Acme {n}"), "remote_id": str(n), "search_text": f"acme {n}"}
        for n in range(250)
    ]
    upsert_rows(Organization, rows, update=["name", "search_text"])
    stored = Organization.objects.filter(connection=connection)
    assert stored.count() == 250
    assert list(search_filter(stored, "acme 249").values_list("name", flat=True)) == ["Acme 249"]
