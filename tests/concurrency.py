"""Running test code in threads that race, as two requests or workers would."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections


def at_once(*targets: Callable[[], object], timeout: float = 60) -> None:
    """Run each target in its own thread, all released together (a barrier), each on its
    own database connection (closed when it ends), and wait for every one."""
    barrier = threading.Barrier(len(targets))

    def run(target: Callable[[], object]) -> None:
        barrier.wait()
        try:
            target()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
