"""Project pages: their description for `core.resource_views`, the project tools' rules,
and the CSV import's own pages.

One description serves the generic project tool and Asana, whichever is
connected (`ProjectPages.service`). Their own rules: the provider's declared
`project_fields` decide which columns, detail rows and form fields exist; the
create form's pickers read the synced users, workspaces and (Asana) teams, so
their first syncs start with the list's and on the form; each provider has its
own sync resource for projects. Projects are created here, not edited
(editing is issue #19).

The CSV import (upload, preview, submit, progress) is not a resource page: its
views are the app's own, on the shared `connection_required`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Page
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.csv_safety import csv_response
from core.export import ExportColumn, field_column
from core.pagination import paginate
from core.request_limits import body_limit
from core.resource_views import connection_required, resource_permission_required
from core.resources import ListColumn, ResourcePages, Service
from core.selectors import record_open_write
from integrations.models import Connection, OutboxItem
from integrations.providers import provider_for
from integrations.refresh import Refresh
from integrations.sync.resources import SyncedResource
from integrations.sync.service import start_first_sync
from projects import selectors, services
from projects.csv_import import MAX_ROWS, MAX_UPLOAD_BYTES, CsvFileError, columns_for, example_rows
from projects.forms import ProjectFilterForm, ProjectForm, ProjectImportForm, tags_text
from projects.models import ImportBatch, Project
from projects.outbox import (
    AsanaProjectCreate,
    AsanaProjectUpdate,
    ProjectToolProjectCreate,
    ProjectToolProjectUpdate,
)
from projects.selectors import ProjectFilters
from projects.sync import resources_for

IMPORT_PAGE_SIZE = 100
# The synced resources the form's pickers and the list's names read.
PICKERS = ("users", "workspaces", "teams")
# Columns of project fields a provider may lack (`Provider.project_fields`).
OPTIONAL_COLUMNS = ("status", "priority", "tags")


def supported_fields(connection: Connection) -> set[str]:
    """The project fields the connection's provider declares (columns, detail rows)."""
    return set(provider_for(connection.provider).project_fields)


class ProjectPages(ResourcePages):
    service = Service(
        name="Project tool",
        kind="Projects",
        providers=("projecttool", "asana"),
        description="Add an active connection for the generic project tool or for Asana, "
        "and its projects appear here.",
        team="Projects",
    )
    app, name, path = "projects", "project", "projects"
    model = Project
    singular, plural = "Project", "Projects"
    subtitle = "Projects from your project tool, synced into the hub."
    pages = ("list", "create", "detail", "edit")
    list_columns = (
        ListColumn("Name", "name"), ListColumn("Status", "status"),
        ListColumn("Priority", "priority"), ListColumn("Owner", "owner"),
        ListColumn("Start", "start"), ListColumn("End", "end"),
        ListColumn("Workspace", "workspace"), ListColumn("Tags", "tags"),
    )  # fmt: skip
    filter_form = ProjectFilterForm
    sorting = selectors.PROJECT_SORTING
    per_page = 50
    form_class = ProjectForm
    # The connection's provider picks one of each (projects.sync.resources_for).
    outbox_operations = (
        ProjectToolProjectCreate.name, AsanaProjectCreate.name,
        ProjectToolProjectUpdate.name, AsanaProjectUpdate.name,
    )  # fmt: skip

    def sync_resource_for(self, connection: Connection) -> SyncedResource:
        return resources_for(connection.provider)["projects"]

    def list_rows(self, *, connection: Connection, filters: ProjectFilters) -> QuerySet[Project]:
        return selectors.project_list(connection=connection, filters=filters)

    def first_syncs_needed(self, *, connection: Connection) -> list[SyncedResource]:
        """The pickers' users, workspaces and teams (those the provider has) never synced."""
        resources = resources_for(connection.provider)
        return [
            resources[label]
            for label in PICKERS
            if label in resources
            and not resources[label].model.objects.filter(connection=connection).exists()
        ]

    def list_context(
        self, request: HttpRequest, *, connection: Connection, form: Any, page: Page
    ) -> dict[str, Any]:
        supports = supported_fields(connection)
        return {
            "supports": supports,
            "columns": [
                c for c in self.list_columns if c.sort not in OPTIONAL_COLUMNS or c.sort in supports
            ],
            "statuses": selectors.project_status_options(connection=connection),
            "workspaces": selectors.workspace_options(connection=connection),
        }

    def export_columns(self, *, connection: Connection) -> list[ExportColumn]:
        """The list's columns (those the provider has) plus the description."""
        supports = supported_fields(connection)
        columns = {
            "id": field_column(f"{connection.provider_display} id", "remote_id"),
            "name": field_column("Name", "name"),
            "description": field_column("Description", "description"),
            "status": field_column("Status", "status"),
            "priority": field_column("Priority", "priority"),
            "owner": field_column("Owner", "owner_label"),
            "start": field_column("Start", "start_date"),
            "end": field_column("End", "end_date"),
            "workspace": field_column("Workspace", "workspace_label"),
            "tags": field_column("Tags", "tags"),
        }
        return [c for k, c in columns.items() if k not in OPTIONAL_COLUMNS or k in supports]

    def get_record(self, *, connection: Connection, pk: int) -> Project | None:
        return selectors.project_get(connection=connection, pk=pk)

    def detail_context(
        self, request: HttpRequest, *, record: Project, refresh: Refresh
    ) -> dict[str, Any]:
        return {
            "item": selectors.project_outbox_item(record),
            "open_write": record_open_write(record),
            "provider_name": record.connection.provider_display,
            "supports": supported_fields(record.connection),
        }

    def form_kwargs(self, *, connection: Connection, record: Project | None) -> dict[str, Any]:
        start_picker_syncs(connection)
        current = services.project_input_of(record) if record is not None else None
        return {"choices": selectors.project_choices(connection=connection), "current": current}

    def initial(self, record: Project) -> dict[str, Any]:
        return {
            "name": record.name,
            "description": record.description,
            "owner": record.owner_remote_id,
            "start_date": record.start_date,
            "end_date": record.end_date,
            "status": record.status,
            "priority": record.priority,
            "tags": tags_text(record.tags or ()),
        }

    def edit_blocked(self, record: Project) -> str:
        """Not at the provider yet, or a change of it still on its way."""
        if blocked := super().edit_blocked(record):
            return blocked
        if record_open_write(record):
            provider = record.connection.provider_display
            return f"A change to this project is still on its way to {provider}; wait for it."
        return ""

    def update(
        self, request: HttpRequest, *, record: Project, form: ProjectForm
    ) -> OutboxItem | None:
        return services.project_update(
            project=record,
            edit=form.edit(),
            submission_key=form.cleaned_data["submission_key"],
            user=request.user,
        )

    def create(
        self, request: HttpRequest, *, connection: Connection, form: ProjectForm
    ) -> OutboxItem:
        return services.project_create(
            connection=connection,
            project=form.project(),
            submission_key=form.cleaned_data["submission_key"],
            user=request.user,
        )


