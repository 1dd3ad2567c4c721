"""Synced records and outbox creates, made the way a sync and a delivery leave them."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from ats.models import Candidate
from ats.sync import candidate_search_fields
from crm.links import organization_search_text, person_search_text
from crm.models import Organization, Person
from integrations.models import Connection, OutboxItem
from projects.models import Project
from projects.sync import project_search_text


def _connection(provider: str, name: str = "test") -> Connection:
    return Connection.objects.create(
        provider=provider, name=name, base_url="https://example.invalid", api_token="secret"
    )


@pytest.fixture
def recruitee(db) -> Connection:
    return _connection("recruitee")


@pytest.fixture
def other_recruitee(db) -> Connection:
    return _connection("recruitee", name="other")


@pytest.fixture
def affinity(db) -> Connection:
    return _connection("affinity")


@pytest.fixture
def projecttool(db) -> Connection:
    return _connection("projecttool")


def _remote_id() -> str:
    return str(uuid.uuid4().int % 10**9)


@pytest.fixture
def candidate() -> Callable[..., Candidate]:
    def make(connection: Connection, name: str, emails: list[str], **extra: Any) -> Candidate:
        return Candidate.objects.create(
            connection=connection,
            remote_id=extra.pop("remote_id", _remote_id()),
            name=name,
            emails=emails,
            **candidate_search_fields(name, emails),
            **extra,
        )

    return make


@pytest.fixture
def person() -> Callable[..., Person]:
    def make(connection: Connection, first: str, last: str, emails: list[str]) -> Person:
        return Person.objects.create(
            connection=connection,
            remote_id=_remote_id(),
            first_name=first,
            last_name=last,
            emails=emails,
            primary_email=emails[0] if emails else "",
            search_text=person_search_text(first, last, emails),
        )

    return make


@pytest.fixture
def organization() -> Callable[..., Organization]:
    def make(connection: Connection, name: str, domains: list[str], **extra: Any) -> Organization:
        return Organization.objects.create(
            connection=connection,
            remote_id=_remote_id(),
            name=name,
            domain=domains[0] if domains else "",
            domains=domains,
            search_text=organization_search_text(name, domains),
            **extra,
        )

    return make


@pytest.fixture
def project() -> Callable[..., Project]:
    def make(connection: Connection, name: str, workspace: str = "") -> Project:
        return Project.objects.create(
            connection=connection,
            remote_id=_remote_id(),
            name=name,
            workspace_remote_id=workspace,
            search_text=project_search_text(name, ""),
        )

    return make


@pytest.fixture
def create_write() -> Callable[..., OutboxItem]:
    """A create the outbox delivered ("done"), with the payload the app's form stores."""

    def make(
        connection: Connection, operation: str, payload: dict[str, Any], **extra: Any
    ) -> OutboxItem:
        return OutboxItem.objects.create(
            connection=connection,
            operation=operation,
            payload=payload,
            summary=extra.pop("summary", "Create"),
            submission_key=uuid.uuid4().hex,
            status=extra.pop("status", OutboxItem.Status.DONE),
            **extra,
        )

    return make


def candidate_payload(name: str, *emails: str) -> dict[str, Any]:
    return {"candidate": {"name": name, "emails": list(emails)}, "offers": []}
