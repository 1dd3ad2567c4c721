"""Pages of the candidate list: Django's paginator, exact totals, the count capped only far out."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection as db

from ats import views
from ats.models import Candidate
from ats.sync import candidate_search_fields

pytestmark = pytest.mark.django_db

START = datetime(2024, 1, 1, tzinfo=UTC)


def _candidates(connection, count, *, prefix="match"):
    rows = Candidate.objects.bulk_create(
        Candidate(
            connection=connection,
            remote_id=f"{prefix}-{i}",
            name=f"{prefix} {i:04d}",
            **candidate_search_fields(f"{prefix} {i:04d}", []),
            remote_created_at=START + timedelta(minutes=i),
        )
        for i in range(count)
    )
    return sorted(rows, key=lambda c: (c.remote_created_at, c.pk), reverse=True)


def _shown(html: str) -> tuple[str, str, list[int]]:
    count = re.search(r'data-testid="result-count">([^<]+)<', html)
    pages = re.search(r'<span class="page-link">(Page [^<]+)</span>', html)
    ids = [int(pk) for pk in re.findall(r'<tr data-candidate-id="(\d+)"', html)]
    return (count.group(1) if count else "", pages.group(1) if pages else "", ids)


def test_five_hundred_candidates_say_so_on_every_page(logged_in_client, connection):
    newest_first = _candidates(connection, 500)
    first = logged_in_client.get("/candidates/").content.decode()
    assert _shown(first) == ("500 candidates", "Page 1 of 20", [c.pk for c in newest_first[:25]])
    last = logged_in_client.get("/candidates/", {"page": 20}).content.decode()
    assert _shown(last) == ("500 candidates", "Page 20 of 20", [c.pk for c in newest_first[475:]])


def test_a_search_counts_its_matches_exactly(logged_in_client, connection):
    _candidates(connection, 30)
    _candidates(connection, 3, prefix="other")
    html = logged_in_client.get("/candidates/", {"q": "MATCH", "page": 2}).content.decode()
    count, pages, ids = _shown(html)
    assert (count, pages, len(ids)) == ("30 candidates", "Page 2 of 2", 5)


def test_past_the_count_limit_the_total_is_a_lower_bound_and_later_pages_still_open(
    logged_in_client, connection, monkeypatch
):
    monkeypatch.setattr(views.CANDIDATE_PAGES, "count_limit", 40)
    newest_first = _candidates(connection, 120)
    first = logged_in_client.get("/candidates/").content.decode()
    assert _shown(first)[:2] == ("More than 65 candidates", "Page 1 of 3+")
    deep = logged_in_client.get("/candidates/", {"page": 4}).content.decode()
    assert _shown(deep) == ("120 candidates", "Page 4 of 5", [c.pk for c in newest_first[75:100]])


def test_a_search_the_index_answers_is_counted_exactly_past_the_count_limit(
    logged_in_client, connection
):
    """1,234 matches, more than the count limit (1,000 past the page) but fewer than the
    index's DENSE_MATCHES: on SQLite the index found them, so the total is exact and the
    pages run to the real last one. PostgreSQL's pg_trgm index has no such bound: it
    says "more than" as for any list past the limit."""
    newest_first = _candidates(connection, 1234)
    _candidates(connection, 40, prefix="other")
    first = logged_in_client.get("/candidates/", {"q": "match"}).content.decode()
    if db.vendor == "sqlite":
        assert _shown(first)[:2] == ("1,234 candidates", "Page 1 of 50")
    else:
        assert _shown(first)[:2] == ("More than 1,025 candidates", "Page 1 of 42+")
    assert _shown(first)[2] == [c.pk for c in newest_first[:25]]
    last = logged_in_client.get("/candidates/", {"q": "match", "page": 50}).content.decode()
    assert _shown(last) == (
        "1,234 candidates",
        "Page 50 of 50",
        [c.pk for c in newest_first[1225:]],
    )
    assert "There is no page" not in last


@pytest.mark.parametrize(
    "term", ["", "match", "ma tc"], ids=["no term", "common word", "short words"]
)
def test_a_search_the_index_does_not_answer_stays_capped(
    logged_in_client, connection, monkeypatch, term
):
    """A blank term, a word common enough that the list walks its sort index instead of
    the search index, or only words too short for the index: the count stops at the limit."""
    monkeypatch.setattr("core.search.DENSE_MATCHES", 1000)
    _candidates(connection, 1234)
    html = logged_in_client.get("/candidates/", {"q": term}).content.decode()
    assert _shown(html)[:2] == ("More than 1,025 candidates", "Page 1 of 42+")


def test_past_the_end_says_there_is_no_such_page(logged_in_client, connection):
    _candidates(connection, 7)
    html = logged_in_client.get("/candidates/", {"page": 9}).content.decode()
    assert "There is no page 9." in html
    assert _shown(html)[2] == []
