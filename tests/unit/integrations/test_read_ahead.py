"""Read-ahead: the next page is fetched while the current one is saved."""

import sys
import threading
import time

import pytest

from integrations.http import call_log
from integrations.http.read_ahead import read_ahead


def test_pages_arrive_in_order_and_complete():
    assert list(read_ahead(iter(range(50)))) == list(range(50))


def test_the_next_page_is_fetched_while_this_one_is_handled():
    fetched = []

    def pages():
        for n in range(3):
            fetched.append(n)
            yield n

    iterator = read_ahead(pages())
    assert next(iterator) == 0
    deadline = time.monotonic() + 2
    while len(fetched) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert fetched[:2] == [0, 1], "page 1 is fetched before page 0 is finished"
    assert list(iterator) == [1, 2]


def test_an_error_is_raised_where_it_happened():
    def pages():
        yield 1
        raise ValueError("page 2 broke")

    iterator = read_ahead(pages())
    assert next(iterator) == 1
    with pytest.raises(ValueError, match="page 2 broke"):
        next(iterator)


def test_closing_early_stops_the_fetching_thread():
    def endless():
        n = 0
        while True:
            yield n
            n += 1

    iterator = read_ahead(endless())
    assert next(iterator) == 0
    iterator.close()
    assert not any(t.name == "sync-read-ahead" and t.is_alive() for t in threading.enumerate())


def test_the_fetching_thread_leaves_call_log_writes_to_the_caller(monkeypatch):
    flushed_from = []
    monkeypatch.setattr(call_log.buffer, "flush", lambda: flushed_from.append("flush"))
    monkeypatch.setattr(call_log.buffer, "flush_every", 1)

    def pages():
        call_log.buffer.record(object())
        yield 1

    assert list(read_ahead(pages())) == [1]
    assert flushed_from == []
    call_log.buffer.clear()


def test_reading_ahead_leaves_the_process_switch_interval_alone():
    before = sys.getswitchinterval()
    iterator = read_ahead(iter(range(3)))
    assert next(iterator) == 0
    assert sys.getswitchinterval() == before
    assert list(iterator) == [1, 2]


def test_the_exit_callback_runs_in_the_fetching_thread_after_the_last_page():
    ran_in = []
    assert list(
        read_ahead(iter(range(2)), on_exit=lambda: ran_in.append(threading.current_thread().name))
    ) == [0, 1]
    assert ran_in == ["sync-read-ahead"]


def test_the_exit_callback_runs_when_the_pages_fail():
    ran = []

    def pages():
        yield 1
        raise ValueError("page 2 broke")

    with pytest.raises(ValueError, match="page 2 broke"):
        list(read_ahead(pages(), on_exit=lambda: ran.append(True)))
    assert ran == [True]
