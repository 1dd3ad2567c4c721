"""The generic project tool (../shared/providers/README.md, "The generic project tool").

Configurable base URL; a static Bearer token or OAuth 2.0 client credentials
from `POST {base}/oauth/token`. Lists page with `page`/`limit` and
`meta.totalPages`. Every response carries `X-RateLimit-Limit/-Remaining/-Reset`
(Reset is a Unix time); no limit is documented, so the headers set it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from integrations.http.auth import Auth, BearerAuth, OAuthClientCredentials
from integrations.http.errors import (
    ConflictError,
    IdempotencyInProgressError,
    IdempotencyMismatchError,
    InvalidResponseError,
    NotFoundError,
)
from integrations.http.ratelimit import RateLimitWindow
from integrations.providers.base import (
    ConnectionConfig,
    Provider,
    WebhookSupport,
    fallback_message,
    text_messages,
)
from integrations.providers.project_records import (
    PROJECT_FIELDS,
    BulkResult,
    BulkRowError,
    ProjectInput,
    ProjectRecord,
    named_record,
    refusal_as_validation,
    wire_id,
)
from integrations.providers.readers import (
    integer,
    iso_date,
    mapping,
    records,
    text,
    text_id,
    texts,
    timestamp,
)
from integrations.providers.record_page import RecordPage

if TYPE_CHECKING:
    from integrations.http.client import ApiClient


class ProjectTool(Provider):
    name = "projecttool"
    display_name = "Project tool"
    default_base_url = ""  # no default service: PROJECTS_API_URL names it
    auth_scheme = "bearer_or_oauth"
    pagination_style = "page_number"
    rate_limit_windows = (
        RateLimitWindow(
            "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", reset_is_epoch=True
        ),
    )
    settings_names = {
        "base_url": "PROJECTS_API_URL",
        "api_token": "PROJECTS_API_TOKEN",
        "oauth_client_id": "PROJECTS_OAUTH_CLIENT_ID",
        "oauth_client_secret": "PROJECTS_OAUTH_CLIENT_SECRET",
    }
    sandbox_path = "/projects-api"
    sandbox_credentials = {
        "oauth_client_id": "sandbox-client",
        "oauth_client_secret": "sandbox-secret",
    }
    # Projects: what the create form offers (the contract's POST body covers every field
    # but `team`, which is Asana's).
    project_fields = tuple(name for name in PROJECT_FIELDS if name != "team")
    required_project_fields = ("name", "workspace")  # workspace_id: "required where ..."
    # The provider's field names in error details -> the hub's form fields.
    project_field_names = {
        "owner_id": "owner",
        "workspace_id": "workspace",
        "template_id": "template",
    }
    project_statuses = ("Planning", "Active", "On Hold", "Completed")
    project_priorities = ("Low", "Medium", "High")
    bulk_create_limit = 50  # projects per `POST /projects/bulk`
    resources = ("projects", "workspaces", "users")
    # Standard Webhooks: `POST /webhooks`; webhook-id (the same on every retry),
    # webhook-timestamp and webhook-signature headers.
    webhooks = WebhookSupport(
        registration="api",
        signature_header="webhook-signature",
        event_id=True,
        replay_window_seconds=300,  # fixed in the standardwebhooks library
    )
    # "Idempotency" in the contract: one key per write, kept 24 hours.
    idempotency_header = "Idempotency-Key"
    idempotency_key_ttl = timedelta(hours=24)
    error_code_classes = {
        "IDEMPOTENCY_IN_PROGRESS": IdempotencyInProgressError,  # 409
        "IDEMPOTENCY_MISMATCH": IdempotencyMismatchError,  # 422
    }

    def missing(self, config: ConnectionConfig) -> list[str]:
        """A base URL, and either a token or an OAuth client id and secret."""
        missing = [] if config.base_url else [self.describe("base_url")]
        has_oauth = config.oauth_client_id and config.oauth_client_secret
        if not (config.api_token or has_oauth):
            oauth = f"{self.describe('oauth_client_id')} and {self.describe('oauth_client_secret')}"
            missing.append(f"{self.describe('api_token')}, or {oauth}")
        return missing

    def build_auth(self, config: ConnectionConfig) -> Auth:
        if config.api_token:
            return BearerAuth(config.api_token)
        return OAuthClientCredentials(
            token_url=f"{self.build_base_url(config)}/oauth/token",
            client_id=config.oauth_client_id,
            client_secret=config.oauth_client_secret,
            provider_name=self.display_name,
        )

    def parse_error(self, payload: Any) -> tuple[str, dict[str, list[str]]]:
        """`{"error": {"code", "message", "details": {"field", "value"}}}`."""
        error = payload.get("error") if isinstance(payload, dict) else None
        if not isinstance(error, dict):
            return "; ".join(text_messages(error)) or fallback_message(payload), {}
        message = "; ".join(text_messages(error.get("message")))
        details = error.get("details")
        field = details.get("field") if isinstance(details, dict) else None
        if isinstance(field, str) and field:
            return message, {field: [message or "is invalid"]}
        return message, {}

    def error_code(self, payload: Any) -> str:
        error = payload.get("error") if isinstance(payload, dict) else None
        code = error.get("code") if isinstance(error, dict) else None
        return code if isinstance(code, str) else ""

    def check_connection(self, client: ApiClient) -> None:
        client.get("/users/me")


PROVIDER = ProjectTool()

# --- Endpoints ---------------------------------------------------------------
# Projects, users and workspaces (list, get, create, bulk create) go below, as
# functions taking an ApiClient and returning records.


def project_payload(project: ProjectInput) -> dict[str, Any]:
    """The JSON body of `POST /projects` (and one item of `/projects/bulk`).

    Ids the hub keeps as strings go out as integers when they are numeric: the
    contract's ids (`owner_id`, `workspace_id`, `template_id`) are integers.
    """
    body: dict[str, Any] = {"name": project.name}
    if project.description:
        body["description"] = project.description
    if project.owner:
        body["owner_id"] = wire_id(project.owner)
    if project.workspace:
        body["workspace_id"] = wire_id(project.workspace)
    if project.start_date:
        body["start_date"] = project.start_date.isoformat()
    if project.end_date:
        body["end_date"] = project.end_date.isoformat()
    if project.status:
        body["status"] = project.status
    if project.priority:
        body["priority"] = project.priority
    if project.tags:
        body["tags"] = list(project.tags)
    if project.template:
        body["template_id"] = wire_id(project.template)
    return body


def project_update_payload(project: ProjectInput, fields: Iterable[str]) -> dict[str, Any]:
    """The JSON body of `PATCH /projects/{id}`: only the changed `fields`; an owner or a
    date that was emptied goes as null (it clears), emptied tags as []."""
    full = {
        "name": project.name,
        "description": project.description,
        "owner_id": wire_id(project.owner) if project.owner else None,
        "start_date": project.start_date.isoformat() if project.start_date else None,
        "end_date": project.end_date.isoformat() if project.end_date else None,
        "status": project.status,
        "priority": project.priority,
        "tags": list(project.tags),
    }
    wire = {"owner": "owner_id"}
    return {wire.get(name, name): full[wire.get(name, name)] for name in fields}


def parse_project(data: Any) -> ProjectRecord | None:
    """A project object -> record; None when it has no id. Missing keys become blanks."""
    data = mapping(data)
    project_id = text_id(data.get("id"))
    if not project_id:
        return None
    owner, workspace = mapping(data.get("owner")), mapping(data.get("workspace"))
    return ProjectRecord(
        id=project_id,
        name=text(data.get("name"), numbers=True) or f"Project {project_id}",
        description=text(data.get("description"), numbers=True),
        status=text(data.get("status"), numbers=True),
        priority=text(data.get("priority"), numbers=True),
        owner_id=text_id(data.get("owner_id")) or text_id(owner.get("id")),
        owner_name=text(owner.get("name"), numbers=True),
        workspace_id=text_id(data.get("workspace_id")) or text_id(workspace.get("id")),
        workspace_name=text(workspace.get("name"), numbers=True),
        start_date=iso_date(data.get("start_date")),
        end_date=iso_date(data.get("end_date")),
        tags=texts(data.get("tags"), numbers=True),
        url=text(data.get("url")),
        created_at=timestamp(data.get("created_at")),
        updated_at=timestamp(data.get("updated_at")),
        raw=data,
    )


def _pages(client: ApiClient, path: str, parse, *, start: Any, page_size: int, params=None):
    for page in client.paginate(
        path, items_key="data", params=params, page_size=page_size, start=start
    ):
        total = integer(mapping(mapping(page.data).get("meta")).get("totalItems"), minimum=0)
        parsed = [r for r in (parse(item) for item in records(page.items)) if r is not None]
        yield RecordPage(parsed, page.resume, total)


def project_list(
    client: ApiClient, *, start: Any = None, page_size: int = 100, params: dict | None = None
) -> Iterator[RecordPage]:
    """`GET /projects?page&limit`, page by page (`start`: a page's `resume`)."""
    return _pages(
        client, "/projects", parse_project, start=start, page_size=page_size, params=params
    )


def user_list(
    client: ApiClient, *, start: Any = None, page_size: int = 100
) -> Iterator[RecordPage]:
    return _pages(client, "/users", named_record, start=start, page_size=page_size)


def workspace_list(
    client: ApiClient, *, start: Any = None, page_size: int = 100
) -> Iterator[RecordPage]:
    return _pages(client, "/workspaces", named_record, start=start, page_size=page_size)


def project_get(client: ApiClient, project_id: str) -> ProjectRecord | None:
    return parse_project(client.get(f"/projects/{quote(project_id, safe='')}").data)


def project_create(client: ApiClient, project: ProjectInput) -> ProjectRecord:
    """`POST /projects`; 201 or 200 with the project. A duplicate name (409) or an unknown
    owner or workspace (404 naming the field) is a refusal of the data."""
    try:
        response = client.post("/projects", json=project_payload(project))
    except (ConflictError, NotFoundError) as error:
        raise refusal_as_validation(error, PROVIDER) from error
    record = parse_project(response.data)
    if record is None:
        raise InvalidResponseError(
            "the created project has no id", provider=PROVIDER.display_name, status=response.status
        )
    return record


def project_update(
    client: ApiClient, project_id: str, project: ProjectInput, fields: Iterable[str]
) -> ProjectRecord:
    """`PATCH /projects/{id}` with the changed `fields` -> 200 with the project. The shared
    contract names no update; PATCH of the create's fields is the hub's extension of it
    (the sandbox serves it). Refusals read as a create's: 409 a taken name, 404 an
    unknown owner."""
    path = f"/projects/{quote(project_id, safe='')}"
    try:
        response = client.patch(path, json=project_update_payload(project, fields))
    except (ConflictError, NotFoundError) as error:
        raise refusal_as_validation(error, PROVIDER) from error  # a gone project stays a 404
    record = parse_project(response.data)
    if record is None:
        raise InvalidResponseError(
            "the updated project has no id", provider=PROVIDER.display_name, status=response.status
        )
    return record


def project_bulk_create(client: ApiClient, projects: list[ProjectInput]) -> BulkResult:
    """`POST /projects/bulk` -> 207 `{"data": [created...], "errors": [{"index", "error"}]}`.

    `data` holds the created projects in input order, without their index: the
    positions not named in `errors` are matched to them in order.
    """
    response = client.post("/projects/bulk", json=[project_payload(p) for p in projects])
    body = mapping(response.data)
    errors: dict[int, BulkRowError] = {}
    for entry in records(body.get("errors")):
        index = integer(entry.get("index"), minimum=0)
        if index is not None and index < len(projects):
            message, field_errors = PROVIDER.parse_error({"error": entry.get("error")})
            # A 2xx body is not redacted by the client; a row's error may echo a secret.
            fields = {k: [client.redact(m) for m in v] for k, v in field_errors.items()}
            errors[index] = BulkRowError(
                client.redact(message or "Refused by the provider."), fields
            )
    created_records = [parse_project(item) for item in records(body.get("data"))]
    positions = [i for i in range(len(projects)) if i not in errors]
    created = {i: record for i, record in zip(positions, created_records, strict=False) if record}
    return BulkResult(created=created, errors=errors)


def project_find_by_name(
    client: ApiClient, *, name: str, workspace: str, created_since: datetime | None = None
) -> ProjectRecord | None:
    """The project named exactly `name` in `workspace`, if any, and created no earlier
    than `created_since` where the answer says when (reconciliation)."""
    params = {"search": name, "workspace_id": workspace} if workspace else {"search": name}
    for page in project_list(client, params=params):
        for record in page.records:
            same_workspace = not workspace or record.workspace_id == workspace
            if record.name == name and same_workspace and record.created_since(created_since):
                return record
    return None
