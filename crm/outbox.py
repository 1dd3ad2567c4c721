"""The writes this app offers, declared for the outbox.

Affinity's PUT replaces `person_ids`, `emails` and `organization_ids`
wholesale (affinity.md §2-3). An update therefore carries what the form
showed (`base_*`) and what the person submitted; at delivery — which may be
hours later — the operation reads the record from Affinity and sends the
complete merged list, so a link added in Affinity meanwhile is not dropped.
Its other fields are optional in the PUT: an update's payload has only the
names (and domain) the person changed, and only those are sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import timedelta
from typing import Any

from crm.links import organization_fields, organization_links_set, person_fields, person_links_set
from crm.models import Organization, Person
from integrations.http.errors import NotFoundError, ValidationError
from integrations.models import OutboxItem
from integrations.models.synced import SyncStatus
from integrations.outbox.identity import Identity, IdentityRule, first_identity, normalized
from integrations.outbox.operations import OutboxOperation
from integrations.providers import affinity, affinity_lists
from integrations.providers.affinity_records import parse_organization, parse_person


def merge_list(current: list[Any], base: list[Any], submitted: list[Any]) -> list[Any]:
    """The submitted list, plus what Affinity gained since the form was shown,
    minus what Affinity dropped meanwhile and the form did not add."""
    kept = [x for x in submitted if x in current or x not in base]
    gained = [x for x in current if x not in base and x not in submitted]
    return list(dict.fromkeys([*kept, *gained]))


class _OrganizationOperation(OutboxOperation):
    record_model = "crm.Organization"

    def fields_from_remote(self, remote: dict[str, Any]) -> dict[str, Any]:
        record = parse_organization(remote)
        return organization_fields(record) if record else {}

    def on_delivered(self, item: OutboxItem, remote: dict[str, Any]) -> None:
        super().on_delivered(item, remote)
        record = parse_organization(remote)
        if record is not None and record.person_ids is not None:
            organization_links_set(
                connection_id=item.connection_id,
                organization_id=str(record.id),
                person_ids=record.person_ids,
                previous=item.payload.get("base_person_ids") or [],
            )


class OrganizationCreate(_OrganizationOperation):
    name = "affinity.organization.create"
    # Global organizations are Affinity's own data set: never a copy of the hub's create.
    identity_rules = {
        "domain": IdentityRule("domains", only={"is_global": False}),
        "name": IdentityRule("name", only={"is_global": False}),
    }
    bookkeeping_keys = frozenset({"existing_ids"})  # for reconciliation, never sent

    def send(self, client: Any, item: OutboxItem) -> dict[str, Any]:
        p = item.payload
        return affinity.organization_create(
            client, name=p["name"], domain=p.get("domain"), person_ids=p.get("person_ids", [])
        ).raw

    def find_existing(self, client: Any, item: OutboxItem) -> dict[str, Any] | None:
        """A non-global organization with this name and domain that was not there before."""
        p = item.payload
        name, domain = p["name"].casefold(), (p.get("domain") or "").casefold()
        known = {str(i) for i in p.get("existing_ids", [])}
        found = affinity.organizations_found(client, term=domain or p["name"])
        matches = [
            r
            for r in found
            if r.name.casefold() == name
            and (domain in {d.casefold() for d in r.domains} if domain else not r.domains)
            and not r.is_global
            and str(r.id) not in known
        ]
        return max(matches, key=lambda r: r.id).raw if matches else None

    def identity(self, payload: dict[str, Any]) -> Identity | None:
        """The domain when the person gave one, else the name."""
        if domain := normalized(payload.get("domain")):
            return Identity(kind="domain", value=domain)
        return first_identity("name", [payload.get("name")])


class OrganizationUpdate(_OrganizationOperation):
    name = "affinity.organization.update"
    creates_record = False

    def send(self, client: Any, item: OutboxItem) -> dict[str, Any]:
        p = item.payload
        current = affinity.organization_get(client, p["organization_id"])
        person_ids = merge_list(
            list(current.person_ids or ()), p.get("base_person_ids", []), p.get("person_ids", [])
        )
        return affinity.organization_update(
            client,
            p["organization_id"],
            person_ids=person_ids,
            name=_changed(p.get("name"), current.name, current.is_global),
            domain=_changed(p.get("domain"), current.domain, current.is_global),
        ).raw

    def find_existing(self, client: Any, item: OutboxItem) -> dict[str, Any] | None:
        return None  # PUT is idempotent, and the merge gives the same list again

    def on_rejected(self, item: OutboxItem) -> None:
        super().on_rejected(item)
        _restore_links(self.record(item), "person_ids", item.payload.get("base_person_ids"))


class OrganizationDelete(_OrganizationOperation):
    name = "affinity.organization.delete"
    creates_record = False

    def send(self, client: Any, item: OutboxItem) -> dict[str, Any]:
        organization_id = item.payload["organization_id"]
        with suppress(NotFoundError):  # already gone: what the person asked for
            affinity.organization_delete(client, organization_id)
        return {"id": organization_id}

    def find_existing(self, client: Any, item: OutboxItem) -> dict[str, Any] | None:
        try:
            affinity.organization_get(client, item.payload["organization_id"])
        except NotFoundError:
            return {"id": item.payload["organization_id"]}
        return None

    def on_delivered(self, item: OutboxItem, remote: dict[str, Any]) -> None:
        record = self.record(item)
        if record is not None:
            organization_links_set(
                connection_id=item.connection_id, organization_id=record.remote_id, person_ids=[]
            )
            Organization.objects.filter(pk=record.pk).update(
                is_deleted=True, sync_status=SyncStatus.SYNCED
            )


@contextmanager
def _email_refusals_on_emails() -> Iterator[None]:
    """Affinity's "one person per email" refusal may name no field (the v1 error body is
    undocumented, affinity.md §5): read from the error itself, its message then goes on
    the emails, where the person typed the address."""
    try:
        yield
    except ValidationError as error:
        if error.field_errors or "email" not in error.message.lower():
            raise
        raise ValidationError(
            error.message, field_errors={"emails": [error.message]}, **error.context
        ) from error


class _PersonOperation(OutboxOperation):
    record_model = "crm.Person"

    def fields_from_remote(self, remote: dict[str, Any]) -> dict[str, Any]:
        record = parse_person(remote)
        return person_fields(record) if record else {}

    def on_delivered(self, item: OutboxItem, remote: dict[str, Any]) -> None:
        super().on_delivered(item, remote)
        record = parse_person(remote)
        if record is not None and record.organization_ids is not None:
            person_links_set(
                connection_id=item.connection_id,
                person_id=str(record.id),
                organization_ids=record.organization_ids,
                previous=item.payload.get("base_organization_ids") or [],
            )


class PersonCreate(_PersonOperation):
    name = "affinity.person.create"
    identity_rules = {"email": IdentityRule("emails")}
    bookkeeping_keys = frozenset({"existing_ids"})

    def send(self, client: Any, item: OutboxItem) -> dict[str, Any]:
        p = item.payload
        with _email_refusals_on_emails():
            return affinity.person_create(
                client,
                first_name=p["first_name"],
                last_name=p["last_name"],
                emails=p.get("emails", []),
                organization_ids=p.get("organization_ids", []),
            ).raw

    def find_existing(self, client: Any, item: OutboxItem) -> dict[str, Any] | None:
        """The person with the same name and first email (one person per email in Affinity),
        not one seen before the create."""
        p = item.payload
        email = (p.get("emails") or [""])[0].casefold()
        known = {str(i) for i in p.get("existing_ids", [])}
        found = affinity.persons_found(client, term=email or p["last_name"])
        matches = [
            r
            for r in found
            if (r.first_name, r.last_name) == (p["first_name"], p["last_name"])
            and (email in {e.casefold() for e in r.emails} if email else not r.emails)
            and str(r.id) not in known
        ]
        return max(matches, key=lambda r: r.id).raw if matches else None

    def identity(self, payload: dict[str, Any]) -> Identity | None:
        """The first email the person gave (Affinity keeps one person per email)."""
        return first_identity("email", payload.get("emails") or ())


class PersonUpdate(_PersonOperation):
    name = "affinity.person.update"
    creates_record = False

    def send(self, client: Any, item: OutboxItem) -> dict[str, Any]:
        p = item.payload
        current = affinity.person_get(client, p["person_id"])
        with _email_refusals_on_emails():
            return affinity.person_update(
                client,
                p["person_id"],
                first_name=p.get("first_name"),
                last_name=p.get("last_name"),
                emails=merge_list(list(current.emails), p.get("base_emails", []), p["emails"]),
                organization_ids=merge_list(
                    list(current.organization_ids or ()),
                    p.get("base_organization_ids", []),
                    p.get("organization_ids", []),
                ),
            ).raw

    def find_existing(self, client: Any, item: OutboxItem) -> dict[str, Any] | None:
        return None  # PUT is idempotent

    def on_rejected(self, item: OutboxItem) -> None:
        super().on_rejected(item)
        _restore_links(
            self.record(item), "organization_ids", item.payload.get("base_organization_ids")
        )


class PersonDelete(_PersonOperation):
    name = "affinity.person.delete"
    creates_record = False

    def send(self, client: Any, item: OutboxItem) -> dict[str, Any]:
        person_id = item.payload["person_id"]
        with suppress(NotFoundError):  # already gone: what the person asked for
            affinity.person_delete(client, person_id)
        return {"id": person_id}

    def find_existing(self, client: Any, item: OutboxItem) -> dict[str, Any] | None:
        try:
            affinity.person_get(client, item.payload["person_id"])
        except NotFoundError:
            return {"id": item.payload["person_id"]}
        return None

    def on_delivered(self, item: OutboxItem, remote: dict[str, Any]) -> None:
        """Gone from Affinity: marked deleted, and unlinked from its organizations."""
        record = self.record(item)
        if record is not None:
            person_links_set(
                connection_id=item.connection_id, person_id=record.remote_id, organization_ids=[]
            )
            Person.objects.filter(pk=record.pk).update(
                is_deleted=True, sync_status=SyncStatus.SYNCED
            )


def _changed(value: str | None, current: str, is_global: bool) -> str | None:
    """What to send for a global organization's name or domain: nothing when unchanged
    (Affinity refuses any change to them; a real change is sent so its refusal shows)."""
    if value is None or (is_global and value == current):
        return None
    return value


def _restore_links(record: Any, field: str, base: list[Any] | None) -> None:
    """A refused update: show the links as they were before the form was sent."""
    if record is None or base is None:
        return
    ids = [str(i) for i in base]
    setattr(record, field, ids)
    if isinstance(record, Organization):
        record.persons_count = len(ids)
    record.save()


class ListEntryCreate(OutboxOperation):
    """Add an organization or person to an Affinity list (`POST /lists/{id}/list-entries`).

    The record itself does not change, so delivery, a refusal or a stuck row leave it as
    it is (the base class would rewrite it from the answer or mark it). Affinity takes the
    same entity twice, so an unknown outcome is looked up among the entity's entries (its
    detail lists them): one on this list created since the write was saved (less a minute
    of clock skew).
    """

    name = "affinity.list_entry.create"
    creates_record = False

    @property
    def action(self) -> str:
        return "update"  # of the organization or person: it joins a list

    def send(self, client: Any, item: OutboxItem) -> dict[str, Any]:
        payload = item.payload
        entry = affinity_lists.list_entry_create(
            client, list_id=payload["list_id"], entity_id=payload["entity_id"]
        )
        return entry.raw

    def find_existing(self, client: Any, item: OutboxItem) -> dict[str, Any] | None:
        since = item.created_at - timedelta(minutes=1)
        kind = "persons" if item.record_type == Person._meta.label else "organizations"
        entries = affinity_lists.entity_entries(
            client, kind=kind, entity_id=item.payload["entity_id"], list_id=item.payload["list_id"]
        )
        return next((e.raw for e in entries if e.created_at and e.created_at >= since), None)

    def on_delivered(self, item: OutboxItem, remote: dict[str, Any]) -> None:
        return None

    def on_rejected(self, item: OutboxItem) -> None:
        return None

    def on_stuck(self, item: OutboxItem) -> None:
        return None


OPERATIONS: list[type[OutboxOperation]] = [
    OrganizationCreate,
    OrganizationUpdate,
    OrganizationDelete,
    PersonCreate,
    PersonUpdate,
    PersonDelete,
    ListEntryCreate,
]
