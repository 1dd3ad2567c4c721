"""Writes to Affinity organizations and persons, through the outbox.

Each write saves the local record at once (marked pending) together with its
outbox row, then tries to deliver it inside the request. Views read the
returned `OutboxItem` to know what happened.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from django.core.cache import cache
from django.utils import timezone

from core.forms import Edit
from crm.links import (
    organization_fields,
    organization_links_set,
    organization_search_text,
    person_fields,
    person_links_set,
    person_search_text,
)
from crm.models import AffinityList, Organization, Person
from crm.outbox import merge_list
from integrations.http.client import ApiClient
from integrations.http.errors import (
    ConfigurationError,
    IntegrationError,
    NotFoundError,
    RateLimitedError,
)
from integrations.live_budget import LiveBudgetSpentError, page_client
from integrations.models import Connection, OutboxItem
from integrations.models.synced import SyncStatus
from integrations.outbox.service import outbox_write
from integrations.providers import affinity
from integrations.providers.affinity_records import AffinityOrganization, AffinityPerson
from integrations.refresh import Refresh
from integrations.shown_errors import live_read_error

# What Affinity answers for an organization or a person.
RemoteRecord = TypeVar("RemoteRecord", AffinityOrganization, AffinityPerson)

# A detail page reads the record from Affinity again at most this often.
REFRESH_AFTER = timedelta(minutes=2)


def organization_create(
    *,
    connection: Connection,
    name: str,
    domain: str,
    person_ids: list[str],
    existing_ids: list[str],
    submission_key: str,
    user: Any = None,
) -> OutboxItem:
    """`existing_ids`: organizations with this domain seen before creating (for reconciliation);
    without a domain, the synced ones of this name and no domain, which the lookup by name
    would take for the create otherwise."""
    if not domain:
        existing_ids = [*existing_ids, *_namesakes_without_domain(connection, name)]

    def save() -> Organization:
        return Organization.objects.create(
            connection=connection,
            sync_status=SyncStatus.PENDING,
            name=name,
            domain=domain,
            domains=[domain] if domain else [],
            person_ids=person_ids,
            persons_count=len(person_ids),
            search_text=organization_search_text(name, [domain] if domain else []),
        )

    payload = {
        "name": name,
        "domain": domain or None,
        "person_ids": [int(p) for p in person_ids],
        "existing_ids": existing_ids,
    }
    return outbox_write(
        connection=connection,
        operation="affinity.organization.create",
        payload=payload,
        submission_key=submission_key,
        summary=f"Create organization {name}",
        save_record=save,
        user=user,
    )


def _namesakes_without_domain(connection: Connection, name: str) -> list[str]:
    """Remote ids of the synced organizations named `name` (any case) that have no domain."""
    namesakes = Organization.objects.filter(
        connection=connection, name__iexact=name, is_deleted=False
    ).exclude(remote_id="")
    return [o.remote_id for o in namesakes.only("remote_id", "domains") if not o.domains]


def _person_namesakes_without_email(connection: Connection, first: str, last: str) -> list[str]:
    """Remote ids of the synced persons named `first` `last` that have no email."""
    namesakes = Person.objects.filter(
        connection=connection, first_name=first, last_name=last, is_deleted=False
    ).exclude(remote_id="")
    return [p.remote_id for p in namesakes.only("remote_id", "emails") if not p.emails]


def organization_update(
    *,
    organization: Organization,
    edit: Edit,
    person_ids: list[str],
    base_person_ids: list[str],
    submission_key: str,
    user: Any = None,
) -> OutboxItem:
    """Save the edit over the organization as stored now: the name and domain only where
    the person changed them (`Edit.merged`; `EditConflict` when someone else changed the
    same one meanwhile), and send those alone, as Affinity's PUT allows (affinity.md §2);
    the persons merged over the stored ones as delivery merges them (`merge_list`).
    A global organization keeps its name and domain."""

    def save() -> Organization:
        changes = {} if organization.is_global else edit.merged(_values(organization, edit))
        name = changes.get("name", organization.name)
        domain = changes.get("domain", organization.domain)
        organization.name, organization.domain = name, domain
        organization.domains = [domain, *organization.other_domains] if domain else []
        merged_ids = merge_list(organization.person_ids, base_person_ids, person_ids)
        organization.person_ids, organization.persons_count = merged_ids, len(merged_ids)
        organization.search_text = organization_search_text(name, organization.domains)
        organization.sync_status = SyncStatus.PENDING
        organization.save()
        return organization

    payload: dict[str, Any] = {
        "organization_id": organization.remote_id,
        "person_ids": [int(p) for p in person_ids],
        "base_person_ids": [int(p) for p in base_person_ids],
    }
    if not organization.is_global:
        payload.update({name: edit.mine[name] for name in edit.changed})
    return outbox_write(
        connection=organization.connection,
        operation="affinity.organization.update",
        payload=payload,
        submission_key=submission_key,
        summary=f"Update organization {edit.mine.get('name', organization.name)}",
        save_record=save,
        user=user,
        record=organization,
    )


def organization_delete(
    *, organization: Organization, submission_key: str, user: Any = None
) -> OutboxItem:
    def save() -> Organization:
        organization.sync_status = SyncStatus.PENDING
        organization.save(update_fields=["sync_status"])
        return organization

    payload = {"organization_id": organization.remote_id}
    return outbox_write(
        connection=organization.connection,
        operation="affinity.organization.delete",
        payload=payload,
        submission_key=submission_key,
        summary=f"Delete organization {organization.name}",
        save_record=save,
        user=user,
        record=organization,
    )


def person_delete(*, person: Person, submission_key: str, user: Any = None) -> OutboxItem:
    def save() -> Person:
        person.sync_status = SyncStatus.PENDING
        person.save(update_fields=["sync_status"])
        return person

    return outbox_write(
        connection=person.connection,
        operation="affinity.person.delete",
        payload={"person_id": person.remote_id},
        submission_key=submission_key,
        summary=f"Delete person {person}",
        save_record=save,
        user=user,
    )


def person_create(
    *,
    connection: Connection,
    first_name: str,
    last_name: str,
    emails: list[str],
    organization_ids: list[str],
    submission_key: str,
    user: Any = None,
) -> OutboxItem:
    def save() -> Person:
        return Person.objects.create(
            connection=connection,
            sync_status=SyncStatus.PENDING,
            first_name=first_name,
            last_name=last_name,
            emails=emails,
            primary_email=emails[0] if emails else "",
            organization_ids=organization_ids,
            search_text=person_search_text(first_name, last_name, emails),
        )

    payload = {
        "first_name": first_name,
        "last_name": last_name,
        "emails": emails,
        "organization_ids": [int(o) for o in organization_ids],
        # Without an email the lookup goes by the name: the synced namesakes without one
        # were there before, and are not the create's.
        "existing_ids": []
        if emails
        else _person_namesakes_without_email(connection, first_name, last_name),
    }
    return outbox_write(
        connection=connection,
        operation="affinity.person.create",
        payload=payload,
        submission_key=submission_key,
        summary=f"Create person {first_name} {last_name}",
        save_record=save,
        user=user,
    )


def person_update(
    *,
    person: Person,
    edit: Edit,
    emails: list[str],
    base_emails: list[str],
    organization_ids: list[str],
    base_organization_ids: list[str],
    submission_key: str,
    user: Any = None,
) -> OutboxItem:
    """Save the edit over the person as stored now: the names only where the person
    changed them (`Edit.merged`; `EditConflict` when someone else changed the same one
    meanwhile), and send those alone, as Affinity's PUT allows (affinity.md §3); the emails
    and organizations merged over the stored ones as delivery merges them (`merge_list`)."""

    def save() -> Person:
        changes = edit.merged(_values(person, edit))
        person.first_name = changes.get("first_name", person.first_name)
        person.last_name = changes.get("last_name", person.last_name)
        merged_emails = merge_list(person.emails, base_emails, emails)
        person.emails, person.primary_email = (
            merged_emails,
            merged_emails[0] if merged_emails else "",
        )
        person.organization_ids = merge_list(
            person.organization_ids, base_organization_ids, organization_ids
        )
        person.search_text = person_search_text(person.first_name, person.last_name, merged_emails)
        person.sync_status = SyncStatus.PENDING
        person.save()
        return person

    payload = {
        "person_id": person.remote_id,
        **{name: edit.mine[name] for name in edit.changed},
        "emails": emails,
        "base_emails": base_emails,
        "organization_ids": [int(o) for o in organization_ids],
        "base_organization_ids": [int(o) for o in base_organization_ids],
    }
    first, last = (edit.mine.get(n, getattr(person, n)) for n in ("first_name", "last_name"))
    return outbox_write(
        connection=person.connection,
        operation="affinity.person.update",
        payload=payload,
        submission_key=submission_key,
        summary=f"Update person {first} {last}",
        save_record=save,
        user=user,
        record=person,
    )


def organization_refresh_from_provider(
    *, organization: Organization, user: Any, force: bool = False
) -> Refresh:
    """Rewrite the local organization and its persons from Affinity: `_refresh_from_affinity`."""

    def save(record: AffinityOrganization) -> None:
        _apply_remote(organization, organization_fields(record), record.raw)
        if record.person_ids is not None:
            organization_links_set(
                connection_id=organization.connection_id,
                organization_id=organization.remote_id,
                person_ids=record.person_ids,
            )

    return _refresh_from_affinity(
        organization, read=affinity.organization_get, save=save, user=user, force=force
    )


def person_refresh_from_provider(*, person: Person, user: Any, force: bool = False) -> Refresh:
    """Rewrite the local person and its organizations from Affinity: `_refresh_from_affinity`."""

    def save(record: AffinityPerson) -> None:
        _apply_remote(person, person_fields(record), record.raw)
        if record.organization_ids is not None:
            person_links_set(
                connection_id=person.connection_id,
                person_id=person.remote_id,
                organization_ids=record.organization_ids,
            )

    return _refresh_from_affinity(
        person, read=affinity.person_get, save=save, user=user, force=force
    )


SUBDOMAIN_CACHE_SECONDS = 7 * 24 * 3600  # an account's subdomain does not change


def subdomain_cache_key(connection_id: int) -> str:
    return f"crm:affinity-subdomain:{connection_id}"


def affinity_subdomain_refresh(*, connection: Connection, client: Any) -> str:
    """Read the account's subdomain (`GET /auth/whoami`, not counted against the monthly
    limit) and keep it for the record pages' "Open in Affinity" links. Called after each
    organizations sync, in the background."""
    subdomain = affinity.tenant_subdomain(client)
    cache.set(subdomain_cache_key(connection.pk), subdomain, SUBDOMAIN_CACHE_SECONDS)
    return subdomain


def affinity_error_message(error: Exception, *, user: Any) -> str:
    """What `user` reads when a live Affinity call failed: the hub's words; staff the detail."""
    if isinstance(error, LiveBudgetSpentError):
        return error.message
    if isinstance(error, affinity.MonthlyLimitError):
        return f"Affinity refused the call: {error.message}."
    if isinstance(error, RateLimitedError):
        when = error.retry_at.strftime("%H:%M:%S UTC") if error.retry_at else "in a minute"
        return f"Affinity's per-minute request limit is reached; try again after {when}."
    if isinstance(error, ConfigurationError):
        plain = "The Affinity connection cannot be used; staff can check it in the admin."
        return live_read_error(plain, error, user=user)
    return live_read_error("Affinity could not answer.", error, user=user)


