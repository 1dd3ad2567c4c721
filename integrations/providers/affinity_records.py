"""Affinity v1 organizations and persons as small frozen records (affinity.md §2-3).

Every payload is untrusted and read with `integrations.providers.readers`:
a missing key, a null or a wrong type becomes an empty value, never an
exception. A record without a usable id is None. Affinity's rules there:
texts are cut at 300 characters, and lists of domains, emails and ids are
distinct values.
`person_ids` / `organization_ids` are None when the payload does not carry the
list at all (list and search results never do), so callers can tell "no
links" from "links unknown".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from integrations.providers.readers import int_id, int_ids, integer, items, mapping, text, texts

LIMIT = 300  # characters of Affinity's names, domains and emails the hub keeps


@dataclass(frozen=True)
class AffinityOrganization:
    id: int
    name: str
    domain: str
    domains: tuple[str, ...]
    is_global: bool
    person_ids: tuple[int, ...] | None
    raw: dict[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True)
class AffinityPerson:
    id: int
    first_name: str
    last_name: str
    emails: tuple[str, ...]
    primary_email: str
    organization_ids: tuple[int, ...] | None
    person_type: int  # 0 external, 1 internal (a user of the account)
    raw: dict[str, Any] = field(repr=False, compare=False)

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


def parse_organization(data: Any) -> AffinityOrganization | None:
    if not isinstance(data, dict) or (record_id := int_id(data.get("id"))) is None:
        return None
    domain = text(data.get("domain"), limit=LIMIT)
    domains = texts(data.get("domains"), limit=LIMIT, distinct=True)
    if domain and domain not in domains:
        domains = (domain, *domains)
    return AffinityOrganization(
        id=record_id,
        name=text(data.get("name"), limit=LIMIT) or f"Organization {record_id}",
        domain=domain or (domains[0] if domains else ""),
        domains=domains,
        is_global=data.get("global") is True,
        person_ids=int_ids(data["person_ids"]) if "person_ids" in data else None,
        raw=data,
    )


def parse_person(data: Any) -> AffinityPerson | None:
    if not isinstance(data, dict) or (record_id := int_id(data.get("id"))) is None:
        return None
    emails = texts(data.get("emails"), limit=LIMIT, distinct=True)
    primary = text(data.get("primary_email"), limit=LIMIT) or (emails[0] if emails else "")
    links = data.get("organization_ids")
    person_type = integer(data.get("type"))
    return AffinityPerson(
        id=record_id,
        first_name=text(data.get("first_name"), limit=LIMIT),
        last_name=text(data.get("last_name"), limit=LIMIT),
        emails=emails,
        primary_email=primary,
        organization_ids=int_ids(links) if links is not None else None,
        person_type=person_type if person_type in (0, 1) else 0,
        raw=data,
    )


def parse_list(data: Any, key: str, parse: Any) -> list[Any]:
    """The records under `key` of a list/search answer; malformed items are skipped."""
    parsed = (parse(item) for item in items(mapping(data).get(key)))
    return [record for record in parsed if record is not None]
