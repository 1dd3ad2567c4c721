"""Fetch the next page while the caller works on the current one.

A sync alternates network waits and database work; doing them one after the
other adds them up. `read_ahead` runs a page iterator in a thread, one page
ahead, so each page's request is in flight while the previous page is
parsed and written. Memory stays bounded: at most one page waits in the
queue. The thread only fetches and decodes, so the next request leaves as
soon as the last answer is read: the caller's work stays off that path. Its
call-log rows are written by the consuming thread, which owns the database.
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.db import connections

from integrations.http import call_log

T = TypeVar("T")

_END = object()
_POLL_SECONDS = 0.2
# When its answer arrives, the fetching thread waits for the GIL until the
# working thread lets go: up to the switch interval (5 ms by default) each
# time, which would delay every next request. 0.5 ms keeps that wait small.
_SWITCH_INTERVAL = 0.0005
_switch_lock = threading.Lock()
_switch_users = 0
_switch_saved = 0.0


def read_ahead(pages: Iterator[T]) -> Iterator[T]:
    """Yield what `pages` yields, fetching one item ahead in a worker thread.

    An exception in the iterator is raised here, at the item where it happened.
    Closing this generator early stops the worker after its current request.
    """
    ready: queue.Queue[object] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def hand_over(item: object) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=_POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            with call_log.buffer.deferred():
                for page in pages:
                    if not hand_over(page):
                        return
                hand_over(_END)
        except BaseException as error:  # handed to the consumer, raised there
            hand_over(error)
        finally:
            connections.close_all()

    worker = threading.Thread(target=produce, name="sync-read-ahead", daemon=True)
    with _short_switch_interval():
        worker.start()
        try:
            while True:
                item = ready.get()
                if item is _END:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item  # type: ignore[misc]
        finally:
            stop.set()
            worker.join(timeout=30)


@contextmanager
def _short_switch_interval() -> Iterator[None]:
    """The process's GIL switch interval at `_SWITCH_INTERVAL` while any read-ahead runs."""
    global _switch_users, _switch_saved
    with _switch_lock:
        if _switch_users == 0:
            _switch_saved = sys.getswitchinterval()
            sys.setswitchinterval(min(_switch_saved, _SWITCH_INTERVAL))
        _switch_users += 1
    try:
        yield
    finally:
        with _switch_lock:
            _switch_users -= 1
            if _switch_users == 0:
                sys.setswitchinterval(_switch_saved)
