"""Data migrations: what they do to rows that are already stored."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection as db

from ats.models import Candidate
from core import trigrams

pytestmark = pytest.mark.django_db

search_bits_migration = importlib.import_module("ats.migrations.0003_candidate_search_bits")


def test_stored_candidates_get_the_signature_of_their_search_text(connection, monkeypatch):
    monkeypatch.setattr(search_bits_migration, "BATCH", 2)  # several batches
    Candidate.objects.bulk_create(
        Candidate(connection=connection, remote_id=str(n), search_text=f"ann jansen {n}")
        for n in range(5)
    )
    search_bits_migration.fill_search_bits(apps, SimpleNamespace(connection=db))
    stored = list(Candidate.objects.order_by("pk").values_list("search_text", "search_bits"))
    assert [bits for _, bits in stored] == [trigrams.signature(text) for text, _ in stored]
    assert all(bits for _, bits in stored)
