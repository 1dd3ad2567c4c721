"""Organization and person pages: their descriptions for `core.resource_views`, and
Affinity's rules.

Affinity's own rules: a create first looks the domain up (synced and at Affinity)
and warns of a duplicate, with "Create anyway"; global organizations (Affinity's
own dataset) keep their name and domain and cannot be deleted; a record with a
change still on its way cannot be edited; links are Affinity ids
(`person_ids`, `organization_ids`) and an edit carries the lists the form showed
(`base_*`), which the outbox merges with Affinity's at delivery; the edit page's
GET reads the record from Affinity even when it was read recently; the detail
page shows a record deleted in Affinity. Besides the described pages: the live
"Search all of Affinity", an organization read live from it, and the choosers'
htmx searches.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from core.bulk import BulkAction
from core.export import ExportColumn, field_column
from core.forms import ConfirmForm, ListFilters
from core.resource_views import connection_required, resource_permission_required
from core.resources import ListColumn, ResourcePages, Service
from core.selectors import record_open_write
from crm import selectors, services
from crm.forms import OrganizationForm, PersonForm
from crm.models import AffinityList, Organization, Person
from crm.outbox import (
    OrganizationCreate,
    OrganizationDelete,
    OrganizationUpdate,
    PersonCreate,
    PersonDelete,
    PersonUpdate,
)
from crm.sync import LISTS, ORGANIZATIONS, PERSONS
from integrations.models import Connection, OutboxItem
from integrations.outbox.service import submission_stored
from integrations.refresh import Refresh
from integrations.sync.resources import SyncedResource

AFFINITY = Service(
    name="Affinity",
    kind="CRM",
    providers=("affinity",),
    description="Add an Affinity connection with the account's API key, "
    "and its organizations and persons appear here.",
    team="Sales",
)
GLOBAL_NOT_DELETABLE = (
    "Global organizations come from Affinity's own dataset and cannot be deleted."
)


class _AffinityPages(ResourcePages):
    """What organizations and persons share: Affinity's rules for reading and editing."""

    service = AFFINITY
    app = "crm"

    def get_record(self, *, connection: Connection, pk: int) -> Organization | Person | None:
        """Deleted records too: the detail page says it is gone from Affinity."""
        return self.model._default_manager.filter(connection=connection, pk=pk).first()

    def edit_blocked(self, record: Organization | Person) -> str:
        """Not at Affinity (yet, or any more), or a change of it still on its way."""
        return self._gone(record) or super().edit_blocked(record) or self._on_its_way(record)

    def _gone(self, record: Organization | Person) -> str:
        if record.is_deleted:
            return f"This {self.singular.lower()} is no longer in Affinity."
        return ""

    def _on_its_way(self, record: Organization | Person) -> str:
        if record_open_write(record):
            return "A change to this record is still on its way to Affinity; wait until it arrives."
        return ""

    def detail_context(
        self, request: HttpRequest, *, record: Organization | Person, refresh: Refresh
    ) -> dict[str, Any]:
        return {"open_write": record_open_write(record)}

    # Which Affinity lists take this resource's records (`AffinityList.Kind`).
    list_kind: int = AffinityList.Kind.ORGANIZATION

    def first_syncs_needed(self, *, connection: Connection) -> list[SyncedResource]:
        """The lists "Add to list" offers, never synced yet."""
        return [] if AffinityList.objects.filter(connection=connection).exists() else [LISTS]

    def bulk_actions(self, *, connection: Connection) -> list[BulkAction]:
        """Besides "Delete" (where it has a delete page): "Add to list", to the synced
        Affinity lists of its kind (affinity.md §3 "List entries")."""
        actions = super().bulk_actions(connection=connection)
        lists = selectors.affinity_lists(connection=connection, kind=self.list_kind)
        if lists:
            by_pk = {str(found.pk): found for found in lists}

            def add_to_list(
                request: HttpRequest, record: Organization | Person, target: str, key: str
            ) -> OutboxItem:
                # `BulkForm` took `target` only among these lists: no lookup per row.
                return services.list_entry_add(
                    record=record, affinity_list=by_pk[target], submission_key=key,
                    user=request.user,
                )  # fmt: skip

            targets = tuple((pk, found.name) for pk, found in by_pk.items())
            actions.append(
                BulkAction(
                    "add_to_list", "Add to list", write=add_to_list,
                    blocked=self._not_listable, targets=targets, target_label="List",
                )
            )  # fmt: skip
        return actions

    def _not_listable(self, record: Organization | Person) -> str:
        return self._gone(record) or ("" if record.remote_id else "It is not in Affinity yet.")


def _loaded(count: Callable[[Any], int]) -> Callable[[Any], int | None]:
    """A count of links, empty when Affinity's list did not say and no read loaded them."""
    return lambda record: count(record) if record.links_loaded_at or count(record) else None


