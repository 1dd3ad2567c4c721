"""Provider records -> model fields, and the organization <-> person links.

Affinity's list and search answers carry neither `person_ids` nor
`organization_ids` (affinity.md §2-3), so a sync cannot keep the links. They
come from the answers that do carry them: GET by id (detail and edit pages
refresh), the answers to the hub's own writes, and any person payload that
includes `organization_ids`. Each side keeps a list of remote ids; setting one
side's list also fixes the other side for every record it added or dropped.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from core.search import search_document
from crm.models import Organization, Person
from integrations.providers.affinity_records import AffinityOrganization, AffinityPerson


def organization_search_text(name: str, domains: Iterable[str]) -> str:
    """What the organization list's search matches (`core.search`): the name and every domain."""
    return search_document(name, *domains)


def person_search_text(first_name: str, last_name: str, emails: Iterable[str]) -> str:
    """What the person list's search matches (`core.search`): both names and every email."""
    return search_document(first_name, last_name, *emails)


def organization_fields(record: AffinityOrganization) -> dict[str, object]:
    """The columns a sync owns (links excluded: list answers don't carry them)."""
    return {
        "name": record.name,
        "domain": record.domain[:253],
        "domains": list(record.domains),
        "is_global": record.is_global,
        "search_text": organization_search_text(record.name, record.domains),
    }


def person_fields(record: AffinityPerson) -> dict[str, object]:
    return {
        "first_name": record.first_name[:200],
        "last_name": record.last_name[:200],
        "emails": list(record.emails),
        "primary_email": record.primary_email[:320],
        "person_type": record.person_type,
        "search_text": person_search_text(record.first_name, record.last_name, record.emails),
    }


def organization_links_set(
    *,
    connection_id: int,
    organization_id: str,
    person_ids: Iterable[int | str],
    previous: Iterable[int | str] = (),
) -> None:
    """The organization's complete person list, as Affinity just said it.

    `previous`: more ids it may have had (what an edit form showed), to unlink.
    """
    new = list(dict.fromkeys(str(p) for p in person_ids))
    org = Organization.objects.filter(connection_id=connection_id, remote_id=organization_id)
    org = org.first()
    old = [*(org.person_ids if org else []), *(str(p) for p in previous)]
    if org:
        org.person_ids, org.persons_count = new, len(new)
        org.links_loaded_at = timezone.now()
        org.save(update_fields=["person_ids", "persons_count", "links_loaded_at"])
    _fix_other_side(Person, connection_id, organization_id, old, new, "organization_ids")


def person_links_set(
    *,
    connection_id: int,
    person_id: str,
    organization_ids: Iterable[int | str],
    previous: Iterable[int | str] = (),
) -> None:
    """The person's complete organization list, as Affinity just said it."""
    new = list(dict.fromkeys(str(o) for o in organization_ids))
    person = Person.objects.filter(connection_id=connection_id, remote_id=person_id).first()
    old = [*(person.organization_ids if person else []), *(str(o) for o in previous)]
    if person:
        person.organization_ids = new
        person.links_loaded_at = timezone.now()
        person.save(update_fields=["organization_ids", "links_loaded_at"])
    _fix_other_side(Organization, connection_id, person_id, old, new, "person_ids")


def _fix_other_side(
    model: type[Organization] | type[Person],
    connection_id: int,
    remote_id: str,
    old: list[str],
    new: list[str],
    list_field: str,
) -> None:
    changed = []
    for other in model.objects.filter(connection_id=connection_id, remote_id__in={*old, *new}):
        ids = [i for i in getattr(other, list_field) if i != remote_id]
        if other.remote_id in new:
            ids.append(remote_id)
        if ids != getattr(other, list_field):
            setattr(other, list_field, ids)
            if isinstance(other, Organization):
                other.persons_count = len(ids)
            changed.append(other)
    fields = [list_field, "persons_count"] if model is Organization else [list_field]
    model.objects.bulk_update(changed, fields, batch_size=500)
