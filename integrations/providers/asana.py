"""Asana, `https://app.asana.com/api/1.0` (../shared/providers/project-tool.md §2).

Bearer personal access token. Lists page with `limit` and the opaque
`next_page.offset`. 429 carries Retry-After; no X-RateLimit-* headers are
documented, and the limit is 150/min per token on free domains (1,500 paid),
so the client starts from the lower figure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from integrations.http.errors import (
    ConflictError,
    InvalidResponseError,
    NotFoundError,
    ValidationError,
)
from integrations.http.ratelimit import RateLimit
from integrations.providers.base import (
    Provider,
    WebhookSupport,
    fallback_message,
    text_messages,
)
from integrations.providers.project_records import (
    NamedRecord,
    ProjectInput,
    ProjectRecord,
    TeamRecord,
    named_record,
    refusal_as_validation,
)
from integrations.providers.readers import iso_date, mapping, records, text, text_id, timestamp
from integrations.providers.record_page import RecordPage

if TYPE_CHECKING:
    from integrations.http.client import ApiClient

# Asana names the field as a prefix: "project: Missing input".
_FIELD_PREFIX = re.compile(r"^(?P<field>[A-Za-z_][\w.]*): (?P<text>.+)$", re.S)


class Asana(Provider):
    name = "asana"
    display_name = "Asana"
    default_base_url = "https://app.asana.com/api/1.0"
    auth_scheme = "bearer"
    pagination_style = "next_offset"
    rate_limit = RateLimit(150, 60.0)
    required = ("base_url", "api_token")  # the workspace can be picked from GET /workspaces
    settings_names = {
        "base_url": "ASANA_API_URL",
        "api_token": "ASANA_TOKEN",
        "workspace_id": "ASANA_WORKSPACE_GID",
    }
    sandbox_path = "/asana"
    sandbox_credentials = {"api_token": "sandbox-asana"}
    # Projects: Asana has no status, priority or tags, and templates are a separate
    # endpoint that answers with a job, so the form offers only these.
    project_fields = (
        "name", "description", "owner", "workspace", "team", "start_date", "end_date"
    )  # fmt: skip
    required_project_fields = ("name", "workspace")  # a project lives in one workspace
    project_field_names = {"notes": "description", "start_on": "start_date", "due_on": "end_date"}
    project_statuses: tuple[str, ...] = ()
    project_priorities: tuple[str, ...] = ()
    bulk_create_limit = 0  # no bulk endpoint: one POST per project, within the rate limit
    resources = ("projects", "workspaces", "users", "teams")
    # POST /webhooks; events signed with the handshake's X-Hook-Secret; no event id.
    # The X-Hook-Secret handshake happens while `POST /webhooks` is in flight.
    webhooks = WebhookSupport(
        registration="api", signature_header="X-Hook-Signature", handshake_header="X-Hook-Secret"
    )

    def parse_error(self, payload: Any) -> tuple[str, dict[str, list[str]]]:
        """`{"errors": [{"message": "field: text", "help", "phrase"}]}`."""
        errors = payload.get("errors") if isinstance(payload, dict) else None
        messages = text_messages(errors)
        if not messages:
            return fallback_message(payload), {}
        field_errors: dict[str, list[str]] = {}
        for message in messages:
            if match := _FIELD_PREFIX.match(message):
                field_errors.setdefault(match["field"], []).append(match["text"])
        return "; ".join(messages), field_errors

    def check_connection(self, client: ApiClient) -> None:
        client.get("/users/me")

    def project_rule_errors(self, project: ProjectInput) -> dict[str, list[str]]:
        """Asana's documented rules: `start_on` needs `due_on`, and the two may not be
        the same date."""
        if not project.start_date:
            return {}
        if not project.end_date:
            return {"end_date": ["Asana needs an end date (due on) when a start date is set."]}
        if project.start_date == project.end_date:
            return {"end_date": ["Asana does not allow the end date to equal the start date."]}
        return {}


PROVIDER = Asana()

# --- Endpoints ---------------------------------------------------------------
# Projects and workspaces (list, get, create) go below, as functions taking an
# ApiClient and returning records.

# Asana's writable project fields for the hub's form fields (project-tool.md §2).
FIELD_NAMES = {
    "name": "name",
    "description": "notes",
    "owner": "owner",
    "workspace": "workspace",
    "team": "team",
    "start_date": "start_on",
    "end_date": "due_on",
}
# What list calls ask for; without opt_fields Asana answers only gid, resource_type, name.
# Only values of the document's enum (project-tool.md §8): it has `owner` but not
# `owner.name`, so the owner's name comes from the synced users.
PROJECT_OPT_FIELDS = (
    "name,notes,owner,workspace,workspace.name,team,team.name,start_on,due_on,created_at,"
    "modified_at,permalink_url,archived"
)
WORKSPACE_OPT_FIELDS = "name,is_organization"
USER_OPT_FIELDS = "name,email"
TEAM_OPT_FIELDS = "name,organization"


def project_payload(project: ProjectInput) -> dict[str, Any]:
    """The `{"data": {...}}` body of `POST /projects`."""
    data: dict[str, Any] = {"name": project.name, "workspace": project.workspace}
    if project.description:
        data["notes"] = project.description
    if project.owner:
        data["owner"] = project.owner
    if project.team:
        data["team"] = project.team
    if project.start_date:
        data["start_on"] = project.start_date.isoformat()
    if project.end_date:
        data["due_on"] = project.end_date.isoformat()
    return {"data": data}


def project_update_payload(project: ProjectInput, fields: Iterable[str]) -> dict[str, Any]:
    """The `{"data": {...}}` body of `PUT /projects/{gid}`: only the changed `fields`
    ("only the fields provided in the data block will be updated"). An emptied owner or
    date goes as null (both nullable). `start_on` needs `due_on` in the same request, so a
    change of either date sends both (project-tool.md §2)."""
    fields = set(fields)
    if fields & {"start_date", "end_date"}:
        fields |= {"start_date", "end_date"}
    full = {
        "name": project.name,
        "notes": project.description,
        "owner": project.owner or None,
        "start_on": project.start_date.isoformat() if project.start_date else None,
        "due_on": project.end_date.isoformat() if project.end_date else None,
    }
    return {"data": {FIELD_NAMES[n]: full[FIELD_NAMES[n]] for n in sorted(fields)}}


def parse_project(data: Any) -> ProjectRecord | None:
    data = mapping(data)
    project_gid = text_id(data.get("gid"))
    if not project_gid:
        return None
    owner, workspace = mapping(data.get("owner")), mapping(data.get("workspace"))
    return ProjectRecord(
        id=project_gid,
        name=text(data.get("name"), numbers=True) or f"Project {project_gid}",
        description=text(data.get("notes"), numbers=True),
        status="Archived" if data.get("archived") is True else "",
        owner_id=text_id(owner.get("gid")),
        owner_name=text(owner.get("name"), numbers=True),
        workspace_id=text_id(workspace.get("gid")),
        workspace_name=text(workspace.get("name"), numbers=True),
        start_date=iso_date(data.get("start_on")),
        end_date=iso_date(data.get("due_on")),
        url=text(data.get("permalink_url")),
        created_at=timestamp(data.get("created_at")),
        updated_at=timestamp(data.get("modified_at")),
        raw=data,
    )


def _pages(client: ApiClient, path: str, parse, *, params: dict, start: Any, page_size: int):
    for page in client.paginate(
        path, items_key="data", params=params, page_size=page_size, start=start
    ):
        parsed = [r for r in (parse(item) for item in records(page.items)) if r is not None]
        yield RecordPage(parsed, page.resume)


def _gid_record(item: dict[str, Any]) -> NamedRecord | None:
    return named_record(item, id_key="gid")


def parse_workspace(item: dict[str, Any]) -> NamedRecord | None:
    record = named_record(item, id_key="gid")
    if record is None:
        return None
    return replace(record, is_organization=item.get("is_organization") is True)


def parse_team(item: dict[str, Any]) -> TeamRecord | None:
    team_gid = text_id(item.get("gid"))
    if not team_gid:
        return None
    workspace = text_id(mapping(item.get("organization")).get("gid"))
    name = text(item.get("name"), numbers=True) or f"Team {team_gid}"
    return TeamRecord(id=team_gid, name=name, workspace_id=workspace, raw=item)


def workspace_list(
    client: ApiClient, *, start: Any = None, page_size: int = 100
) -> Iterator[RecordPage]:
    """`GET /workspaces?opt_fields=name,is_organization`."""
    params = {"opt_fields": WORKSPACE_OPT_FIELDS}
    return _pages(
        client, "/workspaces", parse_workspace, params=params, start=start, page_size=page_size
    )


def user_list(
    client: ApiClient, *, workspace: str, start: Any = None, page_size: int = 100
) -> Iterator[RecordPage]:
    """`GET /users?workspace=&opt_fields=name,email`."""
    params = {"workspace": workspace, "opt_fields": USER_OPT_FIELDS}
    return _pages(client, "/users", _gid_record, params=params, start=start, page_size=page_size)


def team_list(
    client: ApiClient, *, workspace: str, start: Any = None, page_size: int = 100
) -> Iterator[RecordPage]:
    """`GET /workspaces/{gid}/teams?opt_fields=name,organization`: an organization's teams."""
    path = f"/workspaces/{quote(workspace, safe='')}/teams"
    params = {"opt_fields": TEAM_OPT_FIELDS}
    return _pages(client, path, parse_team, params=params, start=start, page_size=page_size)


