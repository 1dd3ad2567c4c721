"""Affinity v1 organizations and persons as small frozen records (affinity.md §2-3).

Every payload is untrusted: a missing key, a null or a wrong type becomes an
empty value, never an exception. A record without a usable id is None.
`person_ids` / `organization_ids` are None when the payload does not carry the
list at all (list and search results never do), so callers can tell "no
links" from "links unknown".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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
    if not isinstance(data, dict) or (record_id := as_id(data.get("id"))) is None:
        return None
    domain = as_text(data.get("domain"))
    domains = as_texts(data.get("domains"))
    if domain and domain not in domains:
        domains = (domain, *domains)
    return AffinityOrganization(
        id=record_id,
        name=as_text(data.get("name")) or f"Organization {record_id}",
        domain=domain or (domains[0] if domains else ""),
        domains=domains,
        is_global=data.get("global") is True,
        person_ids=as_ids(data["person_ids"]) if "person_ids" in data else None,
        raw=data,
    )


def parse_person(data: Any) -> AffinityPerson | None:
    if not isinstance(data, dict) or (record_id := as_id(data.get("id"))) is None:
        return None
    emails = as_texts(data.get("emails"))
    primary = as_text(data.get("primary_email")) or (emails[0] if emails else "")
    links = data.get("organization_ids")
    person_type = data.get("type")
    return AffinityPerson(
        id=record_id,
        first_name=as_text(data.get("first_name")),
        last_name=as_text(data.get("last_name")),
        emails=emails,
        primary_email=primary,
        organization_ids=as_ids(links) if links is not None else None,
        person_type=person_type if person_type in (0, 1) else 0,
        raw=data,
    )


def parse_list(data: Any, key: str, parse: Any) -> list[Any]:
    """The records under `key` of a list/search answer; malformed items are skipped."""
    items = data.get(key) if isinstance(data, dict) else None
    records = (parse(item) for item in (items if isinstance(items, list) else []))
    return [record for record in records if record is not None]


def as_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value > 0:
        return value
    if isinstance(value, str) and value.isdigit() and len(value) < 19:
        return int(value) or None
    return None


def as_ids(value: Any) -> tuple[int, ...]:
    ids = (as_id(item) for item in (value if isinstance(value, list) else []))
    return tuple(dict.fromkeys(i for i in ids if i is not None))


def as_text(value: Any, limit: int = 300) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def as_texts(value: Any) -> tuple[str, ...]:
    texts = (as_text(item) for item in (value if isinstance(value, list) else []))
    return tuple(dict.fromkeys(t for t in texts if t))
