"""The webhooks the sandbox sends after each write, as each provider sends them.

A fake API builds an `Outgoing` per event and subscription: where to send it, and
how to make one attempt's body and headers (each provider signs its own way, and
some sign each attempt anew). `WebhookSender` delivers them from a small pool of
threads: a failed attempt (a status the provider does not count as success, or no
answer) is tried again with growing delays, as the providers do, though in
seconds rather than hours. The provider's faults reach its webhooks too
(faults.py `webhook_*`): duplicates, delays with jitter (events overtake each
other), drops, a forged copy before the real one, and an old delivery replayed.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from integrations.sandbox.faults import FaultBoard

logger = logging.getLogger("integrations.sandbox")

TIMEOUT = 10.0  # Asana allows 10 s; the others wait longer
RETRY_DELAYS = (0.5, 1, 2, 4, 8, 16)  # then the delivery is given up
REPLAY_AFTER = 1.0  # seconds before a captured delivery is replayed
REPLAY_AGE = 3600  # how old the replayed delivery's own time is
WORKERS = 8


@dataclass(frozen=True)
class Attempt:
    body: bytes
    headers: dict[str, str]


# make(at, forged): one attempt made at Unix time `at`; `forged` signs with a wrong secret.
Make = Callable[[float, bool], Attempt]


@dataclass(frozen=True)
class Copy:
    """A one-off attempt made in advance: a forged copy or an old one replayed."""

    kind: str
    attempt: Attempt


@dataclass(frozen=True)
class Outgoing:
    url: str
    make: Make
    success: Callable[[int], bool] = lambda status: 200 <= status < 300


class WebhookSender:
    def __init__(self, faults: FaultBoard, stopping: threading.Event) -> None:
        self.faults = faults
        self.stopping = stopping
        self._due: list[tuple[float, int, Outgoing, int, Copy | None]] = []
        self._order = itertools.count()
        self._ready = threading.Condition()
        self._started = False
        # Every attempt made: (kind, status, milliseconds to the answer), for the
        # control endpoint's /webhooks/attempts (benchmarks measure acknowledgements).
        self.attempts: deque[tuple[str, int, float]] = deque(maxlen=100_000)

    def send(self, provider: str, outgoing: Outgoing) -> None:
        """Queue an event's delivery, with the provider's webhook faults applied."""
        decision = self.faults.get(provider).webhook_decision()
        if decision.drop:
            return
        first = time.monotonic() + decision.delay
        if decision.bad_signature:
            self._at(first, outgoing, -1, Copy("forged", outgoing.make(time.time(), True)))
        self._at(first, outgoing, 0)
        if decision.duplicate:
            self._at(first + 0.05, outgoing, 0)
        if decision.replay:
            old = outgoing.make(time.time() - REPLAY_AGE, False)
            self._at(first + REPLAY_AFTER, outgoing, -1, Copy("replay", old))

    def deliver_now(self, outgoing: Outgoing) -> tuple[int, dict[str, str]]:
        """One attempt in the caller's thread (handshakes, test pings): status and headers."""
        attempt = outgoing.make(time.time(), False)
        return post(outgoing.url, attempt)

    def _at(self, when: float, outgoing: Outgoing, attempt: int, fixed: Copy | None = None) -> None:
        """`attempt` -1: a one-off (forged or replayed copy), never retried."""
        with self._ready:
            heapq.heappush(self._due, (when, next(self._order), outgoing, attempt, fixed))
            self._ready.notify()
            if not self._started:
                self._started = True
                for number in range(WORKERS):
                    threading.Thread(
                        target=self._work, name=f"sandbox-webhooks-{number}", daemon=True
                    ).start()

    def _work(self) -> None:
        while not self.stopping.is_set():
            with self._ready:
                while not self._due or self._due[0][0] > time.monotonic():
                    wait = self._due[0][0] - time.monotonic() if self._due else 1.0
                    self._ready.wait(timeout=min(max(wait, 0.001), 1.0))
                    if self.stopping.is_set():
                        return
                _, _, outgoing, attempt, fixed = heapq.heappop(self._due)
            try:
                self._attempt(outgoing, attempt, fixed)
            except Exception:  # a sender thread must outlive one bad attempt
                logger.exception("Webhook attempt to %s failed", outgoing.url)

    def _attempt(self, outgoing: Outgoing, attempt: int, fixed: Copy | None) -> None:
        started = time.perf_counter()
        status, _ = post(
            outgoing.url, fixed.attempt if fixed else outgoing.make(time.time(), False)
        )
        kind = fixed.kind if fixed else ("event" if attempt == 0 else "retry")
        self.attempts.append((kind, status, (time.perf_counter() - started) * 1000))
        if attempt < 0 or outgoing.success(status):
            return
        if attempt < len(RETRY_DELAYS):
            self._at(time.monotonic() + RETRY_DELAYS[attempt], outgoing, attempt + 1)
        else:
            logger.warning("Webhook to %s given up after %s attempts", outgoing.url, attempt + 1)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A 3xx is the attempt's answer (a failure), never followed: Standard Webhooks
    senders do not follow redirects (openapi-webhooks-observability.md §D5), and
    Recruitee counts only 200."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def post(url: str, attempt: Attempt) -> tuple[int, dict[str, str]]:
    """POST one attempt; (status, headers), or (0, {}) when nothing answered."""
    request = urllib.request.Request(  # noqa: S310 - subscriptions are http(s) URLs
        url,
        data=attempt.body,
        method="POST",
        headers={"Content-Type": "application/json", **attempt.headers},
    )
    try:
        with _OPENER.open(request, timeout=TIMEOUT) as response:
            response.read()
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)
    except OSError as exc:
        logger.info("Webhook to %s: no answer (%s)", url, exc)
        return 0, {}
