"""Request budgets: a fixed one-minute window, and Affinity's calendar month."""

from __future__ import annotations

import math
import threading
import time
from datetime import UTC, datetime


class MinuteBudget:
    """`limit` requests per window; None means unlimited. The window starts at its first use."""

    def __init__(self, limit: int | None, window: float = 60.0) -> None:
        self.default_limit = limit
        self.limit = limit
        self.window = window
        self._lock = threading.Lock()
        self._started = 0.0
        self._used = 0

    def set_limit(self, limit: int | None) -> None:
        """A new limit starts a fresh window."""
        with self._lock:
            self.limit = limit
            self._started, self._used = 0.0, 0

    def reset(self) -> None:
        with self._lock:
            self.limit = self.default_limit
            self._started, self._used = 0.0, 0

    def take(self) -> bool:
        """Spend one request; False (and nothing spent) when the window is used up."""
        with self._lock:
            self._roll()
            if self.limit is not None and self._used >= self.limit:
                return False
            self._used += 1
            return True

    @property
    def used(self) -> int:
        with self._lock:
            self._roll()
            return self._used

    @property
    def remaining(self) -> int:
        with self._lock:
            self._roll()
            return max(0, (self.limit or 0) - self._used)

    def reset_in(self) -> int:
        """Whole seconds until the window ends (at least 1 while it is running)."""
        with self._lock:
            self._roll()
            if not self._started:
                return 0
            return max(1, math.ceil(self._started + self.window - time.monotonic()))

    def reset_at(self) -> int:
        """Unix time at which the window ends."""
        return int(time.time()) + (self.reset_in() or int(self.window))

    def _roll(self) -> None:
        now = time.monotonic()
        if not self._started or now - self._started >= self.window:
            self._started, self._used = now, 0


class MonthlyBudget:
    """Affinity's per-account budget, which resets at the end of each calendar month."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._used = 0

    def take(self) -> bool:
        with self._lock:
            if self._used >= self.limit:
                return False
            self._used += 1
            return True

    def reset(self) -> None:
        with self._lock:
            self._used = 0

    @property
    def used(self) -> int:
        return self._used

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self._used)

    @staticmethod
    def reset_in() -> int:
        now = datetime.now(UTC)
        year, month = (now.year + 1, 1) if now.month == 12 else (now.year, now.month + 1)
        return math.ceil((datetime(year, month, 1, tzinfo=UTC) - now).total_seconds())