class OrganizationPages(_AffinityPages):
    name, path = "organization", "organizations"
    model = Organization
    singular, plural = "Organization", "Organizations"
    subtitle = "Organizations in Affinity, synced into the hub."
    pages = ("list", "create", "detail", "edit", "delete")
    list_columns = (
        ListColumn("Name", "name"), ListColumn("Domains", "domain"),
        ListColumn("Persons", "persons", "text-end"),
    )  # fmt: skip
    sorting = selectors.ORGANIZATION_SORTING
    detail_fields = ("name", "domain", "domains", "is_global", "person_ids", "remote_id")
    form_class = OrganizationForm
    sync_resource = ORGANIZATIONS
    outbox_operations = (OrganizationCreate.name, OrganizationUpdate.name, OrganizationDelete.name)

    def list_rows(self, *, connection: Connection, filters: ListFilters) -> Any:
        return selectors.organization_list(
            connection=connection, query=filters.search, sort=filters.sort
        )

    def export_columns(self, *, connection: Connection) -> list[ExportColumn]:
        return [
            field_column("Affinity id", "remote_id"),
            field_column("Name", "name"),
            field_column("Domains", "domains"),
            field_column("Global", "is_global"),
            ExportColumn("Persons", _loaded(lambda o: o.persons_count)),
        ]

    def refresh_from_provider(self, record: Organization, *, user: Any, editing: bool) -> Refresh:
        return services.organization_refresh_from_provider(
            organization=record, user=user, force=editing
        )

    def detail_context(
        self, request: HttpRequest, *, record: Organization, refresh: Refresh
    ) -> dict[str, Any]:
        persons = selectors.organization_persons(organization=record)
        return {
            **super().detail_context(request, record=record, refresh=refresh),
            "persons": persons,
            "unsynced_person_ids": selectors.unsynced_ids(record.person_ids, persons),
            "provider_url": selectors.organization_web_url(record),
        }

    def form_kwargs(self, *, connection: Connection, record: Organization | None) -> dict[str, Any]:
        is_global = record is not None and record.is_global
        return {
            "choices": _person_choices(connection),
            "is_global": is_global,
            "editing": record is not None,
        }

    def initial(self, record: Organization) -> dict[str, Any]:
        return {
            "name": record.name,
            "domain": record.domain,
            "persons": record.person_ids,
            "base_person_ids": ",".join(str(i) for i in record.person_ids),
        }

    def create(
        self, request: HttpRequest, *, connection: Connection, form: OrganizationForm
    ) -> OutboxItem | dict[str, Any]:
        """Warn of organizations that already have this domain, unless "Create anyway" (or
        the form was submitted before: the outbox answers with that write)."""
        data = form.cleaned_data
        if submission_stored(data["submission_key"]):
            duplicates = selectors.DomainMatches()
        else:
            duplicates = selectors.organization_domain_matches(
                connection=connection, domain=data["domain"], user=request.user
            )
        if duplicates.needs_confirmation and not data["create_anyway"]:
            return {"duplicates": duplicates}
        return services.organization_create(
            connection=connection,
            name=data["name"],
            domain=data["domain"],
            person_ids=data["persons"],
            existing_ids=duplicates.remote_ids,
            submission_key=data["submission_key"],
            user=request.user,
        )

    def update(
        self, request: HttpRequest, *, record: Organization, form: OrganizationForm
    ) -> OutboxItem:
        data = form.cleaned_data
        return services.organization_update(
            organization=record,
            edit=form.edit(),
            person_ids=data["persons"],
            base_person_ids=data["base_person_ids"],
            submission_key=data["submission_key"],
            user=request.user,
        )

    def written(self, *, record: Organization | None, created: bool, provider: str) -> str:
        if record is None:
            return super().written(record=record, created=created, provider=provider)
        return f"Organization “{record.name}” {'created' if created else 'updated'} in {provider}."

    def delete_blocked(self, record: Organization) -> str:
        if record.is_global:
            return GLOBAL_NOT_DELETABLE
        return self._gone(record) or super().delete_blocked(record) or self._on_its_way(record)

    def delete(
        self, request: HttpRequest, *, record: Organization, form: ConfirmForm
    ) -> OutboxItem:
        return services.organization_delete(
            organization=record,
            submission_key=form.cleaned_data["submission_key"],
            user=request.user,
        )