PROJECT_PAGES = ProjectPages()


def start_picker_syncs(connection: Connection) -> None:
    """Start the first sync of the users, workspaces and teams the form's pickers offer."""
    for resource in PROJECT_PAGES.first_syncs_needed(connection=connection):
        start_first_sync(connection=connection, resource=resource)


# --- the CSV import ---------------------------------------------------------------------
# Its URL patterns pass `resource=PROJECT_PAGES` (projects/urls.py), for connection_required.


def _batch(request: HttpRequest, connection: Connection, token: Any) -> ImportBatch:
    batch = selectors.import_batch_get(connection=connection, token=str(token), user=request.user)
    if batch is None:
        raise Http404("No such import")
    return batch


@body_limit(MAX_UPLOAD_BYTES + 64 * 1024)  # the file and the form around it
@require_http_methods(["GET", "POST"])
@resource_permission_required("change")
@connection_required
def project_import(
    request: HttpRequest, *, resource: ResourcePages, connection: Connection
) -> HttpResponse:
    start_picker_syncs(connection)
    choices = selectors.project_choices(connection=connection)
    form = ProjectImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = services.import_batch_create(
                connection=connection,
                upload=upload,
                size=upload.size,
                file_name=upload.name or "",
                user=request.user,
            )
        except CsvFileError as error:
            form.add_error("file", str(error))
        else:
            return redirect("projects:project_import_detail", token=batch.token)
    context = {
        "resource": resource,
        "form": form,
        "connection": connection,
        "columns": columns_for(choices),
        "max_rows": MAX_ROWS,
        "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
    }
    return render(request, "projects/project_import.html", context)


@require_GET
@resource_permission_required("change")
@connection_required
def project_import_example(
    request: HttpRequest, *, resource: ResourcePages, connection: Connection
) -> HttpResponse:
    rows = example_rows(selectors.project_choices(connection=connection))
    return csv_response(rows, filename="projects-example.csv")


@require_GET
@resource_permission_required("change")
@connection_required
def project_import_detail(
    request: HttpRequest, token: Any, *, resource: ResourcePages, connection: Connection
) -> HttpResponse:
    batch = _batch(request, connection, token)
    show = request.GET.get("show", "")
    rows = selectors.import_rows(batch, only_invalid=show == "invalid")
    page = paginate(rows, request.GET.get("page"), IMPORT_PAGE_SIZE)
    page.object_list = list(page.object_list)  # the rows the template shows get the labels
    selectors.label_import_rows(connection, page.object_list)
    context = {
        "resource": resource,
        "batch": batch,
        "page_obj": page,
        "querystring": "show=invalid" if show == "invalid" else "",
        "show": show,
        "progress": selectors.import_progress(batch) if batch.submitted_at else None,
        "provider_name": connection.provider_display,
        "columns": list(selectors.project_choices(connection=connection).fields),
    }
    return render(request, "projects/import_detail.html", context)


@require_POST
@resource_permission_required("change")
@connection_required
def project_import_submit(
    request: HttpRequest, token: Any, *, resource: ResourcePages, connection: Connection
) -> HttpResponse:
    batch = _batch(request, connection, token)
    if batch.submitted_at is None and not batch.valid_count:
        messages.error(request, "No row of this file can be sent: correct the file and upload it.")
        return redirect("projects:project_import_detail", token=batch.token)
    # Many writes, delivered in the background: each row's result is on the import's page.
    queued = services.import_batch_submit(batch=batch, user=request.user)
    if queued:
        name = connection.provider_display
        messages.info(request, f"Sending {queued:,} projects to {name} in the background.")
    return redirect("projects:project_import_detail", token=batch.token)


@require_GET
@resource_permission_required("change")
@connection_required
def project_import_progress(
    request: HttpRequest, token: Any, *, resource: ResourcePages, connection: Connection
) -> HttpResponse:
    """The progress card; htmx polls it every second until every row has its result."""
    batch = _batch(request, connection, token)
    progress = selectors.import_progress(batch)
    response = render(
        request, "projects/_import_progress.html", {"batch": batch, "progress": progress}
    )
    if progress.finished and request.GET.get("polling"):
        # The rows' results are on the full page: reload it once the import is over.
        response["HX-Redirect"] = reverse("projects:project_import_detail", args=[batch.token])
    return response
