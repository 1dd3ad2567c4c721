"""Records and input shared by the project-tool providers (the generic tool and Asana).

Provider modules turn these into their own JSON and their JSON into these.
Everything read from a provider is untrusted: it is read with
`integrations.providers.readers`. The project tools' rule there: a number
where text belongs (a name, a status) is taken as its text (`numbers=True`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from integrations.http.errors import (
    ConflictError,
    IntegrationError,
    NotFoundError,
    ValidationError,
)
from integrations.providers.readers import iso_date, text, text_id, texts

# The hub's names for the fields of a project form. A provider declares the
# subset it supports (`Provider.project_fields`); the form shows only those.
PROJECT_FIELDS = (
    "name",
    "description",
    "owner",
    "workspace",
    "team",
    "start_date",
    "end_date",
    "status",
    "priority",
    "tags",
    "template",
)


# What an edit may change (the providers that offer the field): a project stays in its
# workspace and team, and a template only shapes a new project.
UPDATABLE_PROJECT_FIELDS = (
    "name", "description", "owner", "start_date", "end_date", "status", "priority", "tags",
)  # fmt: skip


@dataclass(frozen=True)
class ProjectInput:
    """What a person asked to create, in the hub's words (ids are the provider's)."""

    name: str
    description: str = ""
    owner: str = ""
    workspace: str = ""
    team: str = ""  # Asana: required for a workspace that is an organization
    start_date: date | None = None
    end_date: date | None = None
    status: str = ""
    priority: str = ""
    tags: tuple[str, ...] = ()
    template: str = ""

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe dict (an outbox payload)."""
        return {
            "name": self.name,
            "description": self.description,
            "owner": self.owner,
            "workspace": self.workspace,
            "team": self.team,
            "start_date": self.start_date.isoformat() if self.start_date else None,
            "end_date": self.end_date.isoformat() if self.end_date else None,
            "status": self.status,
            "priority": self.priority,
            "tags": list(self.tags),
            "template": self.template,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProjectInput:
        return cls(
            name=text(data.get("name"), numbers=True),
            description=text(data.get("description"), numbers=True),
            owner=text_id(data.get("owner")),
            workspace=text_id(data.get("workspace")),
            team=text_id(data.get("team")),
            start_date=iso_date(data.get("start_date")),
            end_date=iso_date(data.get("end_date")),
            status=text(data.get("status"), numbers=True),
            priority=text(data.get("priority"), numbers=True),
            tags=texts(data.get("tags"), numbers=True),
            template=text_id(data.get("template")),
        )

    def used_fields(self) -> set[str]:
        """The fields that carry a value (to refuse what a provider cannot store)."""
        values = self.to_json()
        return {name for name, value in values.items() if value not in ("", None, [])}


@dataclass(frozen=True)
class ProjectRecord:
    id: str
    name: str
    description: str = ""
    status: str = ""
    priority: str = ""
    owner_id: str = ""
    owner_name: str = ""
    workspace_id: str = ""
    workspace_name: str = ""
    start_date: date | None = None
    end_date: date | None = None
    tags: tuple[str, ...] = ()
    url: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def created_since(self, moment: datetime | None) -> bool:
        """Made at or after `moment` (True when either is not known)."""
        return moment is None or self.created_at is None or self.created_at >= moment


@dataclass(frozen=True)
class NamedRecord:
    """A user or a workspace: what a picker needs."""

    id: str
    name: str
    email: str = ""
    is_organization: bool = False  # an Asana organization: its projects need a team
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class TeamRecord:
    """An Asana team, in the organization workspace it belongs to."""

    id: str
    name: str
    workspace_id: str
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class BulkRowError:
    message: str
    field_errors: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class BulkResult:
    """A bulk create's answer by input position: created records and refused rows."""

    created: dict[int, ProjectRecord]
    errors: dict[int, BulkRowError]


def named_record(data: dict[str, Any], *, id_key: str = "id") -> NamedRecord | None:
    record_id = text_id(data.get(id_key))
    if not record_id:
        return None
    email = text(data.get("email"))
    name = text(data.get("name"), numbers=True) or email or record_id
    return NamedRecord(id=record_id, name=name, email=email, raw=data)


def wire_id(value: str) -> int | str:
    """An id the hub keeps as text, as an integer when it is one (the generic tool's
    JSON ids are integers), else the text."""
    return int(value) if value.isascii() and value.isdigit() else value


# --- errors ---------------------------------------------------------------------------


def refusal_as_validation(error: IntegrationError, provider: Any) -> IntegrationError:
    """A 404 or 409 that names a field (an unknown workspace, a duplicate name) is a
    refusal of the data: a ValidationError with its field, so the form shows it."""
    if not isinstance(error, ConflictError | NotFoundError):
        return error
    try:
        payload = json.loads(error.body_excerpt)
    except ValueError:
        payload = None
    try:
        message, field_errors = provider.parse_error(payload)
    except Exception:  # an odd body keeps the original error
        return error
    if not field_errors and isinstance(error, NotFoundError):
        return error
    if not field_errors:
        field_errors = {"name": [message or error.message]}
    return ValidationError(
        message or error.message,
        field_errors=field_errors,
        **error.context,
    )
