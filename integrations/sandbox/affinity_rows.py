"""How Affinity organizations and persons are stored, and the writes' validation.

Memberships (which persons belong to which organizations) live in their own
table, so PUT can replace either side wholesale; emails have a unique table,
so "one person per email" holds under concurrent writes.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from integrations.sandbox.store import dumps, next_id
from integrations.sandbox.values import is_email, string_list


class ValidationError(Exception):
    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


def linked_ids(conn: sqlite3.Connection, want: str, have: str, record_id: int) -> list[int]:
    rows = conn.execute(
        f"SELECT {want} FROM affinity_memberships WHERE {have} = ? ORDER BY {want}",  # noqa: S608
        (record_id,),
    )
    return [row[0] for row in rows]


def _ids(value: object, param: str) -> list[int]:
    values = [value] if isinstance(value, str | int) else value
    if not isinstance(values, list) or not all(str(item).isdigit() for item in values):
        raise ValidationError(f"{param} must be an array of integers", param)
    return list(dict.fromkeys(int(item) for item in values))


def _check_exist(conn: sqlite3.Connection, table: str, ids: list[int], param: str) -> None:
    for record_id in ids:
        if not conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (record_id,)).fetchone():  # noqa: S608
            raise ValidationError(f"{param} contains an unknown id: {record_id}", param)


def _set_persons(conn: sqlite3.Connection, org_id: int, person_ids: list[int]) -> None:
    """Replace an organization's persons wholesale (PUT semantics)."""
    _check_exist(conn, "affinity_persons", person_ids, "person_ids")
    conn.execute("DELETE FROM affinity_memberships WHERE organization_id = ?", (org_id,))
    conn.executemany(
        "INSERT INTO affinity_memberships VALUES (?, ?)", [(org_id, p) for p in person_ids]
    )


def _set_organizations(conn: sqlite3.Connection, person_id: int, org_ids: list[int]) -> None:
    """Replace a person's organizations wholesale (PUT semantics)."""
    _check_exist(conn, "affinity_organizations", org_ids, "organization_ids")
    conn.execute("DELETE FROM affinity_memberships WHERE person_id = ?", (person_id,))
    conn.executemany(
        "INSERT INTO affinity_memberships VALUES (?, ?)", [(o, person_id) for o in org_ids]
    )


def write_organization(
    conn: sqlite3.Connection, org: dict[str, Any], body: dict[str, Any]
) -> dict[str, Any]:
    creating = not org
    name, domain = body.get("name", org.get("name")), body.get("domain", org.get("domain"))
    if not isinstance(name, str) or not name.strip():
        raise ValidationError("name is required", "name")
    if domain is not None and not isinstance(domain, str):
        raise ValidationError("domain must be a string", "domain")
    domain = domain or None
    if org.get("global") and (name != org["name"] or domain != org["domain"]):
        raise ValidationError("Cannot change the name or domain of a global organization", "name")
    org = {
        "id": org.get("id") or next_id(conn, "affinity_organizations"),
        "name": name,
        "domain": domain,
        "domains": [domain] if domain else [],
        "global": org.get("global", False),
    }
    save_organization(conn, org)
    if creating or "person_ids" in body:
        _set_persons(conn, org["id"], _ids(body.get("person_ids", []), "person_ids"))
    return org


def write_person(
    conn: sqlite3.Connection, person: dict[str, Any], body: dict[str, Any]
) -> dict[str, Any]:
    creating = not person
    for field in ("first_name", "last_name"):
        value = body.get(field, person.get(field))
        if not isinstance(value, str) or not value.strip():
            raise ValidationError(f"{field} is required", field)
    emails = body.get("emails", person.get("emails"))
    emails = [emails] if isinstance(emails, str) else emails  # a single form value
    if string_list(emails) is None:
        raise ValidationError("emails is required (it may be an empty array)", "emails")
    for email in emails:
        if not is_email(email):
            raise ValidationError(f"{email} is not a valid email address", "emails")
    person_id = person.get("id") or next_id(conn, "affinity_persons")
    for email in emails:
        owner = conn.execute(
            "SELECT person_id FROM affinity_person_emails WHERE email = ?", (email.lower(),)
        ).fetchone()
        if owner and owner[0] != person_id:
            # Only one person per email; the wording and status are UNCONFIRMED.
            raise ValidationError(f"A person with the email {email} already exists", "emails")
    person = {
        "id": person_id,
        "type": person.get("type", 0),
        "first_name": body.get("first_name", person.get("first_name")),
        "last_name": body.get("last_name", person.get("last_name")),
        "primary_email": emails[0] if emails else None,
        "emails": emails,
    }
    save_person(conn, person)
    if creating or "organization_ids" in body:
        org_ids = _ids(body.get("organization_ids", []), "organization_ids")
        _set_organizations(conn, person_id, org_ids)
    return person


def organization_row(org: dict[str, Any]) -> tuple[Any, ...]:
    return (org["id"], f"{org['name']} {' '.join(org['domains'])}".lower(), dumps(org))


def person_row(person: dict[str, Any]) -> tuple[Any, ...]:
    search = " ".join([person["first_name"], person["last_name"], *person["emails"]]).lower()
    return (person["id"], search, dumps(person))


def save_organization(conn: sqlite3.Connection, org: dict[str, Any]) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO affinity_organizations VALUES (?, ?, ?)", organization_row(org)
    )


def save_person(conn: sqlite3.Connection, person: dict[str, Any]) -> None:
    conn.execute("INSERT OR REPLACE INTO affinity_persons VALUES (?, ?, ?)", person_row(person))
    conn.execute("DELETE FROM affinity_person_emails WHERE person_id = ?", (person["id"],))
    conn.executemany(
        "INSERT INTO affinity_person_emails VALUES (?, ?)",
        [(email.lower(), person["id"]) for email in person["emails"]],
    )
