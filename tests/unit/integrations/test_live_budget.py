"""The per-user budget of live provider calls: spent, refilled, per person, with a clock frozen."""

from __future__ import annotations

import pytest

from integrations import live_budget
from integrations.live_budget import LiveBudgetSpentError, live_call_spend

WINDOW_START = 1_800_000_000.0  # a whole minute


class Person:
    def __init__(self, pk: int) -> None:
        self.pk = pk


@pytest.fixture
def clock(monkeypatch, settings):
    settings.LIVE_CALLS_PER_USER_PER_MINUTE = 3
    moment = [WINDOW_START + 15]
    monkeypatch.setattr(live_budget, "now", lambda: moment[0])
    return moment


def spend(pk: int = 1) -> None:
    live_call_spend(user=Person(pk), provider="Affinity")


def test_a_person_spends_the_minutes_calls_then_waits_for_the_next_minute(clock):
    for _ in range(3):
        spend()
    with pytest.raises(LiveBudgetSpentError) as spent:
        spend()
    assert spent.value.retry_after == 45
    assert "Live data from Affinity is paused for 45 seconds" in spent.value.message
    clock[0] = WINDOW_START + 59.5
    with pytest.raises(LiveBudgetSpentError) as spent:
        spend()
    assert spent.value.retry_after == 1

    clock[0] = WINDOW_START + 60  # the next minute: refilled
    for _ in range(3):
        spend()
    with pytest.raises(LiveBudgetSpentError):
        spend()


def test_each_person_has_their_own_budget(clock):
    for _ in range(3):
        spend(pk=1)
    with pytest.raises(LiveBudgetSpentError):
        spend(pk=1)
    spend(pk=2)


def test_zero_turns_live_calls_off(clock, settings):
    settings.LIVE_CALLS_PER_USER_PER_MINUTE = 0
    with pytest.raises(LiveBudgetSpentError) as spent:
        spend()
    assert spent.value.message == "Live data from Affinity is turned off here."
