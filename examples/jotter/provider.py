"""Jotter, `https://api.jotter.example/v1` (an EXAMPLE: a fictional notes tool).

In a real provider this is `integrations/providers/<name>.py`. The facts below
would each cite the provider's documentation (../shared/providers/<name>.md):
Bearer token; `GET /notes?page=&limit=` answers `{"data": [...], "meta":
{"currentPage", "totalPages"}}`; `POST /notes` answers 201 with the note;
errors are `{"error": {"message", "fields": {field: [messages]}}}`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from integrations.http.errors import InvalidResponseError
from integrations.providers.base import Provider, fallback_message, text_messages

if TYPE_CHECKING:
    from integrations.http.client import ApiClient


class Jotter(Provider):
    name = "jotter"
    display_name = "Jotter"
    default_base_url = "https://api.jotter.example/v1"
    auth_scheme = "bearer"
    pagination_style = "page_number"
    required = ("base_url", "api_token")
    settings_names = {"base_url": "JOTTER_API_URL", "api_token": "JOTTER_API_TOKEN"}
    sandbox_path = "/jotter"
    sandbox_credentials = {"api_token": "sandbox-jotter"}
    resources = ("notes",)

    def parse_error(self, payload: Any) -> tuple[str, dict[str, list[str]]]:
        """`{"error": {"message": ..., "fields": {"title": ["..."]}}}`; any other shape
        gives its text, never an exception."""
        error = payload.get("error") if isinstance(payload, dict) else None
        if not isinstance(error, dict):
            return fallback_message(payload), {}
        fields = error.get("fields") if isinstance(error.get("fields"), dict) else {}
        field_errors = {str(k): m for k, v in fields.items() if (m := text_messages(v))}
        return "; ".join(text_messages(error.get("message"))), field_errors

    def check_connection(self, client: ApiClient) -> None:
        client.get("/me")


PROVIDER = Jotter()


# --- Records -----------------------------------------------------------------
@dataclass(frozen=True)
class NoteRecord:
    id: str
    title: str
    body: str
    created_at: datetime | None
    updated_at: datetime | None
    raw: dict[str, Any]


@dataclass(frozen=True)
class NotePage:
    notes: list[NoteRecord]
    resume: Any  # where the next page starts (None after the last)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def parse_note(item: Any) -> NoteRecord | None:
    """A note from untrusted JSON; None without a usable id."""
    if not isinstance(item, dict) or not isinstance(item.get("id"), (int, str)):
        return None
    return NoteRecord(
        id=str(item["id"]),
        title=_text(item.get("title")),
        body=_text(item.get("body")),
        created_at=_time(item.get("created_at")),
        updated_at=_time(item.get("updated_at")),
        raw=item,
    )


# --- Endpoints ---------------------------------------------------------------
def note_pages(client: ApiClient, *, start: Any = None, page_size: int = 100) -> Iterator[NotePage]:
    """`GET /notes?page&limit`, page by page (`start`: a page's `resume`)."""
    for page in client.paginate("/notes", items_key="data", page_size=page_size, start=start):
        notes = [n for n in (parse_note(item) for item in page.items) if n is not None]
        yield NotePage(notes, page.resume)


def note_create(client: ApiClient, *, title: str, body: str) -> NoteRecord:
    """`POST /notes`; a 2xx without a usable note is an invalid answer."""
    response = client.post("/notes", json={"title": title, "body": body})
    note = parse_note(response.data)
    if note is None:
        raise InvalidResponseError(
            "the answer has no note with an id",
            provider=PROVIDER.display_name,
            method="POST",
            path=client.redact("/notes"),
        )
    return note


def note_find(client: ApiClient, *, title: str) -> NoteRecord | None:
    """The note with exactly this title, if one exists (`GET /notes?title=`)."""
    response = client.get("/notes", params={"title": title})
    items = response.data.get("data") if isinstance(response.data, dict) else None
    notes = [n for n in (parse_note(i) for i in items or []) if n is not None]
    return next((n for n in notes if n.title == title), None)
