"""The fake Asana API (project-tool.md §2): projects, workspaces, users/me."""

from __future__ import annotations

import base64
import binascii
import html
import json
from typing import Any
from urllib.parse import urlencode

from integrations.sandbox.base import FakeApi
from integrations.sandbox.credentials import ASANA_TOKEN
from integrations.sandbox.router import Router
from integrations.sandbox.store import dumps, next_id
from integrations.sandbox.values import is_true, iso_milli, parse_date, parse_int, utc_now
from integrations.sandbox.wire import PayloadError, Request, Response, json_response

HELP = (
    "For more information on API status codes and how to handle them, "
    "read the docs on errors: https://developers.asana.com/docs/errors"
)
GID_BASE = 1_200_000_000_000_000  # Asana gids are long numeric strings
COLORS = (
    "dark-pink", "dark-green", "dark-blue", "dark-red", "dark-teal", "dark-brown", "dark-orange",
    "dark-purple", "dark-warm-gray", "light-pink", "light-green", "light-blue", "light-red",
    "light-teal", "light-brown", "light-orange", "light-purple", "light-warm-gray", "none",
)  # fmt: skip
DEFAULT_VIEWS = ("list", "board", "calendar", "timeline")
PRIVACY = ("public_to_workspace", "private_to_team", "private")


def gid(record_id: int) -> str:
    return str(GID_BASE + record_id)


def record_id(gid_value: str | None) -> int | None:
    """The row id behind a gid; None when it is not one of ours."""
    if not gid_value or not gid_value.isdigit() or int(gid_value) <= GID_BASE:
        return None
    return int(gid_value) - GID_BASE


