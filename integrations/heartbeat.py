"""A heartbeat in a thread, for work that holds a lease longer than the lease lasts.

A sync can wait minutes for a provider (a long `Retry-After`, a slow page), so
it cannot renew its lease only between pages. `Heartbeat` calls `beat` every
`every` seconds while the work runs; `beat` extends the lease with a
conditional UPDATE and returns False once the lease is no longer the worker's.
If the process dies, the beats stop with it and the lease runs out, which is
how a stopped worker's work is found and recovered.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from types import TracebackType

from django.db import connection as db_connection

logger = logging.getLogger(__name__)


class Heartbeat:
    def __init__(self, beat: Callable[[], bool], *, every: float) -> None:
        self._beat = beat
        self._every = every
        self._stop = threading.Event()
        self.lost = threading.Event()  # set once a beat found the lease gone
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            while not self._stop.wait(self._every):
                try:
                    if not self._beat():
                        self.lost.set()
                        return
                except Exception:  # a missed beat is not fatal; the lease has slack
                    logger.exception("heartbeat failed")
        finally:
            db_connection.close()  # this thread's own connection