def project_list(
    client: ApiClient, *, workspace: str, start: Any = None, page_size: int = 100
) -> Iterator[RecordPage]:
    """`GET /projects?workspace&limit&offset` with the fields the list shows."""
    params = {"workspace": workspace, "opt_fields": PROJECT_OPT_FIELDS}
    return _pages(
        client, "/projects", parse_project, params=params, start=start, page_size=page_size
    )


def project_get(client: ApiClient, project_gid: str) -> ProjectRecord | None:
    """`GET /projects/{gid}`: the full project (its owner and workspace with their names)."""
    response = client.get(f"/projects/{quote(project_gid, safe='')}")
    return parse_project(mapping(response.data).get("data"))


def project_create(client: ApiClient, project: ProjectInput) -> ProjectRecord:
    """`POST /projects` -> 201 `{"data": project}`. Asana's rules are checked first;
    an unknown workspace (404 "workspace: ...") is a refusal of the data."""
    if problems := PROVIDER.project_rule_errors(project):
        message = "; ".join(m for messages in problems.values() for m in messages)
        raise ValidationError(message, field_errors=problems, provider=PROVIDER.display_name)
    try:
        response = client.post("/projects", json=project_payload(project))
    except (ConflictError, NotFoundError) as error:
        raise refusal_as_validation(error, PROVIDER) from error
    record = parse_project(mapping(response.data).get("data"))
    if record is None:
        raise InvalidResponseError(
            "the created project has no gid", provider=PROVIDER.display_name, status=response.status
        )
    return record


