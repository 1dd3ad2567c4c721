"""The fake generic project tool (providers/README.md): OAuth, projects, users, webhooks."""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from integrations.sandbox.base import FakeApi
from integrations.sandbox.credentials import (
    PROJECTS_CLIENT_ID,
    PROJECTS_CLIENT_SECRET,
    PROJECTS_TOKEN,
)
from integrations.sandbox.idempotency import MAX_KEY_LENGTH, IdempotencyKeys, Outcome
from integrations.sandbox.router import Router
from integrations.sandbox.store import SandboxStore, dumps, next_id
from integrations.sandbox.values import iso_milli, parse_date, parse_int, string_list, utc_now
from integrations.sandbox.webhook_shapes import standard_outgoing, standard_secret
from integrations.sandbox.wire import PayloadError, Request, Response, json_response

STATUSES = ("Planning", "Active", "On Hold", "Completed")
PRIORITIES = ("Low", "Medium", "High")
EVENTS = ("project.created", "project.updated", "project.deleted")
IDEMPOTENT_PATHS = ("/projects", "/projects/bulk", "/webhooks")  # POSTs that take a key
TOKEN_PATH = "/oauth/token"  # noqa: S105 (a path, not a secret)
MAX_PAGE_SIZE = 100
# Our OpenAPI document of this API (written from its contract, not part of it), so it
# can be connected as an OpenAPI connection too.
DOCUMENT_PATH = "/openapi.json"
DOCUMENT = Path(__file__).resolve().parent / "documents" / "project-tool.json"
ME_USER_ID = 1  # every accepted token belongs to the first seeded user


