"""The fake Asana API (project-tool.md §2 and §8): projects, workspaces, teams, users.

It serves the routes the official Python SDK calls, honours `opt_fields` on
every read (and refuses values outside Asana's enum), and keeps Asana's rule
that a project in an organization workspace needs a team.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from integrations.sandbox import asana_fields
from integrations.sandbox.asana_shapes import (
    compact,
    gid,
    project_full,
    project_row,
    record_id,
    select_fields,
    team_full,
    user_full,
    workspace_full,
)
from integrations.sandbox.base import FakeApi
from integrations.sandbox.credentials import ASANA_TOKEN
from integrations.sandbox.router import Router
from integrations.sandbox.store import dumps, next_id
from integrations.sandbox.values import is_true, iso_milli, parse_date, parse_int, utc_now
from integrations.sandbox.webhook_shapes import asana_event, asana_outgoing
from integrations.sandbox.webhooks import Attempt, Outgoing
from integrations.sandbox.wire import PayloadError, Request, Response, json_response

HELP = (
    "For more information on API status codes and how to handle them, "
    "read the docs on errors: https://developers.asana.com/docs/errors"
)
COLORS = (
    "dark-pink", "dark-green", "dark-blue", "dark-red", "dark-teal", "dark-brown", "dark-orange",
    "dark-purple", "dark-warm-gray", "light-pink", "light-green", "light-blue", "light-red",
    "light-teal", "light-brown", "light-orange", "light-purple", "light-warm-gray", "none",
)  # fmt: skip
DEFAULT_VIEWS = ("list", "board", "calendar", "timeline")
PRIVACY = ("public_to_workspace", "private_to_team", "private")
# What `PUT /projects/{gid}` may change (the workspace never changes, §2).
UPDATABLE = ("name", "notes", "owner", "start_on", "due_on", "color", "default_view",
             "privacy_setting", "archived")  # fmt: skip

Row = dict[str, Any]


class AsanaError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class AsanaApi(FakeApi):
    name = "asana"
    webhook_table = "asana_webhooks"
    prefix = "/asana"
    default_rate_limit = 1500  # per token per minute on paid domains (150 on free)
    # "An offset token will expire after some time" (asana_oas.yaml, NextPage); how long
    # is UNCONFIRMED: an hour here, so a sync resumed later meets a refused token.
    offset_ttl = 3600.0

    def add_routes(self, router: Router) -> None:
        router.add("GET", "/projects", self.project_list)
        router.add("POST", "/projects", self.project_create)
        router.add("GET", "/projects/{gid}", self.project_detail)
        router.add("PUT", "/projects/{gid}", self.project_update)
        router.add("DELETE", "/projects/{gid}", self.project_delete)
        router.add("GET", "/workspaces", self.workspace_list)
        router.add("GET", "/workspaces/{gid}", self.workspace_detail)
        router.add("GET", "/workspaces/{gid}/projects", self.workspace_project_list)
        router.add("POST", "/workspaces/{gid}/projects", self.workspace_project_create)
        router.add("GET", "/workspaces/{gid}/teams", self.team_list)
        router.add("GET", "/organizations/{gid}/teams", self.team_list)
        router.add("GET", "/workspaces/{gid}/users", self.user_list)
        router.add("POST", "/teams/{gid}/projects", self.team_project_create)
        router.add("GET", "/users", self.user_list)
        router.add("GET", "/users/{gid}", self.user_detail)  # "me" included
        router.add("POST", "/webhooks", self.webhook_create)
        router.add("GET", "/webhooks", self.webhook_list)
        router.add("DELETE", "/webhooks/{gid}", self.webhook_delete)

    def authenticate(self, request: Request) -> Response | None:
        if request.headers.get("Authorization", "") == f"Bearer {ASANA_TOKEN}":
            return None
        return self.error(401, "Not Authorized")

    def error(self, status: int, message: str) -> Response:
        if status == 429:
            message = "You have made too many requests recently. Please, be chill."
        return json_response(status, {"errors": [{"message": message, "help": HELP}]})

    def process(self, request: Request) -> Response:
        try:
            return super().process(request)
        except PayloadError as exc:
            return self.error(400, f"data: {exc}")
        except AsanaError as exc:
            return self.error(exc.status, str(exc))

    # -- projects -------------------------------------------------------------
    def project_list(self, request: Request) -> Response:
        where, params = ["1 = 1"], []
        if workspace := request.arg("workspace"):
            where.append("workspace_id = ?")
            params.append(record_id(workspace))
        # Without `workspace` the sandbox lists every project (UNCONFIRMED).
        return self._project_page(request, where, params)

    def workspace_project_list(self, request: Request) -> Response:
        workspace = self._workspace(request.params["gid"])
        return self._project_page(request, ["workspace_id = ?"], [workspace["id"]])

    def _project_page(self, request: Request, where: list[str], params: list[Any]) -> Response:
        if team := request.arg("team"):  # deprecated in favour of /memberships, still served
            where.append("json_extract(payload, '$.team_id') = ?")
            params.append(record_id(team))
        if (archived := request.arg("archived")) is not None:
            where.append("archived = ?")
            params.append(int(is_true(archived)))
        wanted = self._opt_fields(request, asana_fields.PROJECT, paged=True)
        return self._page(request, "asana_projects", where, params, "project", wanted)

    def project_detail(self, request: Request) -> Response:
        wanted = self._opt_fields(request, asana_fields.PROJECT)
        return self._answer(200, self._project_full(self._project(request.params["gid"])), wanted)

    def project_create(self, request: Request) -> Response:
        return self._create(request, self._data(request))

    def workspace_project_create(self, request: Request) -> Response:
        return self._create(request, {**self._data(request), "workspace": request.params["gid"]})

    def team_project_create(self, request: Request) -> Response:
        team_id = record_id(request.params["gid"])
        team = team_id and self.store.payload(
            "SELECT payload FROM asana_teams WHERE id = ?", (team_id,)
        )
        if not team:
            raise AsanaError(404, f"team: Unknown object: {request.params['gid']}")
        placement = {"team": request.params["gid"], "workspace": gid(team["workspace_id"])}
        return self._create(request, {**self._data(request), **placement})

    def _create(self, request: Request, data: dict[str, Any]) -> Response:
        wanted = self._opt_fields(request, asana_fields.PROJECT)
        with self.store.transaction() as conn:
            fields = {**self._placement(data), **self._values(data)}
            now = iso_milli(utc_now())
            project = {"id": next_id(conn, "asana_projects"), **fields, "created_at": now}
            project["modified_at"] = now
            conn.execute("INSERT INTO asana_projects VALUES (?, ?, ?, ?)", project_row(project))
        self._notify(project, "added")
        return self._answer(201, self._project_full(project), wanted)

    def project_update(self, request: Request) -> Response:
        wanted = self._opt_fields(request, asana_fields.PROJECT)
        data = self._data(request)
        with self.store.transaction() as conn:
            project = self._project(request.params["gid"])
            if "workspace" in data:
                raise AsanaError(400, "workspace: Cannot change the workspace of a project")
            current = {
                **project,
                "owner": gid(project["owner_id"]) if project["owner_id"] else None,
            }
            merged = {**current, **{k: v for k, v in data.items() if k in UPDATABLE}}
            project = {**project, **self._values(merged), "modified_at": iso_milli(utc_now())}
            conn.execute(
                "UPDATE asana_projects SET archived = ?, payload = ? WHERE id = ?",
                (int(project["archived"]), dumps(project), project["id"]),
            )
        self._notify(project, "changed")
        return self._answer(200, self._project_full(project), wanted)

    def project_delete(self, request: Request) -> Response:
        project = self._project(request.params["gid"])
        with self.store.transaction() as conn:
            conn.execute("DELETE FROM asana_projects WHERE id = ?", (project["id"],))
        self._notify(project, "deleted")
        return json_response(200, {"data": {}})

    # -- webhooks (project-tool.md §2; openapi-webhooks-observability.md §D3) ---
    def _notify(self, project: dict[str, Any], action: str) -> None:
        """Every subscription on the project or on its workspace gets the compact event."""
        watched = {gid(project["id"]), gid(project["workspace_id"])}
        user_gid = gid(project["owner_id"]) if project.get("owner_id") else gid(1)
        event = asana_event(gid(project["id"]), project["name"], action, user_gid)
        self.send_webhooks(
            [
                asana_outgoing(sub, [event])
                for sub in self.webhook_subscriptions()
                if sub["resource"]["gid"] in watched
            ]
        )

    def webhook_create(self, request: Request) -> Response:
        """`POST /webhooks`: the handshake happens while this request is in flight; the
        hook exists only if the target echoed X-Hook-Secret with 200 or 204. (Asana
        refuses localhost targets with 403; the sandbox takes them: tests are local.)"""
        data = self._data(request)
        target, resource_gid = data.get("target"), str(data.get("resource", ""))
        if not isinstance(target, str) or not target.startswith(("http://", "https://")):
            raise AsanaError(400, "target: Missing input")
        resource = self._webhook_resource(resource_gid)
        secret = secrets.token_hex(16)
        status, headers = self.webhooks.deliver_now(
            Outgoing(target, lambda at, forged: Attempt(b"", {"X-Hook-Secret": secret}))
        )
        echoed = {k.lower(): v for k, v in headers.items()}.get("x-hook-secret")
        if status not in (200, 204) or echoed != secret:
            # The wording is UNCONFIRMED.
            raise AsanaError(400, "The remote server did not respond with the handshake secret.")
        with self.store.transaction() as conn:
            number = next_id(conn, "asana_webhooks")
            hook = {
                "gid": gid(number), "resource_type": "webhook", "active": True,
                "resource": resource, "target": target, "filters": data.get("filters") or [],
                "created_at": iso_milli(utc_now()), "last_failure_at": None,
                "last_failure_content": "", "last_success_at": None, "secret": secret,
            }  # fmt: skip
            conn.execute("INSERT INTO asana_webhooks VALUES (?, ?)", (number, dumps(hook)))
        self.send_webhooks([asana_outgoing(hook, [])])  # the first heartbeat
        return json_response(201, {"data": _public_hook(hook)})

    def _webhook_resource(self, resource_gid: str) -> dict[str, Any]:
        number = record_id(resource_gid)
        for table, kind in (("asana_workspaces", "workspace"), ("asana_projects", "project")):
            found = number and self.store.payload(
                f"SELECT payload FROM {table} WHERE id = ?",  # noqa: S608
                (number,),
            )
            if found:
                return {"gid": resource_gid, "resource_type": kind, "name": found["name"]}
        raise AsanaError(404, f"resource: Unknown object: {resource_gid}")

    def webhook_list(self, request: Request) -> Response:
        if not request.arg("workspace"):
            raise AsanaError(400, "workspace: Missing input")
        return json_response(200, {"data": [_public_hook(h) for h in self.webhook_subscriptions()]})

    def webhook_delete(self, request: Request) -> Response:
        with self.store.transaction() as conn:
            gone = conn.execute(
                "DELETE FROM asana_webhooks WHERE id = ?", (record_id(request.params["gid"]),)
            ).rowcount
        if not gone:
            raise AsanaError(404, f"webhook: Unknown object: {request.params['gid']}")
        return json_response(200, {"data": {}})

    # -- workspaces, teams, users ---------------------------------------------
    def workspace_list(self, request: Request) -> Response:
        wanted = self._opt_fields(request, asana_fields.WORKSPACE, paged=True)
        return self._page(request, "asana_workspaces", ["1 = 1"], [], "workspace", wanted)

    def workspace_detail(self, request: Request) -> Response:
        wanted = self._opt_fields(request, asana_fields.WORKSPACE)
        return self._answer(200, workspace_full(self._workspace(request.params["gid"])), wanted)

    def team_list(self, request: Request) -> Response:
        """The teams of an organization; a plain workspace has none (its answer is UNCONFIRMED)."""
        workspace = self._workspace(request.params["gid"])
        wanted = self._opt_fields(request, asana_fields.TEAM, paged=True)
        where, params = ["workspace_id = ?"], [workspace["id"]]
        return self._page(request, "asana_teams", where, params, "team", wanted)

    def user_list(self, request: Request) -> Response:
        # Every user belongs to every workspace in the sandbox (`workspace` is not filtered).
        per_workspace = "gid" in request.params
        if per_workspace:
            self._workspace(request.params["gid"])
        # The document's enum for /workspaces/{gid}/users lacks the next_page parts.
        wanted = self._opt_fields(request, asana_fields.USER, paged=not per_workspace)
        return self._page(request, "asana_users", ["1 = 1"], [], "user", wanted)

    def user_detail(self, request: Request) -> Response:
        wanted = self._opt_fields(request, asana_fields.USER)
        user_gid = request.params["gid"]
        if user_gid == "me":
            user = self.store.payload("SELECT payload FROM asana_users ORDER BY id LIMIT 1")
        else:
            user = self._row("asana_users", record_id(user_gid))
        if user is None:
            raise AsanaError(404, f"user: Unknown object: {user_gid}")
        return self._answer(200, self._full("user", user), wanted)

    # -- helpers --------------------------------------------------------------
    @staticmethod
    def _data(request: Request) -> dict[str, Any]:
        body = request.payload()
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            raise AsanaError(400, "data: Missing input")
        return data

    @staticmethod
    def _opt_fields(request: Request, allowed: frozenset[str], *, paged: bool = False):
        """The fields `opt_fields` names, or None without it; a value outside Asana's
        enum is refused (§8; the message wording is UNCONFIRMED)."""
        given = request.arg("opt_fields")
        if given is None:
            return None
        wanted = [name.strip() for name in given.split(",") if name.strip()]
        for name in wanted:
            if name not in allowed and not (paged and name in asana_fields.PAGING):
                raise AsanaError(400, f"opt_fields: Unknown field: {name}")
        return [name for name in wanted if name not in asana_fields.PAGING]

    def _answer(self, status: int, full: dict[str, Any], wanted: list[str] | None) -> Response:
        return json_response(
            status, {"data": full if wanted is None else select_fields(full, wanted)}
        )

    def _placement(self, data: dict[str, Any]) -> dict[str, Any]:
        """The workspace (required) and the team (required in an organization)."""
        if not data.get("workspace"):
            raise AsanaError(400, "workspace: Missing input")
        workspace = self._row("asana_workspaces", record_id(str(data["workspace"])))
        if workspace is None:
            # Status and wording for an unknown workspace are UNCONFIRMED.
            raise AsanaError(404, f"workspace: Unknown object: {data['workspace']}")
        team_gid = str(data.get("team") or "")
        if not team_gid:
            if workspace.get("is_organization"):
                # The rule is documented (§8); the wording is UNCONFIRMED.
                raise AsanaError(400, "team: Missing input")
            return {"workspace_id": workspace["id"], "team_id": None}
        team = self._row("asana_teams", record_id(team_gid))
        if team is None or team["workspace_id"] != workspace["id"]:
            raise AsanaError(400, f"team: Not a recognized ID: {team_gid}")
        return {"workspace_id": workspace["id"], "team_id": team["id"]}

    def _values(self, data: dict[str, Any]) -> dict[str, Any]:
        """The checked values of a create or an update (`data` holds every field)."""
        owner = data.get("owner")
        owner_id = record_id(str(owner)) if owner else None
        if owner and self._row("asana_users", owner_id) is None:
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
            "owner_id": owner_id,
            "start_on": data.get("start_on"),
            "due_on": data.get("due_on"),
            "color": data.get("color"),
            "default_view": data.get("default_view") or "list",
            "privacy_setting": data.get("privacy_setting") or "public_to_workspace",
            "archived": bool(data.get("archived", False)),
        }

    def _row(self, table: str, row_id: int | None) -> Row | None:
        if row_id is None:
            return None
        return self.store.payload(f"SELECT payload FROM {table} WHERE id = ?", (row_id,))  # noqa: S608

    def _workspace(self, workspace_gid: str) -> Row:
        workspace = self._row("asana_workspaces", record_id(workspace_gid))
        if workspace is None:
            raise AsanaError(404, f"workspace: Unknown object: {workspace_gid}")
        return workspace

    def _project(self, project_gid: str) -> Row:
        project = self._row("asana_projects", record_id(project_gid))
        if project is None:
            # The exact wording for an unknown gid is UNCONFIRMED.
            raise AsanaError(404, f"project: Unknown object: {project_gid}")
        return project

    def _project_full(self, project: Row) -> dict[str, Any]:
        return project_full(
            project,
            self._row("asana_workspaces", project["workspace_id"]) or {},
            self._row("asana_users", project["owner_id"]),
            self._row("asana_teams", project.get("team_id")),
        )

    def _full(self, resource_type: str, row: Row) -> dict[str, Any]:
        """The full form of a row of a list (what `opt_fields` picks from)."""
        if resource_type == "project":
            return self._project_full(row)
        if resource_type == "workspace":
            return workspace_full(row)
        if resource_type == "team":
            return team_full(row, self._row("asana_workspaces", row["workspace_id"]) or {})
        workspaces = self.store.payloads("SELECT payload FROM asana_workspaces ORDER BY id")
        return user_full(row, workspaces)

    def _page(
        self,
        request: Request,
        table: str,
        where: list[str],
        params: list[Any],
        resource_type: str,
        wanted: list[str] | None,
    ) -> Response:
        """Offset-token pagination: `next_page` only when `limit` was sent, null at the end."""
        try:
            limit = parse_int(request.arg("limit"))
        except ValueError:
            limit = 0
        if limit is not None and not 1 <= limit <= 100:
            raise AsanaError(400, "limit: Must be between 1 and 100")
        after = _decode_offset(request.arg("offset"), self.offset_ttl)
        rows = self.store.payloads(
            f"SELECT payload FROM {table} WHERE {' AND '.join(where)} AND id > ? "  # noqa: S608
            "ORDER BY id LIMIT ?",
            [*params, after, (limit or -2) + 1],
        )
        shape: Callable[[Row], dict[str, Any]] = (
            (lambda row: compact(resource_type, row))
            if wanted is None
            else (lambda row: select_fields(self._full(resource_type, row), wanted))
        )
        body: dict[str, Any] = {"data": [shape(row) for row in rows[: limit or None]]}
        if limit is not None:
            more = len(rows) > limit
            body["next_page"] = self._next_page(request, rows[limit - 1]["id"]) if more else None
        return json_response(200, body)

    @staticmethod
    def _next_page(request: Request, last_id: int) -> dict[str, str]:
        minted = json.dumps({"after": last_id, "at": time.time()})
        offset = base64.urlsafe_b64encode(minted.encode()).decode()
        query = {key: values[-1] for key, values in request.query.items() if key != "offset"}
        path = f"{request.path}?{urlencode({**query, 'offset': offset})}"
        return {"offset": offset, "path": path, "uri": f"{request.base_url}{path}"}


def _decode_offset(token: str | None, ttl: float) -> int:
    """The last id of the previous page; only tokens the API minted, `ttl` seconds ago
    at most, are accepted (the exact messages and the status are UNCONFIRMED)."""
    if not token:
        return 0
    try:
        minted = json.loads(base64.urlsafe_b64decode(token))
        after, at = minted["after"], minted["at"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        after = at = None
    if not isinstance(after, int) or not isinstance(at, float):
        raise AsanaError(400, "offset: Your pagination token is invalid.")
    if time.time() - at > ttl:
        raise AsanaError(400, "offset: Your pagination token has expired.")
    return after


def _public_hook(hook: dict[str, Any]) -> dict[str, Any]:
    """A webhook as the API shows it: the handshake secret is never shown again."""
    return {k: v for k, v in hook.items() if k != "secret"}
