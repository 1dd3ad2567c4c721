"""`list_page`: one page of the candidate list, counted only as far as the pages ahead need."""

from datetime import UTC, datetime, timedelta

import pytest

from ats import selectors
from ats.models import Candidate, Placement
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


def _page(connection, number, *, search="", per_page=5):
    rows = selectors.candidate_list(
        connection=connection, filters=selectors.CandidateFilters(search=search)
    )
    return selectors.list_page(
        rows, number=number, per_page=per_page, load=selectors.candidate_stamps
    )


def test_a_page_keeps_the_list_order_and_counts_exactly_when_the_end_is_near(connection):
    newest_first = _candidates(connection, 12)
    _candidates(connection, 3, prefix="other")
    page = _page(connection, 2, search="MATCH")
    assert [c.pk for c in page.rows] == [c.pk for c in newest_first[5:10]]
    assert (page.total, page.total_is_exact, page.num_pages) == (12, True, 3)
    last = _page(connection, 3, search="match")
    assert [c.pk for c in last.rows] == [c.pk for c in newest_first[10:]]
    assert (last.total, last.total_is_exact, last.has_next) == (12, True, False)


def test_counting_stops_ten_pages_ahead(connection):
    _candidates(connection, 5 * 13)
    page = _page(connection, 1)
    assert len(page.rows) == 5
    assert (page.total, page.total_is_exact) == (5 * 11, False)
    near_the_end = _page(connection, 3)
    assert (near_the_end.total, near_the_end.total_is_exact) == (5 * 13, True)


def test_past_the_end_is_an_empty_page_with_the_real_total(connection):
    _candidates(connection, 7)
    page = _page(connection, 9)
    assert (page.rows, page.total, page.total_is_exact, page.start_index) == ([], 7, True, 0)


def test_rows_to_render_come_with_their_placements(connection, django_assert_num_queries):
    first, second = _candidates(connection, 2)
    Placement.objects.create(candidate=first, offer_remote_id="7", stage_name="Interview")
    (row,) = _page(connection, 1, per_page=1).rows
    with django_assert_num_queries(2):
        rows = selectors.candidate_rows([row.pk, second.pk])
        placements = {pk: [(p.offer_remote_id, p.stage_name) for p in c.placements.all()]
                      for pk, c in rows.items()}  # fmt: skip
    assert placements == {first.pk: [("7", "Interview")], second.pk: []}
