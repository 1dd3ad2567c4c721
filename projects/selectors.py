"""Read-only queries for the projects pages."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf

from core.forms import ListFilters
from core.search import search_filter
from core.sorting import Column, Sorting
from integrations.models import Connection, OutboxItem
from integrations.providers import provider_for
from projects.models import ImportBatch, ImportRow, Project, ProjectUser, Team, Workspace
from projects.validation import ProjectChoices

PROJECT_SORTING = Sorting(
    columns={
        "name": Column(["name"]),
        "status": Column(["status"]),
        "priority": Column(["priority"]),
        "owner": Column(["owner_label"]),
        "start": Column(["start_date"], descending_first=True),
        "end": Column(["end_date"], descending_first=True),
        "workspace": Column(["workspace_label"]),
        "tags": Column(["tags__0"]),
    },
    default="name",
)


@dataclass(frozen=True)
class ProjectFilters(ListFilters):
    """What the project list is asked for: a search, a sort, a status and a workspace id."""

    status: str = ""
    workspace: str = ""


def project_list(
    *, connection: Connection, filters: ProjectFilters | None = None
) -> QuerySet[Project]:
    """Projects of `connection`, with owner and workspace names filled in from the pickers."""
    filters = filters or ProjectFilters()
    users = ProjectUser.objects.filter(connection=connection, remote_id=OuterRef("owner_remote_id"))
    spaces = Workspace.objects.filter(
        connection=connection, remote_id=OuterRef("workspace_remote_id")
    )
    projects = (
        Project.objects.filter(connection=connection, is_deleted=False)
        .annotate(
            owner_label=Coalesce(
                NullIf(F("owner_name"), Value("")),
                Subquery(users.values("name")[:1]),
                NullIf(F("owner_remote_id"), Value("")),
            ),
            workspace_label=Coalesce(
                NullIf(F("workspace_name"), Value("")),
                Subquery(spaces.values("name")[:1]),
                NullIf(F("workspace_remote_id"), Value("")),
            ),
        )
        .order_by(*PROJECT_SORTING.order_by(filters.sort))
    )
    projects = search_filter(projects, filters.search)
    if filters.status:
        projects = projects.filter(status=filters.status)
    if filters.workspace:
        projects = projects.filter(workspace_remote_id=filters.workspace)
    return projects


def project_get(*, connection: Connection, pk: int) -> Project | None:
    """A live project of `connection`, with its owner and workspace names."""
    return project_list(connection=connection).select_related("connection").filter(pk=pk).first()


def project_outbox_item(project: Project) -> OutboxItem | None:
    """The latest write of this project (its create), to show its delivery state."""
    return (
        OutboxItem.objects.filter(record_type=Project._meta.label, record_id=project.pk)
        .order_by("-created_at")
        .first()
    )


def project_status_options(*, connection: Connection) -> list[str]:
    """The provider's statuses, then any other status the synced projects carry."""
    declared = list(provider_for(connection.provider).project_statuses)
    seen = (
        Project.objects.filter(connection=connection, is_deleted=False)
        .exclude(status="")
        .values_list("status", flat=True)
        .distinct()
        .order_by("status")[:50]
    )
    return declared + [s for s in seen if s not in declared]


def workspace_options(*, connection: Connection) -> list[tuple[str, str]]:
    rows = Workspace.objects.filter(connection=connection, is_deleted=False).exclude(remote_id=None)
    return [(w.remote_id, w.name) for w in rows.order_by("name")]


