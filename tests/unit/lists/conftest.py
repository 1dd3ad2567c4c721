"""Records of every list, stored the way a sync stores them (the sync's own upsert)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ats.models import Candidate
from ats.sync import candidate_search_fields
from crm.links import organization_search_text, person_search_text
from crm.models import Organization, Person
from integrations.models import Connection
from integrations.sync.upsert import upsert_rows
from projects.models import Project
from projects.sync import project_search_text

START = datetime(2024, 1, 1, tzinfo=UTC)


def shown_names(html: str, attribute: str) -> list[str]:
    """The names of the rows a list page shows, in order (`attribute`: data-candidate-id…)."""
    rows = re.findall(rf'<tr {attribute}="\d+">.*?</tr>', html, re.S)
    names = [re.search(r'class="fw-semibold"[^>]*>([^<]+)<', row).group(1) for row in rows]
    return [" ".join(name.split()) for name in names]


def connection_for(provider: str) -> Connection:
    return Connection.objects.create(
        provider=provider, name=provider, base_url="https://example.invalid", api_token="secret"
    )


def synced(model: type, connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Write `rows` with the sync's upsert (remote ids from their position)."""
    stored = [
        {
            "connection": connection.pk,
            "remote_id": str(row.pop("remote_id", index)),
            "remote_created_at": START + timedelta(minutes=index),
            **row,
        }
        for index, row in enumerate(rows)
    ]
    upsert_rows(
        model, stored, update=[k for k in stored[0] if k not in ("connection", "remote_id")]
    )


def candidate_row(name: str, emails=(), phones=(), **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "emails": list(emails),
        "phones": list(phones),
        **candidate_search_fields(name, emails, phones),
        **extra,
    }


def organization_row(name: str, domains=(), **extra: Any) -> dict[str, Any]:
    domains = list(domains)
    return {
        "name": name,
        "domain": domains[0] if domains else "",
        "domains": domains,
        "search_text": organization_search_text(name, domains),
        **extra,
    }


def person_row(first: str, last: str, emails=(), **extra: Any) -> dict[str, Any]:
    emails = list(emails)
    return {
        "first_name": first,
        "last_name": last,
        "emails": emails,
        "primary_email": emails[0] if emails else "",
        "search_text": person_search_text(first, last, emails),
        **extra,
    }


def project_row(name: str, description: str = "", **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "description": description,
        "search_text": project_search_text(name, description),
        **extra,
    }


@pytest.fixture
def recruitee(db) -> Connection:
    return connection_for("recruitee")


@pytest.fixture
def affinity(db) -> Connection:
    return connection_for("affinity")


@pytest.fixture
def projecttool(db) -> Connection:
    return connection_for("projecttool")


MODELS = {
    "candidate": Candidate,
    "organization": Organization,
    "person": Person,
    "project": Project,
}
