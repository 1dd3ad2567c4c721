"""The tolerant readers every provider module reads untrusted JSON with: any shape in,
an empty value or None out, never an exception."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from integrations.providers import projecttool, readers
from integrations.providers.affinity_records import parse_organization, parse_person
from integrations.providers.recruitee_records import parse_offer, parse_stage

# Shapes a provider might send where it documents something else.
ODD = [None, True, False, [], {}, ["x"], {"a": 1}, object()]
BIGINT = 2**63 - 1


@pytest.mark.parametrize("value", ODD)
def test_odd_shapes_are_empty_everywhere(value):
    assert readers.text(value) == "" and readers.text(value, numbers=True) == ""
    assert readers.text_id(value) == "" and readers.int_id(value) is None
    assert readers.integer(value) is None
    assert readers.timestamp(value) is None and readers.iso_date(value) is None
    if not isinstance(value, list):
        assert readers.texts(value) == () and readers.int_ids(value) == ()
        assert readers.items(value) == [] and readers.records(value) == []
    if not isinstance(value, dict):
        assert readers.mapping(value) == {}


def test_a_missing_key_reads_as_empty():
    payload: dict = {}
    assert readers.text(payload.get("name")) == ""
    assert readers.mapping(payload.get("owner")).get("id") is None
    assert readers.records(readers.mapping(payload.get("meta")).get("data")) == []


def test_text_is_stripped_cut_and_takes_numbers_only_when_asked():
    assert readers.text("  Ada  ") == "Ada"
    assert readers.text("x" * 500, limit=300) == "x" * 300
    assert readers.text(2026) == "" and readers.text(1.5) == ""
    assert readers.text(2026, numbers=True) == "2026" and readers.text(1.5, numbers=True) == "1.5"
    assert readers.text(True, numbers=True) == ""  # a bool is not a number
    assert readers.text(2**64, numbers=True) == ""  # past a bigint


def test_texts_keep_the_non_empty_texts_of_a_list():
    assert readers.texts([" a ", "", 4, None, "b", "a"]) == ("a", "b", "a")
    assert readers.texts([" a ", "b", "a"], distinct=True) == ("a", "b")
    assert readers.texts(["abc", 7], limit=2, numbers=True) == ("ab", "7")
    assert readers.texts("not a list") == ()


@pytest.mark.parametrize(
    ("value", "expected"),
    [(12, "12"), (0, "0"), (" 12 ", "12"), ("gid-1", "gid-1"), ("", ""), ("   ", ""),
     ("x" * 64, "x" * 64), ("x" * 65, ""), (True, ""), (1.0, ""), (2**64, ""), (-(2**64), "")],
)  # fmt: skip
def test_text_id(value, expected):
    assert readers.text_id(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(7, 7), ("7", 7), (" 7 ", 7), (BIGINT, BIGINT), (str(BIGINT), BIGINT),
     (BIGINT + 1, None), (str(BIGINT + 1), None), ("9" * 30, None), (10**30, None),
     (0, None), ("0", None), (-3, None), ("-3", None), (True, None), (1.0, None),
     ("²", None), ("٣", None), ("12a", None), ("", None)],
)  # fmt: skip
def test_int_id_is_a_positive_bigint(value, expected):
    assert readers.int_id(value) == expected


def test_int_ids_are_distinct_and_drop_what_is_no_id():
    assert readers.int_ids([3, "3", 4, True, None, "x", 0, 10**30, 3]) == (3, 4)


def test_integer_refuses_bools_and_what_a_bigint_cannot_hold():
    assert readers.integer(5) == 5 and readers.integer(-5) == -5
    assert readers.integer(True) is None and readers.integer("5") is None
    assert readers.integer(5.0) is None and readers.integer(BIGINT + 1) is None
    assert readers.integer(-1, minimum=0) is None and readers.integer(0, minimum=0) == 0


def test_records_keep_only_the_objects_of_a_list():
    assert readers.records([{"a": 1}, None, "x", 3, [], {"b": 2}]) == [{"a": 1}, {"b": 2}]
    assert readers.items((1, 2)) == []  # JSON has no tuples: only a list is a list


def test_timestamp_reads_iso_8601_and_takes_a_naive_time_as_utc():
    assert readers.timestamp("2023-01-15T12:01:10.725552Z") == datetime(
        2023, 1, 15, 12, 1, 10, 725552, tzinfo=UTC
    )
    assert readers.timestamp(" 2023-01-15T12:00:00 ") == datetime(2023, 1, 15, 12, tzinfo=UTC)
    zoned = readers.timestamp("2023-01-15T12:00:00+02:00")
    assert zoned is not None and zoned.utcoffset() == timedelta(hours=2)
    assert zoned.tzinfo == timezone(timedelta(hours=2))
    for bad in ("", "soon", "2023-13-01T00:00:00Z", "9" * 40, 1673784070):
        assert readers.timestamp(bad) is None


def test_iso_date_reads_the_day_and_ignores_a_time_after_it():
    assert readers.iso_date("2026-03-01") == date(2026, 3, 1)
    assert readers.iso_date("2026-03-01T10:00:00Z") == date(2026, 3, 1)
    assert readers.iso_date(date(2026, 3, 1)) == date(2026, 3, 1)
    assert readers.iso_date(datetime(2026, 3, 1, 23, 0, tzinfo=UTC)) == date(2026, 3, 1)
    for bad in ("", "2026-02-30", "2026-13-01", "soon", 20260301):
        assert readers.iso_date(bad) is None


# --- the record modules read through them ------------------------------------------------


def test_an_affinity_id_in_other_digits_is_no_id_and_no_crash():
    assert parse_person({"id": "²"}) is None and parse_organization({"id": "٣"}) is None
    person = parse_person({"id": 1, "type": True, "organization_ids": [2, "2", True, 10**30]})
    assert person.person_type == 0 and person.organization_ids == (2,)


def test_a_recruitee_count_or_position_of_true_is_no_number():
    offer = parse_offer({"id": 1, "candidates_count": True})
    stage = parse_stage({"id": 2, "position": True})
    assert offer.candidates_count == 0 and stage.position == 0


def test_project_times_are_read_as_times():
    record = projecttool.parse_project(
        {"id": 3, "name": 2026, "created_at": "2026-01-05T10:00:00Z", "updated_at": "later"}
    )
    assert record.name == "2026"  # the project tools' rule: a number where text belongs
    assert record.created_at == datetime(2026, 1, 5, 10, tzinfo=UTC) and record.updated_at is None
