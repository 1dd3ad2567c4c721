"""Data migrations: what they do to rows that are already stored."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection as db

from ats.models import Candidate
from core import search

pytestmark = pytest.mark.django_db

search_index_migration = importlib.import_module("ats.migrations.0004_candidate_search_index")


def test_stored_candidates_get_the_folded_search_text_with_their_phone_digits(
    connection, monkeypatch
):
    monkeypatch.setattr(search, "REWRITE_BATCH", 2)  # several batches
    Candidate.objects.bulk_create(
        Candidate(
            connection=connection, remote_id=str(n), name=f"Łukasz {n}", emails=["ŁK@example.com"],
            phones=["+31 6 1234 567" + str(n)], search_text=f"łukasz {n} łk@example.com",
        )
        for n in range(5)
    )  # fmt: skip
    search_index_migration.refold(apps, SimpleNamespace(connection=db))
    stored = Candidate.objects.order_by("pk").values_list("search_text", flat=True)
    assert list(stored) == [f"lukasz {n} lk@example.com 3161234567{n}" for n in range(5)]
    found = search.search_filter(Candidate.objects.all(), "lukasz 12345673")
    assert [c.remote_id for c in found] == ["3"]  # the index follows the rewritten rows
