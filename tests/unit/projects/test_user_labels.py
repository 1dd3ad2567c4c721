"""The owner picker's labels (projects.selectors.user_labels)."""

from __future__ import annotations

from projects.selectors import user_labels


def test_a_name_alone_when_no_one_else_has_it():
    assert user_labels([("1", "Bo", "bo@a.example")]) == [("1", "Bo")]


def test_namesakes_are_told_apart_by_their_emails():
    rows = [("1", "Ana Li", "ana@a.example"), ("2", "Ana Li", "ana@b.example"), ("3", "Bo", "")]
    assert user_labels(rows) == [
        ("1", "Ana Li (ana@a.example)"), ("2", "Ana Li (ana@b.example)"), ("3", "Bo")
    ]  # fmt: skip
