"""The fake Affinity v1 API (affinity.md): organizations, persons, lists and their entries
(`affinity_lists`), whoami, rate-limit."""

from __future__ import annotations

import base64
import binascii
import json
import sqlite3
from typing import Any

from integrations.sandbox import affinity_lists
from integrations.sandbox.affinity_rows import (
    ValidationError,
    linked_ids,
    write_organization,
    write_person,
)
from integrations.sandbox.base import FakeApi
from integrations.sandbox.credentials import AFFINITY_API_KEY
from integrations.sandbox.ratelimit import MonthlyBudget
from integrations.sandbox.router import Router
from integrations.sandbox.store import SandboxStore, next_id
from integrations.sandbox.values import is_true, parse_int
from integrations.sandbox.webhook_shapes import affinity_outgoing
from integrations.sandbox.wire import PayloadError, Request, Response, json_response

MAX_PAGE_SIZE = 500
# Calls that don't count toward the monthly budget (they still count per minute).
UNMETERED_PATHS = ("/rate-limit", "/auth/whoami")
WHOAMI = {
    "tenant": {"id": 1, "name": "Sandbox Ventures", "subdomain": "sandbox"},
    "user": {"id": 1, "firstName": "Sandy", "lastName": "Box", "email": "sandy@sandbox.example"},
    "grant": {
        "type": "api_key",
        "scope": "external_api",
        "createdAt": "2024-01-02T09:00:00.000-05:00",
    },
}


