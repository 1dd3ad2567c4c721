"""Organization and person pages. Thin: parse, call one service or selector, render."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from core.pagination import paginate
from core.resources import ResourcePages, Service
from core.selectors import duplicates_of
from core.sorting import Sort, Sorting
from crm import selectors, services
from crm.forms import ConfirmForm, OrganizationForm, PersonForm
from crm.models import Organization, Person
from crm.outbox import (
    OrganizationCreate,
    OrganizationDelete,
    OrganizationUpdate,
    PersonCreate,
    PersonUpdate,
)
from crm.sync import ORGANIZATIONS, PERSONS
from integrations.models import Connection, OutboxItem
from integrations.outbox.service import waiting_message
from integrations.shown_errors import outbox_error
from integrations.sync.service import start_first_sync, sync_status

PER_PAGE = 25

View = Callable[..., HttpResponse]


def with_connection(view: View) -> View:
    """Pass the Affinity connection, or show the "not connected" page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        connection = selectors.affinity_connection()
        if connection is None:
            return render(request, "crm/not_connected.html", status=200)
        return view(request, connection, *args, **kwargs)

    return wrapped


# --- organizations -------------------------------------------------------------


@require_GET
@with_connection
def organization_list(request: HttpRequest, connection: Connection) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    sort = selectors.ORGANIZATION_SORTING.parse(request.GET.get("sort"))
    rows = selectors.organization_list(connection=connection, query=query, sort=sort)
    return _list_page(
        request, connection, rows, query, ORGANIZATIONS, "crm/organization_list.html",
        sorting=selectors.ORGANIZATION_SORTING, sort=sort,
    )  # fmt: skip


@require_GET
@with_connection
def organization_search(request: HttpRequest, connection: Connection) -> HttpResponse:
    """ "Search all of Affinity": one live page of Affinity's own search."""
    term = request.GET.get("term", "").strip()[:200]
    token = request.GET.get("page_token", "")[:2000] or None
    result = (
        selectors.affinity_organization_search(
            connection=connection, term=term, page_token=token, user=request.user
        )
        if term
        else None
    )
    return render(request, "crm/organization_search.html", {"term": term, "result": result})


@require_GET
@with_connection
def organization_remote(
    request: HttpRequest, connection: Connection, remote_id: int
) -> HttpResponse:
    """An organization found by the live search: the synced page if there is one."""
    pk = selectors.synced_organization_pk(connection=connection, remote_id=remote_id)
    if pk:
        return redirect("crm:organization_detail", pk=pk)
    record, error = selectors.affinity_organization_fetch(
        connection=connection, remote_id=remote_id, user=request.user
    )
    return render(request, "crm/organization_remote.html", {"record": record, "error": error})


@require_GET
@with_connection
def organization_detail(request: HttpRequest, connection: Connection, pk: int) -> HttpResponse:
    organization = get_object_or_404(Organization, pk=pk, connection=connection)
    problem = services.organization_refresh_from_provider(
        organization=organization, user=request.user
    ).problem
    persons = selectors.organization_persons(organization=organization)
    context = {
        "organization": organization,
        "persons": persons,
        "unsynced_person_ids": selectors.unsynced_ids(organization.person_ids, persons),
        "open_write": selectors.record_open_write(organization),
        "problem": problem,
        "duplicates": duplicates_of(organization),
    }
    return render(request, "crm/organization_detail.html", context)


@require_http_methods(["GET", "POST"])
@with_connection
def organization_create(request: HttpRequest, connection: Connection) -> HttpResponse:
    form = OrganizationForm(request.POST or None, choices=_person_choices(connection))
    duplicates = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        duplicates = selectors.organization_domain_matches(
            connection=connection, domain=data["domain"], user=request.user
        )
        if not duplicates.found or data["create_anyway"]:
            item = services.organization_create(
                connection=connection,
                name=data["name"],
                domain=data["domain"],
                person_ids=data["persons"],
                existing_ids=duplicates.remote_ids,
                submission_key=data["submission_key"],
                user=request.user,
            )
            done = f"Organization “{data['name']}” created in Affinity."
            if response := _after_write(request, item, form, done, "crm:organization_detail"):
                return response
    context = {"form": form, "duplicates": duplicates, "creating": True}
    return render(request, "crm/organization_form.html", context)


