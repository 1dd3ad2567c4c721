"""Idempotency keys, kept in the sandbox's own SQLite file (so they survive a restart).

The generic project tool's contract (providers/README.md, "Idempotency"), the
pattern of Stripe: a POST may carry `Idempotency-Key` (at most 255
characters; an empty or longer key is a 400); each key is kept for 24 hours;
the same key with the same request answers the stored response again and
does nothing; with another request, 422 `IDEMPOTENCY_MISMATCH`; while its
first request is still being processed, 409 `IDEMPOTENCY_IN_PROGRESS`.

What is stored, and when a key is free again (the sandbox's choice, after
Stripe's "results are saved only after the execution of an endpoint begins"):

- A key is reserved once the request is accepted (credentials good, within
  the budget), before the hang fault holds it, so a retry during the hang
  gets the 409.
- Once the endpoint has run, its answer is stored whatever the status: the
  201 or 207, and the 4xx the endpoint itself gives (a 400 validation error,
  a 404 workspace, a 409 duplicate name). The same body can only earn the
  same verdict, and Stripe stores failures too; a corrected body needs a new
  key (the old one answers 422).
- Nothing is stored and the key is released when the endpoint never
  completed: the request was refused at the door (401, 429, a bad key), a
  fault answered in its place (an injected 429 or 5xx: those stand for a
  request that did not complete, which is why Stripe's retried 5xx are not a
  concern here), or the endpoint crashed (its writes roll back and the
  connection drops). A `drop_after` or `truncate` fault comes after the
  endpoint completed, so its answer is stored and replayed on retry.
- The endpoint's writes and its stored answer commit in one transaction. A
  key still "in progress" when a sandbox starts (one process serves a file)
  belonged to a request that died with the previous process, wrote nothing,
  and is released.

"The same request" means the same method, path and body, the body compared
as parsed JSON (key order and spacing do not matter). A mismatch is reported
before "in progress": another body is wrong whether or not the first is done.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from sqlite3 import Connection

from integrations.sandbox.store import SandboxStore
from integrations.sandbox.wire import Request, Response

MAX_KEY_LENGTH = 255
KEEP_SECONDS = 24 * 3600


class Outcome(Enum):
    RESERVED = "reserved"  # first use: process the request, then complete() or release()
    REPLAY = "replay"  # its first request finished: answer `Lookup.stored`
    IN_PROGRESS = "in_progress"  # its first request is still being processed
    MISMATCH = "mismatch"  # used before with another request


@dataclass(frozen=True)
class Lookup:
    outcome: Outcome
    stored: Response | None = None


class IdempotencyKeys:
    """One API's keys (`scope` is its name), in the shared store."""

    def __init__(
        self, store: SandboxStore, scope: str, clock: Callable[[], float] = time.time
    ) -> None:
        self.store = store
        self.scope = scope
        self.clock = clock

    def reserve(self, key: str, request: Request) -> Lookup:
        """Reserve the key for this request, or say why not; atomic across threads."""
        now = self.clock()
        with self.store.transaction() as conn:
            conn.execute(
                "DELETE FROM idempotency_keys WHERE created_at <= ?", (now - KEEP_SECONDS,)
            )
            row = conn.execute(
                "SELECT fingerprint, status, headers, body FROM idempotency_keys"
                " WHERE scope = ? AND key = ?",
                (self.scope, key),
            ).fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO idempotency_keys (scope, key, fingerprint, created_at)"
                    " VALUES (?, ?, ?, ?)",
                    (self.scope, key, fingerprint(request), now),
                )
                return Lookup(Outcome.RESERVED)
        stored_fingerprint, status, headers, body = row
        if stored_fingerprint != fingerprint(request):
            return Lookup(Outcome.MISMATCH)
        if status is None:
            return Lookup(Outcome.IN_PROGRESS)
        return Lookup(Outcome.REPLAY, Response(status, bytes(body), json.loads(headers)))

    def complete(self, conn: Connection, key: str, response: Response) -> None:
        """Store the endpoint's answer, inside the transaction that holds its writes."""
        conn.execute(
            "UPDATE idempotency_keys SET status = ?, headers = ?, body = ?"
            " WHERE scope = ? AND key = ?",
            (response.status, json.dumps(response.headers), response.body, self.scope, key),
        )

    def release(self, key: str) -> None:
        """Forget a reservation whose request did not complete."""
        with self.store.transaction() as conn:
            conn.execute(
                "DELETE FROM idempotency_keys WHERE scope = ? AND key = ? AND status IS NULL",
                (self.scope, key),
            )

    def release_unfinished(self) -> None:
        """At start: free the keys of requests that died with the previous process."""
        with self.store.transaction() as conn:
            conn.execute(
                "DELETE FROM idempotency_keys WHERE scope = ? AND status IS NULL", (self.scope,)
            )


def fingerprint(request: Request) -> str:
    try:
        body = json.dumps(json.loads(request.body), sort_keys=True, separators=(",", ":"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        body = request.body.decode("latin-1")
    return hashlib.sha256(
        f"{request.method} {request.path.rstrip('/')}\n{body}".encode()
    ).hexdigest()