# --- helpers -----------------------------------------------------------------


def _refresh_from_affinity(
    local: Organization | Person,
    *,
    read: Callable[[ApiClient, str], RemoteRecord],
    save: Callable[[RemoteRecord], None],
    user: Any,
    force: bool,
) -> Refresh:
    """`read` the record from Affinity, `save` its answer into `local` (fields and links).

    Not fresh with no problem when nothing was asked (not at Affinity yet, a change on
    its way, deleted, or links read recently: `force` asks anyway);
    not fresh with the problem when Affinity could not be read.

    The read spends one of `user`'s live calls (`integrations.live_budget`).
    """
    if not _refreshable(local, force):
        return Refresh(fresh=False)
    try:
        client = page_client(local.connection, user=user)
        record = read(client, local.remote_id)
    except NotFoundError:
        _mark_deleted(local)
        noun = local._meta.verbose_name
        return Refresh(fresh=False, problem=f"This {noun} no longer exists in Affinity.")
    except (IntegrationError, ConfigurationError) as error:
        return Refresh(fresh=False, problem=affinity_error_message(error, user=user))
    save(record)
    local.refresh_from_db()
    return Refresh(fresh=True)


def _values(record: Organization | Person, edit: Edit) -> dict[str, Any]:
    """The edited fields' values of `record` as stored now."""
    return {name: getattr(record, name) for name in edit.mine}