@require_http_methods(["GET", "POST"])
@with_connection
def organization_update(request: HttpRequest, connection: Connection, pk: int) -> HttpResponse:
    organization = get_object_or_404(Organization, pk=pk, connection=connection, is_deleted=False)
    if blocked := _edit_blocked(request, organization):
        return blocked
    problem = (
        ""
        if request.method == "POST"
        else services.organization_refresh_from_provider(
            organization=organization, user=request.user, force=True
        ).problem
    )
    initial = {
        "name": organization.name,
        "domain": organization.domain,
        "persons": organization.person_ids,
        "base_person_ids": ",".join(str(i) for i in organization.person_ids),
    }
    form = OrganizationForm(
        request.POST or None,
        initial=initial,
        choices=_person_choices(connection),
        is_global=organization.is_global,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        item = services.organization_update(
            organization=organization,
            name=data["name"],
            domain=data["domain"],
            person_ids=data["persons"],
            base_person_ids=data["base_person_ids"],
            submission_key=data["submission_key"],
            user=request.user,
        )
        done = f"Organization “{organization.name}” updated in Affinity."
        if response := _after_write(request, item, form, done, "crm:organization_detail"):
            return response
    context = {"form": form, "organization": organization, "problem": problem}
    return render(request, "crm/organization_form.html", context)


@require_http_methods(["GET", "POST"])
@with_connection
def organization_delete(request: HttpRequest, connection: Connection, pk: int) -> HttpResponse:
    organization = get_object_or_404(Organization, pk=pk, connection=connection, is_deleted=False)
    if organization.is_global:
        messages.error(
            request, "Global organizations come from Affinity's own dataset and cannot be deleted."
        )
        return redirect("crm:organization_detail", pk=pk)
    if blocked := _edit_blocked(request, organization):
        return blocked
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        item = services.organization_delete(
            organization=organization,
            submission_key=form.cleaned_data["submission_key"],
            user=request.user,
        )
        if item.status == OutboxItem.Status.FAILED:
            messages.error(request, f"It was not deleted. {_shown(request, item)}")
            return redirect("crm:organization_detail", pk=pk)
        _report(request, item, f"Organization “{organization.name}” deleted in Affinity.")
        return redirect("crm:organization_list")
    return render(
        request,
        "crm/organization_confirm_delete.html",
        {"form": form, "organization": organization},
    )


@require_GET
@with_connection
def organization_choices(request: HttpRequest, connection: Connection) -> HttpResponse:
    """Search results for an organization chooser (htmx)."""
    rows = selectors.organization_choices(
        connection=connection, query=request.GET.get("q", "")[:200]
    )
    return render(request, "crm/_choices.html", {"rows": rows, "field": "organizations"})


# --- persons -------------------------------------------------------------------


@require_GET
@with_connection
def person_list(request: HttpRequest, connection: Connection) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    sort = selectors.PERSON_SORTING.parse(request.GET.get("sort"))
    rows = selectors.person_list(connection=connection, query=query, sort=sort)
    return _list_page(
        request, connection, rows, query, PERSONS, "crm/person_list.html",
        sorting=selectors.PERSON_SORTING, sort=sort,
    )  # fmt: skip


@require_GET
@with_connection
def person_detail(request: HttpRequest, connection: Connection, pk: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk, connection=connection)
    problem = services.person_refresh_from_provider(person=person, user=request.user).problem
    organizations = selectors.person_organizations(person=person)
    context = {
        "person": person,
        "organizations": organizations,
        "unsynced_organization_ids": selectors.unsynced_ids(person.organization_ids, organizations),
        "open_write": selectors.record_open_write(person),
        "problem": problem,
        "duplicates": duplicates_of(person),
    }
    return render(request, "crm/person_detail.html", context)


@require_http_methods(["GET", "POST"])
@with_connection
def person_create(request: HttpRequest, connection: Connection) -> HttpResponse:
    form = PersonForm(request.POST or None, choices=_organization_choices(connection))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        item = services.person_create(
            connection=connection,
            first_name=data["first_name"],
            last_name=data["last_name"],
            emails=data["emails"],
            organization_ids=data["organizations"],
            submission_key=data["submission_key"],
            user=request.user,
        )
        done = f"Person “{data['first_name']} {data['last_name']}” created in Affinity."
        if response := _after_write(request, item, form, done, "crm:person_detail"):
            return response
    return render(request, "crm/person_form.html", {"form": form, "creating": True})


@require_http_methods(["GET", "POST"])
@with_connection
def person_update(request: HttpRequest, connection: Connection, pk: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk, connection=connection, is_deleted=False)
    if blocked := _edit_blocked(request, person):
        return blocked
    problem = (
        ""
        if request.method == "POST"
        else services.person_refresh_from_provider(
            person=person, user=request.user, force=True
        ).problem
    )
    initial = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "emails": "\n".join(person.emails),
        "organizations": person.organization_ids,
        "base_emails": "\n".join(person.emails),
        "base_organization_ids": ",".join(str(i) for i in person.organization_ids),
    }
    form = PersonForm(
        request.POST or None, initial=initial, choices=_organization_choices(connection)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        item = services.person_update(
            person=person,
            first_name=data["first_name"],
            last_name=data["last_name"],
            emails=data["emails"],
            base_emails=data["base_emails"],
            organization_ids=data["organizations"],
            base_organization_ids=data["base_organization_ids"],
            submission_key=data["submission_key"],
            user=request.user,
        )
        done = f"Person “{person}” updated in Affinity."
        if response := _after_write(request, item, form, done, "crm:person_detail"):
            return response
    context = {"form": form, "person": person, "problem": problem}
    return render(request, "crm/person_form.html", context)


@require_GET
@with_connection
def person_choices(request: HttpRequest, connection: Connection) -> HttpResponse:
    """Search results for a person chooser (htmx)."""
    rows = selectors.person_choices(connection=connection, query=request.GET.get("q", "")[:200])
    return render(request, "crm/_choices.html", {"rows": rows, "field": "persons"})


# --- helpers -------------------------------------------------------------------


def _list_page(
    request, connection, rows, query, resource, template, *, sorting: Sorting, sort: Sort
) -> HttpResponse:
    page = paginate(rows, request.GET.get("page"), PER_PAGE)
    search = {"q": query} if query else {}
    if not (query or page.paginator.count):
        start_first_sync(connection=connection, resource=resource)
    sync = sync_status(connection=connection, resource=resource)
    context = {
        "page_obj": page,
        "query": query,
        "querystring": urlencode({**search, "sort": sort.value}),
        "sorting": sorting,
        "sort": sort,
        "sort_query": urlencode(search),
        "sync": sync,
        "connection": connection,
    }
    return render(request, template, context)


def _person_choices(connection: Connection) -> Callable[[list[str]], Any]:
    return lambda ids: selectors.person_choices(connection=connection, ids=ids)


def _organization_choices(connection: Connection) -> Callable[[list[str]], Any]:
    return lambda ids: selectors.organization_choices(connection=connection, ids=ids)


def _edit_blocked(request: HttpRequest, record: Organization | Person) -> HttpResponse | None:
    """A record Affinity does not have yet, or with a change on its way, can't be edited."""
    url = reverse(f"crm:{record._meta.model_name}_detail", args=[record.pk])
    if not record.remote_id:
        messages.info(request, "This record is not in Affinity yet; it can be changed once it is.")
        return redirect(url)
    if selectors.record_open_write(record):
        messages.info(
            request,
            "A change to this record is still on its way to Affinity; wait until it arrives.",
        )
        return redirect(url)
    return None


def _after_write(
    request: HttpRequest, item: OutboxItem, form: Any, done: str, detail: str
) -> HttpResponse | None:
    """Redirect to the record with a message, or None to show the form with Affinity's errors."""
    if item.status == OutboxItem.Status.FAILED:
        form.add_provider_errors(item.field_errors, _shown(request, item))
        return None
    _report(request, item, done)
    if item.record_id is None:
        return redirect("crm:organization_list")
    return redirect(detail, pk=item.record_id)


def _report(request: HttpRequest, item: OutboxItem, done: str) -> None:
    if item.status == OutboxItem.Status.DONE:
        messages.success(request, done)
    elif item.status == OutboxItem.Status.NEEDS_ATTENTION:
        messages.error(request, f"Saved, but not sent. {_shown(request, item)} See the outbox.")
    elif item.last_error:
        messages.warning(request, f"{waiting_message(item)} {_shown(request, item)}")
    else:
        messages.warning(request, waiting_message(item))


def _shown(request: HttpRequest, item: OutboxItem) -> str:
    """Why the write is not at Affinity: plain words and a reference, the detail for staff."""
    return outbox_error(item).for_user(request.user)


# --- resource descriptions (core.resources) ---------------------------------------------
# For now they name the pages for the dashboard and the duplicate links; the views
# above are still Affinity's own until they move onto core.resource_views.

AFFINITY = Service(
    name="Affinity",
    kind="CRM",
    providers=("affinity",),
    description="Add an Affinity connection with the account's API key, "
    "and its organizations and persons appear here.",
)


class OrganizationPages(ResourcePages):
    service = AFFINITY
    app, name, path = "crm", "organization", "organizations"
    model = Organization
    singular, plural = "Organization", "Organizations"
    sorting = selectors.ORGANIZATION_SORTING
    sync_resource = ORGANIZATIONS
    outbox_operations = (OrganizationCreate.name, OrganizationUpdate.name, OrganizationDelete.name)


class PersonPages(ResourcePages):
    service = AFFINITY
    app, name, path = "crm", "person", "persons"
    model = Person
    singular, plural = "Person", "Persons"
    sorting = selectors.PERSON_SORTING
    sync_resource = PERSONS
    outbox_operations = (PersonCreate.name, PersonUpdate.name)


ORGANIZATION_PAGES = OrganizationPages()
PERSON_PAGES = PersonPages()