class ProjectError(Exception):
    """A request the API refuses, with the documented error body."""

    def __init__(
        self, status: int, code: str, message: str, field: str | None = None, value: Any = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.field, self.value = status, code, field, value

    def body(self) -> dict[str, Any]:
        details = {"field": self.field, "value": self.value} if self.field else {}
        return {
            "code": self.code,
            "message": str(self),
            **({"details": details} if details else {}),
        }


class ProjectToolApi(FakeApi):
    name = "projects"
    prefix = "/projects-api"
    default_rate_limit = 600  # UNCONFIRMED: the generic contract names no figure
    webhook_table = "projects_webhooks"

    def __init__(self, store: SandboxStore, *, token_ttl: int = 3600) -> None:
        self.token_ttl = token_ttl
        self._tokens: dict[str, float] = {}  # access token -> expiry (Unix time)
        self._tokens_lock = threading.Lock()
        self.idempotency = IdempotencyKeys(store, self.name)
        super().__init__(store)
        self.idempotency.release_unfinished()

    def add_routes(self, router: Router) -> None:
        router.add("GET", "/projects", self.project_list)
        router.add("POST", "/projects", self.project_create)
        router.add("POST", "/projects/bulk", self.project_bulk_create)
        router.add("GET", "/projects/{id}", self.project_detail)
        router.add("PATCH", "/projects/{id}", self.project_update)
        router.add("GET", "/users", lambda r: self._page(r, "projects_users", "", []))
        router.add("GET", "/users/me", self.user_me)
        router.add("GET", "/workspaces", lambda r: self._page(r, "projects_workspaces", "", []))
        router.add("GET", "/webhooks", self.webhook_list)
        router.add("POST", "/webhooks", self.webhook_create)
        router.add("DELETE", "/webhooks/{id}", self.webhook_delete)
        router.add("GET", "/openapi.json", self.document)

    # -- the request cycle ----------------------------------------------------
    def receive(self, request: Request) -> Response | None:
        if _is_post_to(request, (TOKEN_PATH,)):
            return None  # the token endpoint takes client credentials and is not metered
        if request.method == "GET" and request.path == DOCUMENT_PATH:
            return None  # the document is public, as APIs publish theirs
        return super().receive(request) or self._reserve_key(request)

    def process(self, request: Request) -> Response:
        if _is_post_to(request, (TOKEN_PATH,)):
            return self.issue_token(request)
        key = request.idempotency_key
        if key is None:
            return super().process(request)
        try:
            # The endpoint's writes and its stored answer commit together (idempotency.py).
            with self.store.transaction() as conn:
                response = super().process(request)
                self.idempotency.complete(conn, key, response)
        except BaseException:
            self.idempotency.release(key)
            raise
        return response

    def _reserve_key(self, request: Request) -> Response | None:
        """None to go ahead (holding the key, if one was sent), else the key's answer."""
        key = request.headers.get("Idempotency-Key")
        if key is None or not _is_post_to(request, IDEMPOTENT_PATHS):
            return None
        if not 0 < len(key) <= MAX_KEY_LENGTH:
            message = (
                f"The Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters long"
                f" (this one has {len(key)})."
            )
            error = ProjectError(400, "INVALID_INPUT", message, "Idempotency-Key")
            return json_response(400, {"error": error.body()})
        lookup = self.idempotency.reserve(key, request)
        if lookup.outcome is Outcome.RESERVED:
            request.idempotency_key = key
            return None
        if lookup.outcome is Outcome.REPLAY:
            return lookup.stored
        if lookup.outcome is Outcome.IN_PROGRESS:
            message = "A request with this Idempotency-Key is still being processed; retry later."
            return self.error(409, message, "IDEMPOTENCY_IN_PROGRESS")
        message = "This Idempotency-Key was used with another request; use a new key."
        return self.error(422, message, "IDEMPOTENCY_MISMATCH")

    # -- auth ---------------------------------------------------------------

    def issue_token(self, request: Request) -> Response:
        """OAuth 2.0 client credentials (RFC 6749 §4.4), with RFC 6749 §5.2 error bodies."""
        try:
            body = request.payload()
        except PayloadError:
            body = {}
        body = body if isinstance(body, dict) else {}
        if body.get("grant_type") != "client_credentials":
            return json_response(400, {"error": "unsupported_grant_type"})
        client_id, client_secret = _basic_credentials(request) or (
            body.get("client_id"),
            body.get("client_secret"),
        )
        if (client_id, client_secret) != (PROJECTS_CLIENT_ID, PROJECTS_CLIENT_SECRET):
            return json_response(401, {"error": "invalid_client"})
        token = secrets.token_urlsafe(24)
        with self._tokens_lock:
            self._tokens[token] = time.time() + self.token_ttl
        body = {"access_token": token, "token_type": "Bearer", "expires_in": self.token_ttl}
        return json_response(200, body, {"Cache-Control": "no-store"})

    def expire_tokens(self) -> None:
        """Make every issued access token expired (tests of the refresh-once path)."""
        with self._tokens_lock:
            self._tokens = dict.fromkeys(self._tokens, 0.0)

    def authenticate(self, request: Request) -> Response | None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme == "Bearer" and token == PROJECTS_TOKEN:
            return None
        with self._tokens_lock:
            expiry = self._tokens.get(token) if scheme == "Bearer" else None
        if expiry is None:
            return self.error(401, "Missing or invalid credentials.", "UNAUTHORIZED")
        if expiry <= time.time():
            return self.error(401, "The access token has expired.", "TOKEN_EXPIRED")
        return None

    def error(self, status: int, message: str, code: str | None = None) -> Response:
        code = code or ERROR_CODES.get(status, "SERVER_ERROR")
        return json_response(status, {"error": ProjectError(status, code, message).body()})

    def rate_limit_headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.budget.limit or 0),
            "X-RateLimit-Remaining": str(self.budget.remaining),
            "X-RateLimit-Reset": str(self.budget.reset_at()),
        }

    # -- projects -------------------------------------------------------------
    def project_list(self, request: Request) -> Response:
        where, params = [], []
        if status := request.arg("status"):
            where.append("status = ?")
            params.append(status)
        if workspace_id := request.arg("workspace_id"):
            where.append("workspace_id = ?")
            params.append(workspace_id)
        if search := request.arg("search"):
            where.append("name_key LIKE ?")
            params.append(f"%{search.lower()}%")
        return self._page(request, "projects_projects", " AND ".join(where), params)

    def project_detail(self, request: Request) -> Response:
        project_id = request.params["id"]
        project = project_id.isdigit() and self.store.payload(
            "SELECT payload FROM projects_projects WHERE id = ?", (int(project_id),)
        )
        if not project:
            return self.error(404, f"Project {project_id} not found.")
        return json_response(200, project)

    def project_create(self, request: Request) -> Response:
        try:
            with self.store.transaction() as conn:
                project = create_project(conn, request.payload())
        except PayloadError as exc:
            return self.error(400, str(exc), "INVALID_INPUT")
        except ProjectError as exc:
            return json_response(exc.status, {"error": exc.body()})
        self._notify([project])
        return json_response(201, project)

    def project_update(self, request: Request) -> Response:
        """`PATCH /projects/{id}`: the fields sent replace the stored ones (null clears an
        optional one), checked as a create is; 200 with the project. The shared contract
        names no update: this is the hub's own extension of it, the usual REST shape
        (docs/architecture.md, "Projects")."""
        project_id = request.params["id"]
        try:
            body = request.payload()
            with self.store.transaction() as conn:
                project = update_project(conn, int(project_id) if project_id.isdigit() else 0, body)
        except PayloadError as exc:
            return self.error(400, str(exc), "INVALID_INPUT")
        except ProjectError as exc:
            return json_response(exc.status, {"error": exc.body()})
        self._notify([project], "project.updated")
        return json_response(200, project)

    def project_bulk_create(self, request: Request) -> Response:
        try:
            items = request.payload()
        except PayloadError as exc:
            return self.error(400, str(exc), "INVALID_INPUT")
        if not isinstance(items, list):
            return self.error(400, "The body must be an array of projects.", "INVALID_INPUT")
        created, errors = [], []
        for index, item in enumerate(items):
            try:
                with self.store.transaction() as conn:
                    created.append(create_project(conn, item))
            except ProjectError as exc:
                errors.append({"index": index, "error": exc.body()})
        self._notify(created)
        # Always 207, even when every row succeeded or failed (the "207-style" answer).
        return json_response(207, {"data": created, "errors": errors})

    def document(self, request: Request) -> Response:
        return Response(200, DOCUMENT.read_bytes(), {"Content-Type": "application/json"})

    # -- users, webhooks ---------------------------------------------------------
    def user_me(self, request: Request) -> Response:
        return json_response(
            200,
            self.store.payload("SELECT payload FROM projects_users WHERE id = ?", (ME_USER_ID,)),
        )

    def webhook_create(self, request: Request) -> Response:
        try:
            body = request.payload()
        except PayloadError as exc:
            return self.error(400, str(exc), "INVALID_INPUT")
        url, events = (
            (body.get("url"), body.get("events")) if isinstance(body, dict) else (None, None)
        )
        if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
            return json_response(400, _invalid("url", url, "url must be an http(s) URL."))
        if not string_list(events) or not set(events) <= set(EVENTS):
            message = f"events must be a non-empty array of: {', '.join(EVENTS)}."
            return json_response(400, _invalid("events", events, message))
        with self.store.transaction() as conn:
            webhook = {
                "id": next_id(conn, "projects_webhooks"),
                "url": url,
                "events": events,
                "secret": standard_secret(),  # Standard Webhooks: whsec_ + base64
                "created_at": iso_milli(utc_now()),
            }
            conn.execute(
                "INSERT INTO projects_webhooks VALUES (?, ?)", (webhook["id"], dumps(webhook))
            )
        return json_response(201, webhook)

    def webhook_list(self, request: Request) -> Response:
        # The secret is shown once, when the webhook is created; never in listings.
        return self._page(request, "projects_webhooks", "", [], hide=("secret",))

    def webhook_delete(self, request: Request) -> Response:
        with self.store.transaction() as conn:
            gone = conn.execute(
                "DELETE FROM projects_webhooks WHERE id = ?", (request.params["id"],)
            ).rowcount
        if not gone:
            return self.error(404, "Webhook not found", "NOT_FOUND")
        return Response(204, b"", {})

    def _notify(self, projects: list[dict[str, Any]], event: str = "project.created") -> None:
        """A Standard Webhooks delivery of `event` per project and subscription."""
        subscriptions = [s for s in self.webhook_subscriptions() if event in s["events"]]
        self.send_webhooks(
            [
                standard_outgoing(subscription, event, project)
                for project in projects
                for subscription in subscriptions
            ]
        )

    def _page(
        self,
        request: Request,
        table: str,
        where: str,
        params: list[Any],
        hide: tuple[str, ...] = (),
    ) -> Response:
        """The list envelope: data plus meta {currentPage, totalPages, totalItems, itemsPerPage}."""
        try:
            page = parse_int(request.arg("page"), 1) or 0
        except ValueError:
            page = 0
        try:
            limit = parse_int(request.arg("limit"), 10) or 0
        except ValueError:
            limit = 0
        if page < 1:
            return json_response(400, _invalid("page", request.arg("page"), "page must be >= 1."))
        if not 1 <= limit <= MAX_PAGE_SIZE:
            message = f"limit must be between 1 and {MAX_PAGE_SIZE}."
            return json_response(400, _invalid("limit", request.arg("limit"), message))
        clause = f"WHERE {where}" if where else ""
        conn = self.store.connection()
        total = conn.execute(f"SELECT COUNT(*) FROM {table} {clause}", params).fetchone()[0]  # noqa: S608
        data = self.store.payloads(
            f"SELECT payload FROM {table} {clause} ORDER BY id LIMIT ? OFFSET ?",  # noqa: S608
            [*params, limit, (page - 1) * limit],
        )
        data = [{k: v for k, v in row.items() if k not in hide} for row in data]
        meta = {
            "currentPage": page,
            "totalPages": -(-total // limit),
            "totalItems": total,
            "itemsPerPage": limit,
        }
        return json_response(200, {"data": data, "meta": meta})


ERROR_CODES = {
    400: "INVALID_INPUT",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    409: "CONFLICT",
    429: "RATE_LIMITED",
}


def _is_post_to(request: Request, paths: tuple[str, ...]) -> bool:
    return request.method == "POST" and request.path.rstrip("/") in paths


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    """Client id and secret from HTTP Basic auth, which RFC 6749 §2.3.1 also allows."""
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme != "Basic":
        return None
    try:
        client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return client_id, secret


def _invalid(field: str, value: Any, message: str) -> dict[str, Any]:
    return {"error": ProjectError(400, "INVALID_INPUT", message, field, value).body()}


def create_project(conn: sqlite3.Connection, data: object) -> dict[str, Any]:
    """Validate and insert one project; raises ProjectError with the documented codes."""
    if not isinstance(data, dict):
        raise ProjectError(400, "INVALID_INPUT", "A project must be a JSON object.")
    project = validate_project(data)
    _check_references(conn, project)
    _check_unique_name(conn, project)
    now = iso_milli(utc_now())
    project = {
        "id": next_id(conn, "projects_projects"),
        **project,
        "created_at": now,
        "updated_at": now,
    }
    conn.execute("INSERT INTO projects_projects VALUES (?, ?, ?, ?, ?)", project_row(project))
    return project


# What a PATCH may change: a create's fields less the workspace (a project stays where it
# was made) and the template (it only shapes a new project).
UPDATABLE = ("name", "description", "owner_id", "start_date", "end_date", "status", "priority",
             "tags")  # fmt: skip


def update_project(conn: sqlite3.Connection, project_id: int, data: object) -> dict[str, Any]:
    """Apply a PATCH to a stored project, checked as a create is."""
    stored = conn.execute(
        "SELECT payload FROM projects_projects WHERE id = ?", (project_id,)
    ).fetchone()
    if stored is None:
        raise ProjectError(404, "NOT_FOUND", f"Project {project_id} not found.")
    if not isinstance(data, dict):
        raise ProjectError(400, "INVALID_INPUT", "A project must be a JSON object.")
    for field in data.keys() - set(UPDATABLE):
        raise ProjectError(400, "INVALID_INPUT", f"The {field} cannot be changed.", field)
    current = json.loads(stored[0])
    merged = {**current, **data}
    # null clears an optional field; the defaults of a create do not apply to an update
    for field in ("status", "priority"):
        if merged.get(field) is None:
            merged.pop(field, None)
    checked = validate_project(merged)
    _check_references(conn, checked)
    if checked["name"].lower() != current["name"].lower():
        _check_unique_name(conn, checked)
    project = {**current, **{k: checked[k] for k in UPDATABLE}, "updated_at": iso_milli(utc_now())}
    conn.execute(
        "UPDATE projects_projects SET status = ?, name_key = ?, payload = ? WHERE id = ?",
        (project["status"], project["name"].lower(), dumps(project), project_id),
    )
    return project


def _check_references(conn: sqlite3.Connection, project: dict[str, Any]) -> None:
    """An owner or workspace the tool does not have: 404 naming the field."""
    for field, table in (("owner_id", "projects_users"), ("workspace_id", "projects_workspaces")):
        value = project[field]
        if (
            value is not None
            and not conn.execute(
                f"SELECT 1 FROM {table} WHERE id = ?",  # noqa: S608
                (value,),
            ).fetchone()
        ):
            raise ProjectError(
                404, "NOT_FOUND", f"The {field} {value} does not exist.", field, value
            )


def _check_unique_name(conn: sqlite3.Connection, project: dict[str, Any]) -> None:
    """Names are unique per workspace: 409 CONFLICT."""
    duplicate = conn.execute(
        "SELECT 1 FROM projects_projects WHERE workspace_id = ? AND name_key = ?",
        (project["workspace_id"], project["name"].lower()),
    ).fetchone()
    if duplicate:
        message = f"A project named {project['name']!r} already exists in this workspace."
        raise ProjectError(409, "CONFLICT", message, "name", project["name"])


def validate_project(data: dict[str, Any]) -> dict[str, Any]:
    def invalid(field: str, message: str) -> ProjectError:
        return ProjectError(400, "INVALID_INPUT", message, field, data.get(field))

    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise invalid("name", "The name is required.")
    for field, choices in (("status", STATUSES), ("priority", PRIORITIES)):
        if field in data and data[field] not in choices:
            raise invalid(field, f"The {field} must be one of: {', '.join(choices)}.")
    dates = {}
    for field in ("start_date", "end_date"):
        if data.get(field) is not None:
            dates[field] = parse_date(data[field])
            if dates[field] is None:
                raise invalid(field, f"The provided {field} is not valid.")
    start, end = dates.get("start_date"), dates.get("end_date")
    if start and end and end < start:
        raise invalid("end_date", "The end_date must not be before the start_date.")
    if "tags" in data and string_list(data["tags"]) is None:
        raise invalid("tags", "The tags must be an array of strings.")
    if data.get("workspace_id") is None:
        raise invalid("workspace_id", "The workspace_id is required.")
    for field in ("owner_id", "workspace_id", "template_id"):
        if data.get(field) is not None and not isinstance(data[field], int):
            raise invalid(field, f"The {field} must be an integer.")
    return {
        "name": name.strip(),
        "description": data.get("description") or "",
        "owner_id": data.get("owner_id"),
        "workspace_id": data["workspace_id"],
        "start_date": data.get("start_date"),
        "end_date": data.get("end_date"),
        "status": data.get("status", "Planning"),
        "priority": data.get("priority", "Medium"),
        "tags": data.get("tags", []),
        "template_id": data.get("template_id"),
    }


def project_row(project: dict[str, Any]) -> tuple[Any, ...]:
    return (
        project["id"],
        project["workspace_id"],
        project["status"],
        project["name"].lower(),
        dumps(project),
    )