class AffinityApi(FakeApi):
    name = "affinity"
    prefix = "/affinity"
    default_rate_limit = 900  # per user per minute (affinity.md §6)
    webhook_table = "affinity_webhooks"
    max_webhooks = 3  # per instance (affinity.md §7)
    schema = affinity_lists.SCHEMA
    tables = affinity_lists.TABLES

    def __init__(self, store: SandboxStore, *, monthly_limit: int = 100_000) -> None:
        self.monthly = MonthlyBudget(monthly_limit)
        super().__init__(store)

    def add_routes(self, router: Router) -> None:
        router.add("GET", "/auth/whoami", lambda request: json_response(200, WHOAMI))
        router.add("GET", "/rate-limit", self.rate_limit)
        for kind in ("organizations", "persons"):
            router.add("GET", f"/{kind}", lambda r, k=kind: self.search(r, k))
            router.add("POST", f"/{kind}", lambda r, k=kind: self.write(r, k, None))
            router.add("GET", f"/{kind}/{{id}}", lambda r, k=kind: self.detail(r, k))
            router.add("PUT", f"/{kind}/{{id}}", lambda r, k=kind: self.write(r, k, r.params["id"]))
            router.add("DELETE", f"/{kind}/{{id}}", lambda r, k=kind: self.delete(r, k))
        router.add("GET", "/lists", self.lists)
        router.add("GET", "/lists/{id}/list-entries", self.list_entries)
        router.add("POST", "/lists/{id}/list-entries", self.list_entry_create)
        router.add("POST", "/webhook/subscribe", self.webhook_subscribe)
        router.add("GET", "/webhook", self.webhook_list)
        router.add("GET", "/webhook/{id}", self.webhook_detail)
        router.add("DELETE", "/webhook/{id}", self.webhook_delete)

    def authenticate(self, request: Request) -> Response | None:
        header = request.headers.get("Authorization", "")
        scheme, _, credentials = header.partition(" ")
        if scheme == "Bearer" and credentials == AFFINITY_API_KEY:
            return None  # accepted by v1 since 2025-11-05
        if scheme == "Basic":
            try:
                decoded = base64.b64decode(credentials).decode()
            except (binascii.Error, UnicodeDecodeError):
                decoded = ""
            # The username should be empty; a third party says any works, so any is accepted.
            if decoded.partition(":")[2] == AFFINITY_API_KEY:
                return None
        return self.error(401, "Invalid API key")

    def error(self, status: int, message: str, param: str | None = None) -> Response:
        # The v1 error body is UNCONFIRMED (Postman shows empty 401/404 bodies);
        # the sandbox uses the shape of the SDK's first parser, like v2's.
        item = {"message": message, **({"param": param} if param else {})}
        return json_response(status, {"errors": [item]})

    def admit(self, request: Request) -> Response | None:
        if request.path.rstrip("/") not in UNMETERED_PATHS and not self.monthly.take():
            # 429s carry no documented Retry-After: clients read the reset headers.
            return self.error(429, "Monthly API limit reached")
        if self.budget.take():
            return None
        return self.error(429, "Too many requests")

    def rate_limit_headers(self) -> dict[str, str]:
        return {
            "X-Ratelimit-Limit-User": str(self.budget.limit or 0),
            "X-Ratelimit-Limit-User-Remaining": str(self.budget.remaining),
            "X-Ratelimit-Limit-User-Reset": str(self.budget.reset_in()),
            "X-Ratelimit-Limit-Org": str(self.monthly.limit),
            "X-Ratelimit-Limit-Org-Remaining": str(self.monthly.remaining),
            "X-Ratelimit-Limit-Org-Reset": str(self.monthly.reset_in()),
        }

    def reset(self) -> None:
        super().reset()
        self.monthly.reset()

    def rate_limit(self, request: Request) -> Response:
        minute, month = self.budget, self.monthly
        return json_response(
            200,
            {
                "rate": {
                    "org_monthly": {
                        "limit": month.limit,
                        "remaining": month.remaining,
                        "reset": month.reset_in(),
                        "used": month.used,
                    },
                    "api_key_per_minute": {
                        "limit": minute.limit or 0,
                        "remaining": minute.remaining,
                        "reset": minute.reset_in(),
                        "used": minute.used,
                    },
                }
            },
        )

    # -- organizations and persons ---------------------------------------------
    def search(self, request: Request, kind: str) -> Response:
        try:
            page_size, offset, params = _page(request)
        except ValidationError as exc:
            return self.error(422, str(exc), exc.param)
        where, args = "", []
        if term := request.arg("term"):
            where, args = "WHERE search LIKE ?", [f"%{term.lower()}%"]
        rows = self.store.payloads(
            f"SELECT payload FROM affinity_{kind} {where} ORDER BY id LIMIT ? OFFSET ?",  # noqa: S608
            (*args, page_size + 1, offset),
        )
        more = len(rows) > page_size
        token = {"params": params, "page_size": page_size, "offset": offset + page_size}
        return json_response(
            200,
            {
                kind: rows[:page_size],  # search results carry no person_ids/organization_ids
                "next_page_token": _encode(token) if more else None,
            },
        )

    def detail(self, request: Request, kind: str) -> Response:
        record = self._load(self.store.connection(), kind, request.params["id"])
        if record is None:
            return self.error(404, f"{_singular(kind).capitalize()} not found")
        return json_response(200, self._full(kind, record, request))

    def write(self, request: Request, kind: str, record_id: str | None) -> Response:
        try:
            body = request.payload()
            if not isinstance(body, dict):
                raise ValidationError("Expected a JSON object")
            with self.store.transaction() as conn:
                record = self._load(conn, kind, record_id) if record_id else {}
                if record is None:
                    return self.error(404, f"{_singular(kind).capitalize()} not found")
                if kind == "organizations":
                    record = write_organization(conn, record, body)
                else:
                    record = write_person(conn, record, body)
        except (ValidationError, PayloadError) as exc:
            return self.error(422, str(exc), getattr(exc, "param", None))
        full = self._full(kind, record, request)
        self._notify(kind, "updated" if record_id else "created", full)
        # POST status is UNCONFIRMED (Postman says 201, withone.ai 200); v1's
        # examples are all 200, so the sandbox answers 200 to creates too.
        return json_response(200, full)

    def delete(self, request: Request, kind: str) -> Response:
        with self.store.transaction() as conn:
            record = self._load(conn, kind, request.params["id"])
            if record is None:
                return self.error(404, f"{_singular(kind).capitalize()} not found")
            if record.get("global"):
                return self.error(422, "Global organizations cannot be deleted")
            conn.execute(f"DELETE FROM affinity_{kind} WHERE id = ?", (record["id"],))  # noqa: S608
            column = "organization_id" if kind == "organizations" else "person_id"
            conn.execute(f"DELETE FROM affinity_memberships WHERE {column} = ?", (record["id"],))  # noqa: S608
            conn.execute("DELETE FROM affinity_person_emails WHERE person_id = ?", (record["id"],))
        # `person.deleted` omits organization_ids (affinity.md §7).
        self._notify(kind, "deleted", {k: v for k, v in record.items() if k != "organization_ids"})
        return json_response(200, {"success": True})

    # -- lists and list entries (affinity_lists.py) ---------------------------------
    def seed(self, conn: sqlite3.Connection, rng: Any) -> None:
        affinity_lists.seed_lists(conn, rng)

    def lists(self, request: Request) -> Response:
        return json_response(200, affinity_lists.lists(self.store.connection()))

    def list_entries(self, request: Request) -> Response:
        conn, list_id = self.store.connection(), request.params["id"]
        try:
            if request.arg("page_size") is None:  # a bare array of every entry
                return json_response(200, affinity_lists.entries(conn, list_id, 0, None))
            page_size, offset, params = _page(request)
            found = affinity_lists.entries(conn, list_id, offset, page_size + 1)
        except ValidationError as exc:
            return self.error(422, str(exc), exc.param)
        except affinity_lists.ListError as exc:
            return self.error(exc.status, str(exc), exc.param)
        token = {"params": params, "page_size": page_size, "offset": offset + page_size}
        more = len(found) > page_size
        return json_response(
            200,
            {
                "list_entries": found[:page_size],
                "next_page_token": _encode(token) if more else None,
            },
        )

    def list_entry_create(self, request: Request) -> Response:
        try:
            body = request.payload()
            with self.store.transaction() as conn:
                entry = affinity_lists.entry_create(conn, request.params["id"], body)
        except PayloadError as exc:
            return self.error(422, str(exc))
        except affinity_lists.ListError as exc:
            return self.error(exc.status, str(exc), exc.param)
        return json_response(200, entry)

    # -- webhooks (v1, affinity.md §7) ------------------------------------------
    def _notify(self, kind: str, action: str, body: dict[str, Any]) -> None:
        event_type = f"{_singular(kind)}.{action}"
        self.send_webhooks(
            [
                affinity_outgoing(sub, event_type, body)
                for sub in self.webhook_subscriptions()
                if not sub["disabled"]
                and (not sub["subscriptions"] or event_type in sub["subscriptions"])
            ]
        )

    def webhook_subscribe(self, request: Request) -> Response:
        """Creates a subscription. Affinity calls the URL first and fails on a bad reply;
        what that call carries is UNCONFIRMED, so the sandbox makes no such call."""
        try:
            body = request.payload()
        except PayloadError as exc:
            return self.error(422, str(exc))
        url = body.get("webhook_url") if isinstance(body, dict) else None
        events = body.get("subscriptions", []) if isinstance(body, dict) else []
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            return self.error(422, "webhook_url is required", "webhook_url")
        if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
            return self.error(422, "subscriptions must be a list of event types", "subscriptions")
        with self.store.transaction() as conn:
            if (
                conn.execute("SELECT COUNT(*) FROM affinity_webhooks").fetchone()[0]
                >= self.max_webhooks
            ):
                return self.error(422, "An instance can have at most 3 webhook subscriptions")
            subscription = {
                "id": next_id(conn, "affinity_webhooks"),
                "webhook_url": url,
                "subscriptions": events,
                "disabled": False,
                "created_by": WHOAMI["user"]["id"],
            }
            conn.execute(
                "INSERT INTO affinity_webhooks VALUES (?, ?)",
                (subscription["id"], json.dumps(subscription)),
            )
        return json_response(200, subscription)

    def webhook_list(self, request: Request) -> Response:
        return json_response(200, self.webhook_subscriptions())

    def webhook_detail(self, request: Request) -> Response:
        found = [s for s in self.webhook_subscriptions() if str(s["id"]) == request.params["id"]]
        return json_response(200, found[0]) if found else self.error(404, "Webhook not found")

    def webhook_delete(self, request: Request) -> Response:
        with self.store.transaction() as conn:
            gone = conn.execute(
                "DELETE FROM affinity_webhooks WHERE id = ?", (request.params["id"],)
            ).rowcount
        return (
            json_response(200, {"success": True}) if gone else self.error(404, "Webhook not found")
        )

    def _load(self, conn: sqlite3.Connection, kind: str, record_id: str | None) -> dict | None:
        if not str(record_id).isdigit():
            return None
        row = conn.execute(
            f"SELECT payload FROM affinity_{kind} WHERE id = ?",  # noqa: S608
            (int(str(record_id)),),
        ).fetchone()
        return json.loads(row[0]) if row else None

    def _full(self, kind: str, record: dict[str, Any], request: Request) -> dict[str, Any]:
        """The single-record shape: links, list entries and the flag-driven extras."""
        conn = self.store.connection()
        full = dict(record)
        if kind == "organizations":
            full["crunchbase_uuid"] = None
            full["person_ids"] = linked_ids(conn, "person_id", "organization_id", record["id"])
        else:
            full["organization_ids"] = linked_ids(
                conn, "organization_id", "person_id", record["id"]
            )
            if is_true(request.arg("with_current_organizations")):
                full["current_organization_ids"] = full["organization_ids"]
        list_type = (
            affinity_lists.ORGANIZATION if kind == "organizations" else affinity_lists.PERSON
        )
        full["list_entries"] = affinity_lists.entity_entries(conn, list_type, record["id"])
        if is_true(request.arg("with_opportunities")):
            full["opportunity_ids"] = []
        if is_true(request.arg("with_interaction_dates")):
            full["interaction_dates"] = dict.fromkeys(INTERACTION_KEYS)
        return full


