"""What every fake provider API shares: the request cycle, receive then process.

`receive()` is the front door: credentials, the budget and (where the API has
them) the idempotency key. A request it refuses is answered at once; one it
accepts may wait in the provider's queue (the hang fault) before `process()`
routes it. Every answer gets the provider's rate-limit headers.
"""

from __future__ import annotations

import random
import sqlite3
import threading
from collections.abc import Callable
from typing import ClassVar

from integrations.sandbox.ratelimit import MinuteBudget
from integrations.sandbox.router import Router
from integrations.sandbox.store import SandboxStore
from integrations.sandbox.webhooks import Outgoing, WebhookSender
from integrations.sandbox.wire import Request, Response

# Gateways answer 502 with an HTML page, not the provider's JSON: clients must cope.
BAD_GATEWAY_HTML = (
    b"<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>"
)

STATUS_MESSAGES = {
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
    504: "Gateway timeout",
}


class FakeApi:
    """One provider's API. Subclasses fill in the hooks that raise NotImplementedError."""

    name: str = ""  # the provider's key in faults and the control endpoint
    prefix: str = ""  # where it is served, e.g. "/recruitee"
    default_rate_limit: int | None = None  # requests per minute; None: no budget
    # A fake outside store.SCHEMA keeps its records in tables of its own: their
    # `CREATE TABLE IF NOT EXISTS` statements, and the names to count and clear.
    schema: ClassVar[str] = ""
    tables: ClassVar[tuple[str, ...]] = ()
    webhook_table: str = ""  # where its webhook subscriptions are stored; "" if it has none

    def __init__(self, store: SandboxStore) -> None:
        self.store = store
        if self.schema:
            store.add_tables(self.schema, self.tables)
        self.router = Router()
        self.budget = MinuteBudget(self.default_rate_limit)
        self.webhooks: WebhookSender | None = None  # set by SandboxApp
        self._unsent = threading.local()  # this request's webhooks, sent once it is answered
        self.add_routes(self.router)

    # -- hooks --------------------------------------------------------------
    def add_routes(self, router: Router) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement add_routes()")

    def authenticate(self, request: Request) -> Response | None:
        """None when the credentials are good, else the provider's own 401."""
        raise NotImplementedError(f"{type(self).__name__} must implement authenticate()")

    def error(self, status: int, message: str) -> Response:
        """An error in the provider's own body shape."""
        raise NotImplementedError(f"{type(self).__name__} must implement error()")

    def seed(self, conn: sqlite3.Connection, rng: random.Random) -> None:
        """Write this fake's demo records into its `tables` (inside the seed's transaction).

        The built-in fakes are seeded by `seed.seed_all` (sized by `SeedSizes`), so
        theirs does nothing; a fake with tables of its own fills them here."""

    def rate_limit_headers(self) -> dict[str, str]:
        """Headers every response carries; none unless the provider documents some."""
        return {}

    def admit(self, request: Request) -> Response | None:
        """Spend from the budget: None to go ahead, or the provider's 429."""
        if self.budget.take():
            return None
        return self.too_many_requests(self.budget.reset_in())

    def reset(self) -> None:
        """Forget budgets and other per-run state (not stored data)."""
        self.budget.reset()

    # -- webhooks -------------------------------------------------------------
    def webhook_subscriptions(self) -> list[dict]:
        if not self.webhook_table:
            return []
        return self.store.payloads(f"SELECT payload FROM {self.webhook_table} ORDER BY id")  # noqa: S608

    def send_webhooks(self, outgoing: list[Outgoing]) -> None:
        """Send each event once the request is processed: its writes have committed then
        (an endpoint may run inside an idempotency transaction), so a receiver that
        fetches the record finds it."""
        unsent = getattr(self._unsent, "items", None)
        if unsent is None:
            unsent = self._unsent.items = []
        unsent.extend(outgoing)

    def _send_unsent(self) -> None:
        unsent, self._unsent.items = getattr(self._unsent, "items", None) or [], []
        if self.webhooks is not None:
            for item in unsent:
                self.webhooks.send(self.name, item)

    # -- the request cycle ----------------------------------------------------
    def handle(self, request: Request, *, hold: Callable[[], object] = lambda: None) -> Response:
        """Receive the request; if accepted, `hold()` (the queue's wait), then process it."""
        refusal = self.receive(request)
        if refusal is not None:
            return self.finish(refusal)
        hold()
        return self.finish(self.process(request))

    def receive(self, request: Request) -> Response | None:
        """None when the request is accepted for processing, else the answer to it."""
        return self.authenticate(request) or self.admit(request)

    def process(self, request: Request) -> Response:
        """Carry out an accepted request."""
        return self._route(request)

    def finish(self, response: Response) -> Response:
        response.headers.update(self.rate_limit_headers())
        self._send_unsent()
        return response

    def too_many_requests(self, retry_after: int) -> Response:
        response = self.error(429, STATUS_MESSAGES[429])
        response.headers["Retry-After"] = str(max(1, retry_after))
        return response

    def injected_error(self, status: int, retry_after: int) -> Response:
        """The answer to a fault-injected error status."""
        if status == 429:
            return self.finish(self.too_many_requests(retry_after))
        if status == 502:
            headers = {"Content-Type": "text/html; charset=utf-8"}
            return self.finish(Response(502, BAD_GATEWAY_HTML, headers))
        return self.finish(self.error(status, STATUS_MESSAGES[status]))

    def _route(self, request: Request) -> Response:
        found = self.router.match(request.method, request.path)
        if found is None:
            return self.error(404, "Not found")
        handler, request.params = found
        return handler(request)
