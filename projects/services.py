"""Writes for the projects pages: create one project, import many from a CSV file.

Every write goes through the outbox: the local project is saved at once
(marked pending) with its outbox row, then sent. An import keeps its parsed
rows in an `ImportBatch` between the preview and the submit; submitting
creates one outbox row per valid row, keyed by the import and the row
number, so submitting twice never creates anything twice.
"""

from __future__ import annotations

import dataclasses
from typing import IO, Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.forms import Edit
from integrations import audit
from integrations.models import Connection, OutboxItem
from integrations.models.synced import SyncStatus
from integrations.outbox.service import outbox_write
from integrations.providers import provider_for
from integrations.providers.project_records import ProjectInput
from projects.csv_import import parse_projects_csv, read_upload
from projects.models import ImportBatch, ImportRow, Project, ProjectUser, Workspace
from projects.outbox import CREATE_OPERATION, UPDATE_OPERATION
from projects.selectors import existing_project_names, names_by_remote_id, project_choices
from projects.sync import project_search_text
from projects.tasks import project_import_send_task
from projects.validation import project_rule_problems


def _local_project(
    connection: Connection,
    project: ProjectInput,
    owners: dict[str, str],
    workspaces: dict[str, str],
) -> Project:
    """The pending local copy of a project that is on its way to the provider."""
    return Project(
        connection=connection,
        remote_id=None,
        sync_status=SyncStatus.PENDING,
        name=project.name[:300],
        description=project.description,
        status=project.status,
        priority=project.priority,
        owner_remote_id=project.owner,
        owner_name=owners.get(project.owner, ""),
        workspace_remote_id=project.workspace,
        workspace_name=workspaces.get(project.workspace, ""),
        start_date=project.start_date,
        end_date=project.end_date,
        tags=list(project.tags),
        search_text=project_search_text(project.name, project.description),
    )


def project_create(
    *, connection: Connection, project: ProjectInput, submission_key: str, user: Any = None
) -> OutboxItem:
    """Save the project locally and in the outbox, and try to send it now."""
    owners = names_by_remote_id(connection, ProjectUser, {project.owner})
    workspaces = names_by_remote_id(connection, Workspace, {project.workspace})

    def save_record() -> Project:
        record = _local_project(connection, project, owners, workspaces)
        record.save()
        return record

    return outbox_write(
        connection=connection,
        operation=CREATE_OPERATION[connection.provider],
        payload=project.to_json(),
        submission_key=submission_key,
        summary=f"Create project {project.name}",
        save_record=save_record,
        user=user,
    )


def project_input_of(project: Project) -> ProjectInput:
    """The project as the hub holds it, in the form's words (an edit starts from it)."""
    return ProjectInput(
        name=project.name,
        description=project.description,
        owner=project.owner_remote_id,
        workspace=project.workspace_remote_id,
        start_date=project.start_date,
        end_date=project.end_date,
        status=project.status,
        priority=project.priority,
        tags=tuple(project.tags or ()),
    )


def project_update(
    *, project: Project, edit: Edit, submission_key: str, user: Any = None
) -> OutboxItem | None:
    """Save the edit over the project as stored now and send the fields the person changed
    (`Edit.merged`: the others keep what is stored, a change someone saved meanwhile
    included; `EditConflict` when someone changed the same field); None when the person
    changed nothing; `EditBreaksRule` when the merged project breaks a rule between fields
    (the dates' order). The whole project goes in the payload, so the provider's rules
    (Asana sends both dates) see the stored values of what the person left alone."""
    if not edit.changed:
        return None
    connection = project.connection

    def save_record() -> Project:
        # `project` is the row as stored now (outbox_write read it again, locked).
        stored = project_input_of(project)
        values = dataclasses.asdict(stored)
        merged = dataclasses.replace(stored, **edit.merged(values))
        # The form checked the person's values; what is stored is theirs merged over
        # someone else's newer change (a new start, say), so the rules are checked again.
        if problems := project_rule_problems(provider_for(connection.provider), merged):
            raise edit.breaks_rule(values, problems)
        owners = names_by_remote_id(connection, ProjectUser, {merged.owner})
        local = _local_project(connection, merged, owners, {})
        for name in ("name", "description", "status", "priority", "owner_remote_id",
                     "owner_name", "start_date", "end_date", "tags", "search_text"):  # fmt: skip
            setattr(project, name, getattr(local, name))
        project.sync_status = SyncStatus.PENDING
        project.save()
        return project

    return outbox_write(
        connection=connection,
        operation=UPDATE_OPERATION[connection.provider],
        payload=lambda saved: {
            "remote_id": saved.remote_id,
            "project": project_input_of(saved).to_json(),
            "fields": edit.changed,
        },
        submission_key=submission_key,
        summary=f"Update project {edit.mine.get('name', project.name)}",
        save_record=save_record,
        user=user,
        record=project,
    )


NAME_TAKEN = "Name: a project with this name already exists in this workspace."