class AsanaError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class AsanaApi(FakeApi):
    name = "asana"
    prefix = "/asana"
    default_rate_limit = 1500  # per token per minute on paid domains (150 on free)

    def add_routes(self, router: Router) -> None:
        router.add("GET", "/projects", self.project_list)
        router.add("POST", "/projects", self.project_create)
        router.add("GET", "/projects/{gid}", self.project_detail)
        router.add("GET", "/workspaces", self.workspace_list)
        router.add("GET", "/users/me", self.user_me)
        router.add("GET", "/users", self.user_list)

    def authenticate(self, request: Request) -> Response | None:
        if request.headers.get("Authorization", "") == f"Bearer {ASANA_TOKEN}":
            return None
        return self.error(401, "Not Authorized")

    def error(self, status: int, message: str) -> Response:
        if status == 429:
            message = "You have made too many requests recently. Please, be chill."
        return json_response(status, {"errors": [{"message": message, "help": HELP}]})

    def project_list(self, request: Request) -> Response:
        where, params = ["1 = 1"], []
        if workspace := request.arg("workspace"):
            where.append("workspace_id = ?")
            params.append(record_id(workspace))
        # Without `workspace` the sandbox lists every project (UNCONFIRMED).
        if (archived := request.arg("archived")) is not None:
            where.append("archived = ?")
            params.append(int(is_true(archived)))
        try:
            return self._page(
                request, "asana_projects", where, params, "project", self._opt_fields(request)
            )
        except AsanaError as exc:
            return self.error(exc.status, str(exc))

    def _opt_fields(self, request: Request) -> Any:
        """With `opt_fields`, list items carry the asked-for fields of the full project."""
        wanted = {f.split(".")[0] for f in (request.arg("opt_fields") or "").split(",") if f}
        if not wanted:
            return None
        return lambda row: {
            **compact("project", row),
            **{k: v for k, v in self._project_full(row).items() if k in wanted},
        }

    def user_list(self, request: Request) -> Response:
        # Every user belongs to every workspace in the sandbox (`workspace` is not filtered).
        try:
            return self._page(request, "asana_users", ["1 = 1"], [], "user")
        except AsanaError as exc:
            return self.error(exc.status, str(exc))

    def project_detail(self, request: Request) -> Response:
        project = self._project(record_id(request.params["gid"]))
        if project is None:
            # The exact wording for an unknown gid is UNCONFIRMED.
            return self.error(404, f"project: Unknown object: {request.params['gid']}")
        return json_response(200, {"data": self._project_full(project)})

    def project_create(self, request: Request) -> Response:
        try:
            body = request.payload()
            data = body.get("data") if isinstance(body, dict) else None
            if not isinstance(data, dict):
                raise AsanaError(400, "data: Missing input")
            with self.store.transaction() as conn:
                fields = self._validate(data)
                now = iso_milli(utc_now())
                project = {"id": next_id(conn, "asana_projects"), **fields, "created_at": now}
                project["modified_at"] = now
                conn.execute("INSERT INTO asana_projects VALUES (?, ?, ?, ?)", project_row(project))
        except PayloadError as exc:
            return self.error(400, f"data: {exc}")
        except AsanaError as exc:
            return self.error(exc.status, str(exc))
        return json_response(201, {"data": self._project_full(project)})

    def workspace_list(self, request: Request) -> Response:
        try:
            return self._page(request, "asana_workspaces", ["1 = 1"], [], "workspace")
        except AsanaError as exc:
            return self.error(exc.status, str(exc))

    def user_me(self, request: Request) -> Response:
        user = self.store.payload("SELECT payload FROM asana_users ORDER BY id LIMIT 1") or {}
        workspaces = self.store.payloads("SELECT payload FROM asana_workspaces ORDER BY id")
        me = {
            **compact("user", user),
            "email": user["email"],
            "photo": None,
            "workspaces": [compact("workspace", w) for w in workspaces],
        }
        return json_response(200, {"data": me})

    # -- helpers --------------------------------------------------------------
    def _validate(self, data: dict[str, Any]) -> dict[str, Any]:
        workspace_id = record_id(str(data.get("workspace") or ""))
        if not data.get("workspace"):
            raise AsanaError(400, "workspace: Missing input")
        if workspace_id is None or not self._exists("asana_workspaces", workspace_id):
            # Status and wording for an unknown workspace are UNCONFIRMED.
            raise AsanaError(404, f"workspace: Unknown object: {data['workspace']}")
        owner = data.get("owner")
        owner_id = record_id(str(owner)) if owner else None
        if owner and (owner_id is None or not self._exists("asana_users", owner_id)):
            raise AsanaError(400, f"owner: Not a recognized ID: {owner}")
        for field in ("due_on", "start_on"):
            if data.get(field) is not None and parse_date(data[field]) is None:
                raise AsanaError(400, f"{field}: Must be a date in the format YYYY-MM-DD")
        # The rule is documented; the message wording is UNCONFIRMED.
        if data.get("start_on") and not (data.get("due_on") or data.get("due_at")):
            raise AsanaError(400, "start_on: Must be set together with due_on or due_at")
        if data.get("start_on") and data.get("start_on") == data.get("due_on"):
            raise AsanaError(400, "start_on: Must not be the same date as due_on")
        for field, choices in (
            ("color", COLORS),
            ("default_view", DEFAULT_VIEWS),
            ("privacy_setting", PRIVACY),
        ):
            if data.get(field) is not None and data[field] not in choices:
                raise AsanaError(400, f"{field}: Must be one of: {', '.join(choices)}")
        return {
            "name": str(data.get("name") or ""),
            "notes": str(data.get("notes") or ""),
            "workspace_id": workspace_id,
            "owner_id": owner_id,
            "start_on": data.get("start_on"),
            "due_on": data.get("due_on"),
            "color": data.get("color"),
            "default_view": data.get("default_view") or "list",
            "privacy_setting": data.get("privacy_setting") or "public_to_workspace",
            "archived": bool(data.get("archived", False)),
        }

    def _exists(self, table: str, row_id: int) -> bool:
        return self.store.scalar(f"SELECT 1 FROM {table} WHERE id = ?", (row_id,)) is not None  # noqa: S608

    def _project(self, row_id: int | None) -> dict[str, Any] | None:
        if row_id is None:
            return None
        return self.store.payload("SELECT payload FROM asana_projects WHERE id = ?", (row_id,))

    def _project_full(self, project: dict[str, Any]) -> dict[str, Any]:
        workspace = self.store.payload(
            "SELECT payload FROM asana_workspaces WHERE id = ?", (project["workspace_id"],)
        )
        owner = project["owner_id"] and self.store.payload(
            "SELECT payload FROM asana_users WHERE id = ?", (project["owner_id"],)
        )
        project_gid = gid(project["id"])
        return {
            "gid": project_gid,
            "resource_type": "project",
            "name": project["name"],
            "archived": project["archived"],
            "color": project["color"],
            "created_at": project["created_at"],
            "current_status": None,
            "current_status_update": None,
            "custom_field_settings": [],
            "custom_fields": [],
            "default_view": project["default_view"],
            "due_date": project["due_on"],
            "due_on": project["due_on"],
            "followers": [],
            "html_notes": f"<body>{html.escape(project['notes'], quote=False)}</body>",
            "icon": "list",
            "members": [],
            "modified_at": project["modified_at"],
            "notes": project["notes"],
            "owner": compact("user", owner) if owner else None,
            "permalink_url": f"https://app.asana.com/0/{project_gid}/list",
            "privacy_setting": project["privacy_setting"],
            "public": project["privacy_setting"] == "public_to_workspace",
            "start_on": project["start_on"],
            "team": None,
            "workspace": compact("workspace", workspace),
        }

    def _page(
        self,
        request: Request,
        table: str,
        where: list[str],
        params: list[Any],
        resource_type: str,
        shape: Any = None,
    ) -> Response:
        """Offset-token pagination: `next_page` only when `limit` was sent, null at the end."""
        try:
            limit = parse_int(request.arg("limit"))
        except ValueError:
            limit = 0
        if limit is not None and not 1 <= limit <= 100:
            raise AsanaError(400, "limit: Must be between 1 and 100")
        after = _decode_offset(request.arg("offset"))
        rows = self.store.payloads(
            f"SELECT payload FROM {table} WHERE {' AND '.join(where)} AND id > ? "  # noqa: S608
            "ORDER BY id LIMIT ?",
            [*params, after, (limit or -2) + 1],
        )
        shape = shape or (lambda row: compact(resource_type, row))
        body: dict[str, Any] = {"data": [shape(row) for row in rows[: limit or None]]}
        if limit is not None:
            more = len(rows) > limit
            body["next_page"] = self._next_page(request, rows[limit - 1]["id"]) if more else None
        return json_response(200, body)

    @staticmethod
    def _next_page(request: Request, last_id: int) -> dict[str, str]:
        offset = base64.urlsafe_b64encode(json.dumps({"after": last_id}).encode()).decode()
        query = {key: values[-1] for key, values in request.query.items() if key != "offset"}
        path = f"{request.path}?{urlencode({**query, 'offset': offset})}"
        return {"offset": offset, "path": path, "uri": f"{request.base_url}{path}"}


def _decode_offset(token: str | None) -> int:
    """The last id of the previous page; only tokens the API minted are accepted."""
    if not token:
        return 0
    try:
        after = json.loads(base64.urlsafe_b64decode(token))["after"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        after = None
    if not isinstance(after, int):
        # The exact message is UNCONFIRMED.
        raise AsanaError(400, "offset: Your pagination token is invalid.")
    return after


def compact(resource_type: str, record: dict[str, Any]) -> dict[str, Any]:
    """The compact form every Asana resource has: gid, resource_type, name."""
    return {"gid": gid(record["id"]), "resource_type": resource_type, "name": record["name"]}


def project_row(project: dict[str, Any]) -> tuple[Any, ...]:
    return (project["id"], project["workspace_id"], int(project["archived"]), dumps(project))