def project_update(
    client: ApiClient, project_gid: str, project: ProjectInput, fields: Iterable[str]
) -> ProjectRecord:
    """`PUT /projects/{gid}` -> 200 `{"data": project}` (the complete updated project).
    Asana's date rules are checked on the whole project first; an unknown owner (404
    naming the field) is a refusal of the data."""
    if problems := PROVIDER.project_rule_errors(project):
        message = "; ".join(m for messages in problems.values() for m in messages)
        raise ValidationError(message, field_errors=problems, provider=PROVIDER.display_name)
    path = f"/projects/{quote(project_gid, safe='')}"
    try:
        response = client.put(path, json=project_update_payload(project, fields))
    except (ConflictError, NotFoundError) as error:
        raise refusal_as_validation(error, PROVIDER) from error  # a gone project stays a 404
    record = parse_project(mapping(response.data).get("data"))
    if record is None:
        raise InvalidResponseError(
            "the updated project has no gid", provider=PROVIDER.display_name, status=response.status
        )
    return record


def project_find_by_name(
    client: ApiClient, *, name: str, workspace: str, created_since: datetime | None = None
) -> ProjectRecord | None:
    """The project named exactly `name` in `workspace`, if any, and created no earlier
    than `created_since` where the answer says when (reconciliation)."""
    for page in project_list(client, workspace=workspace):
        for record in page.records:
            if record.name == name and record.created_since(created_since):
                return record
    return None