def import_batch_create(
    *, connection: Connection, upload: IO[bytes], size: int | None, file_name: str, user: Any = None
) -> ImportBatch:
    """Read and check a CSV upload and keep its rows for the preview. Nothing is sent.

    Raises `CsvFileError` when the file as a whole cannot be imported.
    """
    choices = project_choices(connection=connection)
    rows = parse_projects_csv(read_upload(upload, size), choices)
    valid = [row for row in rows if row.project]
    taken = existing_project_names(connection=connection, names=[r.project.name for r in valid])
    for row in valid:
        if (row.project.workspace, row.project.name.lower()) in taken:
            row.errors.append(NAME_TAKEN)
            row.project = None
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            connection=connection,
            file_name=file_name[:255],
            created_by=user if user is not None and user.is_authenticated else None,
            row_count=len(rows),
            valid_count=sum(1 for row in rows if row.project),
        )
        ImportRow.objects.bulk_create(
            [
                ImportRow(
                    batch=batch,
                    number=row.number,
                    values=row.values,
                    payload=row.project.to_json() if row.project else None,
                    errors=row.errors,
                )
                for row in rows
            ],
            batch_size=500,
        )
    return batch


def import_batch_submit(*, batch: ImportBatch, user: Any = None) -> int:
    """Create the outbox rows of the valid rows and start sending them in the background.

    Returns how many rows were queued; 0 when the batch was submitted before.
    """
    connection = batch.connection
    with transaction.atomic():
        # One submit at a time per connection, from the name check to the new rows: on
        # PostgreSQL (READ COMMITTED) two at once would each miss the other's uncommitted
        # projects; SQLite's IMMEDIATE transactions already let one writer in at a time.
        Connection.objects.select_for_update().only("pk").get(pk=connection.pk)
        claimed = ImportBatch.objects.filter(pk=batch.pk, submitted_at=None).update(
            submitted_at=timezone.now()
        )
        if not claimed:
            return 0
        rows = list(ImportRow.objects.filter(batch=batch, payload__isnull=False).order_by("number"))
        queued = _queue_rows(batch, connection, _names_still_free(batch, rows), user)
        transaction.on_commit(lambda: project_import_send_task.enqueue(batch_id=batch.pk))
    batch.refresh_from_db()
    return queued


def _names_still_free(batch: ImportBatch, rows: list[ImportRow]) -> list[ImportRow]:
    """The rows whose name is still free in its workspace. The preview checked them, but
    another import of the same file (or a form) may have made the project since, or a
    submit that held the connection's lock just before this one: those rows get the
    preview's error instead of a second project (Asana takes namesakes)."""
    names = [str(row.payload.get("name", "")) for row in rows]
    taken = existing_project_names(connection=batch.connection, names=names)
    refused = [
        row
        for row in rows
        if (str(row.payload.get("workspace") or ""), str(row.payload.get("name", "")).lower())
        in taken
    ]
    for row in refused:
        row.errors, row.payload = [*row.errors, NAME_TAKEN], None
    if refused:
        ImportRow.objects.bulk_update(refused, ["errors", "payload"], batch_size=500)
        ImportBatch.objects.filter(pk=batch.pk).update(valid_count=F("valid_count") - len(refused))
    return [row for row in rows if row.payload is not None]


def _queue_rows(batch: ImportBatch, connection: Connection, rows: list[ImportRow], user) -> int:
    """One pending local project and one outbox row per import row (bulk inserts)."""
    keys = {row.pk: batch.submission_key(row.number) for row in rows}
    existing = set(
        OutboxItem.objects.filter(submission_key__in=keys.values()).values_list(
            "submission_key", flat=True
        )
    )
    rows = [row for row in rows if keys[row.pk] not in existing]
    inputs = [ProjectInput.from_json(row.payload) for row in rows]
    owners = names_by_remote_id(connection, ProjectUser, {p.owner for p in inputs})
    workspaces = names_by_remote_id(connection, Workspace, {p.workspace for p in inputs})
    projects = Project.objects.bulk_create(
        [_local_project(connection, p, owners, workspaces) for p in inputs], batch_size=500
    )
    creator = user if user is not None and user.is_authenticated else None
    items = OutboxItem.objects.bulk_create(
        [
            OutboxItem(
                connection=connection,
                operation=CREATE_OPERATION[connection.provider],
                payload=project.to_json(),
                submission_key=keys[row.pk],
                summary=f"Create project {project.name}"[:200],
                record_type=Project._meta.label,
                record_id=record.pk,
                created_by=creator,
            )
            for row, project, record in zip(rows, inputs, projects, strict=True)
        ],
        batch_size=500,
    )
    for row, item in zip(rows, items, strict=True):
        row.outbox_item = item
    ImportRow.objects.bulk_update(rows, ["outbox_item"], batch_size=500)
    audit.creates_recorded(zip(items, projects, strict=True))
    return len(rows)