class PersonPages(_AffinityPages):
    name, path = "person", "persons"
    model = Person
    list_kind = AffinityList.Kind.PERSON
    singular, plural = "Person", "Persons"
    subtitle = "People in Affinity, synced into the hub."
    pages = ("list", "create", "detail", "edit", "delete")
    list_columns = (
        ListColumn("Name", "name"), ListColumn("Email", "email"),
        ListColumn("Organizations", "organizations", "text-end"),
    )  # fmt: skip
    sorting = selectors.PERSON_SORTING
    detail_fields = (
        "first_name", "last_name", "emails", "primary_email", "person_type",
        "organization_ids", "remote_id",
    )  # fmt: skip
    form_class = PersonForm
    sync_resource = PERSONS
    outbox_operations = (PersonCreate.name, PersonUpdate.name, PersonDelete.name)

    def list_rows(self, *, connection: Connection, filters: ListFilters) -> Any:
        return selectors.person_list(connection=connection, query=filters.search, sort=filters.sort)

    def export_columns(self, *, connection: Connection) -> list[ExportColumn]:
        return [
            field_column("Affinity id", "remote_id"), field_column("First name", "first_name"),
            field_column("Last name", "last_name"), field_column("Emails", "emails"),
            ExportColumn("Organizations", _loaded(lambda p: len(p.organization_ids))),
        ]  # fmt: skip

    def refresh_from_provider(self, record: Person, *, user: Any, editing: bool) -> Refresh:
        return services.person_refresh_from_provider(person=record, user=user, force=editing)

    def detail_context(
        self, request: HttpRequest, *, record: Person, refresh: Refresh
    ) -> dict[str, Any]:
        organizations = selectors.person_organizations(person=record)
        return {
            **super().detail_context(request, record=record, refresh=refresh),
            "organizations": organizations,
            "unsynced_organization_ids": selectors.unsynced_ids(
                record.organization_ids, organizations
            ),
        }

    def form_kwargs(self, *, connection: Connection, record: Person | None) -> dict[str, Any]:
        return {"choices": _organization_choices(connection), "editing": record is not None}

    def initial(self, record: Person) -> dict[str, Any]:
        return {
            "first_name": record.first_name,
            "last_name": record.last_name,
            "emails": "\n".join(record.emails),
            "organizations": record.organization_ids,
            "base_emails": "\n".join(record.emails),
            "base_organization_ids": ",".join(str(i) for i in record.organization_ids),
        }

    def create(
        self, request: HttpRequest, *, connection: Connection, form: PersonForm
    ) -> OutboxItem:
        data = form.cleaned_data
        return services.person_create(
            connection=connection,
            first_name=data["first_name"],
            last_name=data["last_name"],
            emails=data["emails"],
            organization_ids=data["organizations"],
            submission_key=data["submission_key"],
            user=request.user,
        )

    def update(self, request: HttpRequest, *, record: Person, form: PersonForm) -> OutboxItem:
        data = form.cleaned_data
        return services.person_update(
            person=record,
            edit=form.edit(),
            emails=data["emails"],
            base_emails=data["base_emails"],
            organization_ids=data["organizations"],
            base_organization_ids=data["base_organization_ids"],
            submission_key=data["submission_key"],
            user=request.user,
        )

    def written(self, *, record: Person | None, created: bool, provider: str) -> str:
        if record is None:
            return super().written(record=record, created=created, provider=provider)
        return f"Person “{record}” {'created' if created else 'updated'} in {provider}."

    def delete_blocked(self, record: Person) -> str:
        return self._gone(record) or super().delete_blocked(record) or self._on_its_way(record)

    def delete(self, request: HttpRequest, *, record: Person, form: ConfirmForm) -> OutboxItem:
        return services.person_delete(
            person=record, submission_key=form.cleaned_data["submission_key"], user=request.user
        )


ORGANIZATION_PAGES = OrganizationPages()
PERSON_PAGES = PersonPages()


def _person_choices(connection: Connection) -> Callable[[list[str]], Any]:
    return lambda ids: selectors.person_choices(connection=connection, ids=ids)


def _organization_choices(connection: Connection) -> Callable[[list[str]], Any]:
    return lambda ids: selectors.organization_choices(connection=connection, ids=ids)


# --- Affinity's own pages (routed in crm/urls.py with the resource they belong to) ------


@require_GET
@resource_permission_required("view")
@connection_required
def organization_search(
    request: HttpRequest, *, resource: ResourcePages, connection: Connection
) -> HttpResponse:
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
    context = {"resource": resource, "term": term, "result": result}
    return render(request, "crm/organization_search.html", context)


@require_GET
@resource_permission_required("view")
@connection_required
def organization_remote(
    request: HttpRequest, remote_id: int, *, resource: ResourcePages, connection: Connection
) -> HttpResponse:
    """An organization found by the live search: the synced page if there is one."""
    pk = selectors.synced_organization_pk(connection=connection, remote_id=remote_id)
    if pk:
        return redirect(resource.url_name("detail"), pk=pk)
    live = selectors.affinity_organization_fetch(
        connection=connection, remote_id=remote_id, user=request.user
    )
    context = {"record": live.record, "error": live.problem}
    return render(
        request, "crm/organization_remote.html", context, status=404 if live.missing else 200
    )


@require_GET
@resource_permission_required("view")
@connection_required
def organization_choices(
    request: HttpRequest, *, resource: ResourcePages, connection: Connection
) -> HttpResponse:
    """Search results for an organization chooser (htmx)."""
    rows = selectors.organization_choices(
        connection=connection, query=request.GET.get("q", "")[:200]
    )
    return render(request, "crm/_choices.html", {"rows": rows, "field": "organizations"})


@require_GET
@resource_permission_required("view")
@connection_required
def person_choices(
    request: HttpRequest, *, resource: ResourcePages, connection: Connection
) -> HttpResponse:
    """Search results for a person chooser (htmx)."""
    rows = selectors.person_choices(connection=connection, query=request.GET.get("q", "")[:200])
    return render(request, "crm/_choices.html", {"rows": rows, "field": "persons"})
