"""The resources this app lists, declared for the sync engine.

Per provider: projects, plus the workspaces and users the create form's
pickers offer (and, for Asana, the teams an organization's projects need).
The generic tool lists everything from one endpoint each; Asana lists
projects, users and teams per workspace, so its checkpoint names the
workspace and the offset token within it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from core.search import search_document
from integrations.http.errors import NotFoundError
from integrations.providers import asana, projecttool
from integrations.providers.project_records import NamedRecord, ProjectRecord, TeamRecord
from integrations.providers.record_page import RecordPage
from integrations.sync.resources import (
    FetchedPage,
    FetchedRow,
    FetchRequest,
    SyncedResource,
    present_one_by_one,
)
from projects.models import Project, ProjectUser, Team, Workspace


def project_search_text(name: str, description: str) -> str:
    """What the project list's search matches (`core.search`): name and description."""
    return search_document(name, description)


def project_fields(record: ProjectRecord) -> dict[str, Any]:
    """A project record -> the Project model's own fields."""
    return {
        "name": record.name[:300],
        "description": record.description,
        "status": record.status[:40],
        "priority": record.priority[:40],
        "owner_remote_id": record.owner_id[:64],
        "owner_name": record.owner_name[:300],
        "workspace_remote_id": record.workspace_id[:64],
        "workspace_name": record.workspace_name[:300],
        "start_date": record.start_date,
        "end_date": record.end_date,
        "tags": list(record.tags),
        "search_text": project_search_text(record.name, record.description),
    }


def _project_row(record: ProjectRecord) -> FetchedRow:
    return FetchedRow(
        remote_id=record.id[:64],
        fields=project_fields(record),
        raw=record.raw,
        remote_created_at=record.created_at,
        remote_updated_at=record.updated_at,
    )


def _user_row(record: NamedRecord) -> FetchedRow:
    fields = {"name": record.name[:300], "email": record.email[:320]}
    return FetchedRow(remote_id=record.id[:64], fields=fields, raw=record.raw)


def _workspace_row(record: NamedRecord) -> FetchedRow:
    fields = {"name": record.name[:300], "is_organization": record.is_organization}
    return FetchedRow(remote_id=record.id[:64], fields=fields, raw=record.raw)


def _team_row(record: TeamRecord) -> FetchedRow:
    fields = {"name": record.name[:300], "workspace_remote_id": record.workspace_id[:64]}
    return FetchedRow(remote_id=record.id[:64], fields=fields, raw=record.raw)


def _unique(rows: list[FetchedRow]) -> list[FetchedRow]:
    """One row per remote id (a bulk upsert may not touch a row twice)."""
    return list({row.remote_id: row for row in rows}.values())


def _fetched(pages: Iterator[RecordPage], to_row) -> Iterator[FetchedPage]:
    for page in pages:
        rows = _unique([to_row(record) for record in page.records])
        yield FetchedPage(rows=rows, checkpoint=page.resume, expected_total=page.total)


# --- the generic project tool ----------------------------------------------------------


def fetch_projecttool_projects(client, connection, request: FetchRequest) -> Iterator[FetchedPage]:
    return _fetched(projecttool.project_list(client, start=request.checkpoint), _project_row)


def fetch_projecttool_users(client, connection, request: FetchRequest) -> Iterator[FetchedPage]:
    return _fetched(projecttool.user_list(client, start=request.checkpoint), _user_row)


def fetch_projecttool_workspaces(
    client, connection, request: FetchRequest
) -> Iterator[FetchedPage]:
    return _fetched(projecttool.workspace_list(client, start=request.checkpoint), _workspace_row)


# --- Asana -----------------------------------------------------------------------------


def _asana_workspaces(client, connection) -> list[str]:
    """The connection's workspace when it names one, else every workspace of the token."""
    if connection.workspace_id:
        return [connection.workspace_id]
    return [r.id for page in asana.workspace_list(client) for r in page.records]


def _per_workspace(client, connection, request: FetchRequest, list_pages, to_row):
    """Pages of each workspace in turn; the checkpoint is {"workspace", "offset"}."""
    checkpoint = request.checkpoint if isinstance(request.checkpoint, dict) else {}
    workspaces = _asana_workspaces(client, connection)
    if checkpoint.get("workspace") in workspaces:
        workspaces = workspaces[workspaces.index(checkpoint["workspace"]) :]
    for position, workspace in enumerate(workspaces):
        start = checkpoint.get("offset") if position == 0 else None
        following = workspaces[position + 1] if position + 1 < len(workspaces) else None
        for page in list_pages(client, workspace=workspace, start=start):
            rows = _unique([to_row(record) for record in page.records])
            if page.resume:
                resume = {"workspace": workspace, "offset": page.resume}
            else:
                resume = {"workspace": following, "offset": None} if following else None
            yield FetchedPage(rows=rows, checkpoint=resume)


def fetch_asana_projects(client, connection, request: FetchRequest) -> Iterator[FetchedPage]:
    return _per_workspace(client, connection, request, asana.project_list, _project_row)


def fetch_asana_users(client, connection, request: FetchRequest) -> Iterator[FetchedPage]:
    return _per_workspace(client, connection, request, asana.user_list, _user_row)


def fetch_asana_teams(client, connection, request: FetchRequest) -> Iterator[FetchedPage]:
    return _per_workspace(client, connection, request, asana.team_list, _team_row)


def fetch_asana_workspaces(client, connection, request: FetchRequest) -> Iterator[FetchedPage]:
    return _fetched(asana.workspace_list(client, start=request.checkpoint), _workspace_row)


def _fetch_project(project_get):
    """fetch_one over a provider's `project_get`: the project now, None once it is gone."""

    def fetch_one(client, connection, remote_id: str) -> FetchedRow | None:
        try:
            record = project_get(client, remote_id)
        except NotFoundError:
            return None
        return _project_row(record) if record is not None else None

    return fetch_one


PROJECTTOOL_PROJECTS = SyncedResource(
    key="projecttool.projects",
    provider="projecttool",
    label="projects",
    model=Project,
    fetch=fetch_projecttool_projects,
    fetch_one=_fetch_project(projecttool.project_get),
    still_present=present_one_by_one(projecttool.project_get),  # page numbers shift
)
ASANA_PROJECTS = SyncedResource(
    key="asana.projects",
    provider="asana",
    label="projects",
    model=Project,
    fetch=fetch_asana_projects,
    fetch_one=_fetch_project(asana.project_get),
)

RESOURCES: list[SyncedResource] = [
    PROJECTTOOL_PROJECTS,
    SyncedResource(
        key="projecttool.workspaces",
        provider="projecttool",
        label="workspaces",
        model=Workspace,
        fetch=fetch_projecttool_workspaces,
    ),
    SyncedResource(
        key="projecttool.users",
        provider="projecttool",
        label="users",
        model=ProjectUser,
        fetch=fetch_projecttool_users,
    ),
    ASANA_PROJECTS,
    SyncedResource(
        key="asana.workspaces",
        provider="asana",
        label="workspaces",
        model=Workspace,
        fetch=fetch_asana_workspaces,
    ),
    SyncedResource(
        key="asana.users",
        provider="asana",
        label="users",
        model=ProjectUser,
        fetch=fetch_asana_users,
    ),
    SyncedResource(
        key="asana.teams",
        provider="asana",
        label="teams",
        model=Team,
        fetch=fetch_asana_teams,
    ),
]


def resources_for(provider: str) -> dict[str, SyncedResource]:
    """{"projects": …, "workspaces": …, "users": …} for one provider (Asana: and "teams")."""
    return {r.label: r for r in RESOURCES if r.provider == provider}