INTERACTION_KEYS = (
    "first_email_date",
    "last_email_date",
    "last_event_date",
    "last_chat_message_date",
    "last_interaction_date",
    "first_event_date",
    "next_event_date",
)


def _page(request: Request) -> tuple[int, int, dict[str, str]]:
    """page_size, offset and the other params; a token must match those params."""
    params = {key: values[-1] for key, values in request.query.items()}
    params.pop("page_token", None)
    sent_size = params.pop("page_size", None)
    try:
        page_size = parse_int(sent_size, MAX_PAGE_SIZE) or 0
    except ValueError as exc:
        raise ValidationError("page_size must be an integer", "page_size") from exc
    # Default and maximum are 500; a larger size is refused (UNCONFIRMED: it may be clamped).
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationError(f"page_size must be between 1 and {MAX_PAGE_SIZE}", "page_size")
    token = request.arg("page_token")
    if not token:
        return page_size, 0, params
    decoded = _decode(token)
    if (
        decoded is None
        or decoded.get("params") != params
        or (sent_size is not None and decoded.get("page_size") != page_size)
    ):
        raise ValidationError("Invalid page_token variable", "page_token")
    return decoded["page_size"], decoded["offset"], params


def _encode(token: dict[str, Any]) -> str:
    return base64.b64encode(json.dumps(token, separators=(",", ":")).encode()).decode()


def _decode(token: str) -> dict[str, Any] | None:
    try:
        decoded = json.loads(base64.b64decode(token, validate=True))
    except (binascii.Error, ValueError):
        return None
    valid = isinstance(decoded, dict) and isinstance(decoded.get("offset"), int)
    return decoded if valid and isinstance(decoded.get("page_size"), int) else None


def _singular(kind: str) -> str:
    return "organization" if kind == "organizations" else "person"