def _refreshable(record: Organization | Person, force: bool) -> bool:
    if not record.remote_id or record.sync_status == SyncStatus.PENDING or record.is_deleted:
        return False
    fresh = record.links_loaded_at and record.links_loaded_at > timezone.now() - REFRESH_AFTER
    return force or not fresh


def _apply_remote(record: Organization | Person, fields: dict[str, Any], raw: dict) -> None:
    for name, value in fields.items():
        setattr(record, name, value)
    record.raw, record.synced_at = raw, timezone.now()
    record.sync_status = SyncStatus.SYNCED
    record.save(update_fields=[*fields, "raw", "synced_at", "sync_status"])


def _mark_deleted(record: Organization | Person) -> None:
    record.is_deleted = True
    record.save(update_fields=["is_deleted"])


def list_entry_add(
    *, record: Organization | Person, affinity_list: AffinityList, submission_key: str, user: Any
) -> OutboxItem:
    """Add the organization or person to an Affinity list, through the outbox. Nothing
    local changes; the audit trail says which list it joined."""
    return outbox_write(
        connection=record.connection,
        operation="affinity.list_entry.create",
        payload={
            "list_id": affinity_list.remote_id,
            "entity_id": record.remote_id,
            "list_name": affinity_list.name,
        },
        submission_key=submission_key,
        summary=f"Add {record} to the list {affinity_list.name}",
        save_record=lambda: record,
        user=user,
        changes=[{"field": "lists", "old": None, "new": f"added to {affinity_list.name}"}],
    )
