"""The projects pages: thin views that parse, call one service or selector, and render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.csv_safety import csv_response
from core.pagination import paginate
from core.request_limits import body_limit
from core.resources import ResourcePages, Service
from core.selectors import duplicates_of
from integrations.models import Connection, OutboxItem
from integrations.outbox.service import waiting_message
from integrations.shown_errors import outbox_error
from integrations.sync.resources import SyncedResource
from integrations.sync.service import start_first_sync, sync_status
from projects import selectors, services
from projects.csv_import import MAX_ROWS, MAX_UPLOAD_BYTES, CsvFileError, columns_for, example_rows
from projects.forms import ProjectForm, ProjectImportForm
from projects.models import Project, ProjectUser, Team, Workspace
from projects.outbox import AsanaProjectCreate, ProjectToolProjectCreate
from projects.sync import resources_for

PAGE_SIZE = 50
IMPORT_PAGE_SIZE = 100


def _not_connected(request: HttpRequest, title: str) -> HttpResponse:
    return render(request, "projects/not_connected.html", {"title": title}, status=200)


def _picker_syncs(connection: Connection) -> None:
    """Start the first sync of the users, workspaces and teams the pickers and names need."""
    resources = resources_for(connection.provider)
    for label, model in (("users", ProjectUser), ("workspaces", Workspace), ("teams", Team)):
        if label in resources and not model.objects.filter(connection=connection).exists():
            start_first_sync(connection=connection, resource=resources[label])


@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    connection = selectors.project_connection()
    if connection is None:
        return _not_connected(request, "Projects")
    filters = {
        "q": request.GET.get("q", "").strip()[:200],
        "status": request.GET.get("status", "").strip()[:40],
        "workspace": request.GET.get("workspace", "").strip()[:64],
    }
    sort = selectors.PROJECT_SORTING.parse(request.GET.get("sort"))
    projects = selectors.project_list(
        connection=connection,
        search=filters["q"],
        status=filters["status"],
        workspace=filters["workspace"],
        sort=sort,
    )
    active = {k: v for k, v in filters.items() if v}
    has_records = Project.objects.filter(connection=connection).exists()
    resource = resources_for(connection.provider)["projects"]
    if not has_records:
        start_first_sync(connection=connection, resource=resource)
    sync = sync_status(connection=connection, resource=resource)
    _picker_syncs(connection)
    context = {
        "connection": connection,
        "page_obj": paginate(projects, request.GET.get("page"), PAGE_SIZE),
        "filters": filters,
        "filtered": any(filters.values()),
        "has_records": has_records,
        "querystring": urlencode({**active, "sort": sort.value}),
        "sorting": selectors.PROJECT_SORTING,
        "sort": sort,
        "sort_query": urlencode(active),
        "statuses": selectors.project_status_options(connection=connection),
        "workspaces": selectors.workspace_options(connection=connection),
        "sync": sync,
        "supports": set(getattr(_provider(connection), "project_fields", ())),
    }
    return render(request, "projects/project_list.html", context)


def _provider(connection: Connection):
    from integrations.providers import provider_for

    return provider_for(connection.provider)


@require_GET
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(pk=pk)
    if project is None:
        raise Http404("No such project")
    context = {
        "project": project,
        "item": selectors.project_outbox_item(project),
        "provider_name": project.connection.provider_display,
        "supports": set(getattr(_provider(project.connection), "project_fields", ())),
        "duplicates": duplicates_of(project),
    }
    return render(request, "projects/project_detail.html", context)


@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    connection = selectors.project_connection()
    if connection is None:
        return _not_connected(request, "New project")
    _picker_syncs(connection)
    choices = selectors.project_choices(connection=connection)
    form = ProjectForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        item = services.project_create(
            connection=connection,
            project=form.project(),
            submission_key=form.cleaned_data["submission_key"],
            user=request.user,
        )
        if item.status != OutboxItem.Status.FAILED:
            return _after_write(request, item, connection)
        form.add_provider_errors(item.field_errors, outbox_error(item).for_user(request.user))
    context = {"form": form, "connection": connection, "choices": choices}
    return render(request, "projects/project_form.html", context)


def _after_write(request: HttpRequest, item: OutboxItem, connection: Connection) -> HttpResponse:
    name = connection.provider_display
    if item.status == OutboxItem.Status.DONE:
        messages.success(request, f"Project created in {name}.")
    elif item.status == OutboxItem.Status.NEEDS_ATTENTION:
        shown = outbox_error(item).for_user(request.user)
        messages.warning(request, f"Saved, but {name} did not take it. {shown}")
    else:
        messages.info(request, waiting_message(item))
    if item.record_id and Project.objects.filter(pk=item.record_id).exists():
        return redirect("projects:project_detail", pk=item.record_id)
    return redirect("projects:project_list")


@body_limit(MAX_UPLOAD_BYTES + 64 * 1024)  # the file and the form around it
@require_http_methods(["GET", "POST"])
def project_import(request: HttpRequest) -> HttpResponse:
    connection = selectors.project_connection()
    if connection is None:
        return _not_connected(request, "Import projects")
    _picker_syncs(connection)
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
        "form": form,
        "connection": connection,
        "columns": columns_for(choices),
        "max_rows": MAX_ROWS,
        "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
    }
    return render(request, "projects/project_import.html", context)


@require_GET
def project_import_example(request: HttpRequest) -> HttpResponse:
    connection = selectors.project_connection()
    if connection is None:
        raise Http404("No project tool is connected")
    rows = example_rows(selectors.project_choices(connection=connection))
    return csv_response(rows, filename="projects-example.csv")


def _batch(token) -> object:
    batch = selectors.import_batch_get(token=str(token))
    if batch is None:
        raise Http404("No such import")
    return batch


@require_GET
def project_import_detail(request: HttpRequest, token) -> HttpResponse:
    batch = _batch(token)
    show = request.GET.get("show", "")
    rows = selectors.import_rows(batch, only_invalid=show == "invalid")
    page = paginate(rows, request.GET.get("page"), IMPORT_PAGE_SIZE)
    page.object_list = list(page.object_list)  # the rows the template shows get the labels
    selectors.label_import_rows(batch.connection, page.object_list)
    context = {
        "batch": batch,
        "page_obj": page,
        "querystring": "show=invalid" if show == "invalid" else "",
        "show": show,
        "progress": selectors.import_progress(batch) if batch.submitted_at else None,
        "provider_name": batch.connection.provider_display,
        "columns": list(selectors.project_choices(connection=batch.connection).fields),
    }
    return render(request, "projects/import_detail.html", context)


@require_POST
def project_import_submit(request: HttpRequest, token) -> HttpResponse:
    batch = _batch(token)
    if batch.submitted_at is None and not batch.valid_count:
        messages.error(request, "No row of this file can be sent: correct the file and upload it.")
        return redirect("projects:project_import_detail", token=batch.token)
    queued = services.import_batch_submit(batch=batch, user=request.user)
    if queued:
        name = batch.connection.provider_display
        messages.info(request, f"Sending {queued:,} projects to {name} in the background.")
    return redirect("projects:project_import_detail", token=batch.token)


@require_GET
def project_import_progress(request: HttpRequest, token) -> HttpResponse:
    """The progress card; htmx polls it every second until every row has its result."""
    batch = _batch(token)
    progress = selectors.import_progress(batch)
    response = render(
        request, "projects/_import_progress.html", {"batch": batch, "progress": progress}
    )
    if progress.finished and request.GET.get("polling"):
        # The rows' results are on the full page: reload it once the import is over.
        response["HX-Redirect"] = reverse("projects:project_import_detail", args=[batch.token])
    return response


# --- resource description (core.resources) ----------------------------------------------
# For now it names the pages for the dashboard and the duplicate links; the views above
# are still the projects' own until they move onto core.resource_views.


class ProjectPages(ResourcePages):
    service = Service(
        name="Project tool",
        kind="Projects",
        providers=("projecttool", "asana"),
        description="Add an active connection for the generic project tool or for Asana, "
        "and its projects appear here.",
    )
    app, name, path = "projects", "project", "projects"
    model = Project
    singular, plural = "Project", "Projects"
    sorting = selectors.PROJECT_SORTING
    # The connection's provider picks one of each (projects.sync.resources_for).
    outbox_operations = (ProjectToolProjectCreate.name, AsanaProjectCreate.name)

    def connection(self) -> Connection | None:
        return selectors.project_connection()

    def sync_resource_for(self, connection: Connection) -> SyncedResource:
        return resources_for(connection.provider)["projects"]


PROJECT_PAGES = ProjectPages()