def user_labels(rows: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
    """(id, label) of users: the name, with the email only where two users share the name,
    so a chosen owner fits a phone's select and namesakes are still told apart."""
    shared = {name for name, n in Counter(name for _, name, _ in rows).items() if n > 1}
    return [
        (uid, f"{name} ({email})" if email and name in shared else name)
        for uid, name, email in rows
    ]


def project_choices(*, connection: Connection) -> ProjectChoices:
    """The provider's capabilities and its synced users, workspaces and teams, for forms
    and imports."""
    users = ProjectUser.objects.filter(connection=connection, is_deleted=False).exclude(
        remote_id=None
    )
    user_rows = list(users.order_by("name").values_list("remote_id", "name", "email")[:2000])
    workspaces = workspace_options(connection=connection)
    default = connection.workspace_id or (workspaces[0][0] if len(workspaces) == 1 else "")
    organizations = Workspace.objects.filter(
        connection=connection, is_deleted=False, is_organization=True
    ).exclude(remote_id=None)
    teams = Team.objects.filter(connection=connection, is_deleted=False).exclude(remote_id=None)
    team_rows = list(teams.order_by("name").values_list("remote_id", "name", "workspace_remote_id"))
    return ProjectChoices(
        provider=provider_for(connection.provider),
        users=user_labels(user_rows),
        workspaces=workspaces,
        user_emails={email.lower(): uid for uid, _, email in user_rows if email},
        default_workspace=default,
        teams=[(tid, name) for tid, name, _ in team_rows],
        team_workspaces={tid: ws for tid, _, ws in team_rows},
        organizations=frozenset(organizations.values_list("remote_id", flat=True)),
    )


def existing_project_names(*, connection: Connection, names: list[str]) -> set[tuple[str, str]]:
    """(workspace id, lower-case name) of the live projects among `names`."""
    found = set()
    lowered = {n.lower() for n in names}
    rows = Project.objects.filter(connection=connection, is_deleted=False).values_list(
        "workspace_remote_id", "name"
    )
    for workspace, name in rows.iterator(chunk_size=2000):
        if name.lower() in lowered:
            found.add((workspace, name.lower()))
    return found


@dataclass(frozen=True)
class ImportProgress:
    """An import's rows sent: created, refused or stuck (`failed`), ended by a person who
    checked at the provider (`dismissed`), and still on their way (`pending`)."""

    total: int
    done: int
    failed: int
    dismissed: int
    pending: int

    @property
    def finished(self) -> bool:
        return self.pending == 0

    @property
    def percent(self) -> int:
        if not self.total:
            return 100
        return round(100 * (self.done + self.failed + self.dismissed) / self.total)


def import_batch_get(*, connection: Connection, token: str, user: Any) -> ImportBatch | None:
    """An import of `connection` (the pages' connection: another's imports are not shown)
    that `user` uploaded (a superuser: anyone's), as an export is its requester's."""
    batches = ImportBatch.objects.select_related("connection").filter(connection=connection)
    if not user.is_superuser:
        batches = batches.filter(created_by=user)
    try:
        return batches.filter(token=token).first()
    except ValueError:  # not a UUID
        return None


# An import's rows the provider refused or that are stuck: not created without a person.
NOT_CREATED = [OutboxItem.Status.FAILED, OutboxItem.Status.NEEDS_ATTENTION]


def import_progress(batch: ImportBatch) -> ImportProgress:
    """How many of the rows sent are done, refused or stuck, dismissed, or still waiting."""
    status = "outbox_item__status"
    counts = ImportRow.objects.filter(batch=batch, outbox_item__isnull=False).aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(**{status: OutboxItem.Status.DONE})),
        failed=Count("pk", filter=Q(**{f"{status}__in": NOT_CREATED})),
        dismissed=Count("pk", filter=Q(**{status: OutboxItem.Status.DISMISSED})),
    )
    finished = counts["done"] + counts["failed"] + counts["dismissed"]
    return ImportProgress(**counts, pending=counts["total"] - finished)


def label_import_rows(connection: Connection, rows: list[ImportRow]) -> None:
    """Give each valid row `owner_label` and `workspace_label`: the synced names of the ids
    its cells were resolved to, so a person can check the mapping before sending."""
    payloads = [row.payload or {} for row in rows]
    owners = names_by_remote_id(connection, ProjectUser, {p.get("owner", "") for p in payloads})
    spaces = names_by_remote_id(connection, Workspace, {p.get("workspace", "") for p in payloads})
    for row, payload in zip(rows, payloads, strict=True):
        row.owner_label = owners.get(payload.get("owner", ""), "")
        row.workspace_label = spaces.get(payload.get("workspace", ""), "")


def names_by_remote_id(connection: Connection, model: type, remote_ids: set[str]) -> dict[str, str]:
    """Remote id -> name of the synced users or workspaces among `remote_ids`."""
    rows = model.objects.filter(connection=connection, remote_id__in=remote_ids - {""})
    return dict(rows.values_list("remote_id", "name"))


def import_rows(batch: ImportBatch, *, only_invalid: bool = False) -> QuerySet[ImportRow]:
    """The rows in file order; before the submit, the rows with problems come first."""
    rows = (
        ImportRow.objects.filter(batch=batch)
        .select_related("outbox_item__connection")
        .order_by("number")
    )
    if batch.submitted_at is None:
        ok = Case(
            When(payload__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        rows = rows.annotate(ok=ok).order_by("ok", "number")
    if only_invalid:
        rows = rows.exclude(errors=[])
    return rows
