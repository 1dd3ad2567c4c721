"""Recruitee ATS, `https://api.recruitee.com/c/{company_id}/` (../shared/providers/recruitee.md).

Bearer personal API token. Lists page with limit/offset and carry no totals.
No rate limit or rate-limit header is documented (§5), so the client starts
unlimited and relies on 429 handling.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from integrations.http.errors import AuthenticationError, InvalidResponseError
from integrations.providers.base import (
    ConnectionConfig,
    Provider,
    WebhookSupport,
    fallback_message,
    text_messages,
)
from integrations.providers.readers import mapping, records, text, text_id, timestamp
from integrations.providers.recruitee_records import (
    CandidateRecord,
    OfferRecord,
    References,
    parse_candidate,
    parse_offer,
    parse_references,
)

if TYPE_CHECKING:
    from integrations.http.client import ApiClient


class Recruitee(Provider):
    name = "recruitee"
    display_name = "Recruitee"
    default_base_url = "https://api.recruitee.com"
    auth_scheme = "bearer"
    pagination_style = "offset"
    required = ("base_url", "company_id", "api_token")
    settings_names = {
        "base_url": "RECRUITEE_API_URL",
        "company_id": "RECRUITEE_COMPANY_ID",
        "api_token": "RECRUITEE_API_TOKEN",
    }
    sandbox_path = "/recruitee"
    sandbox_credentials = {"company_id": "1", "api_token": "sandbox-recruitee"}
    resources = ("offers", "candidates")
    # Webhooks are added by a person in Recruitee's settings; X-Recruitee-Signature is
    # hex HMAC-SHA256 of the body (third-party sources); no event id is known.
    webhooks = WebhookSupport(registration="ui", signature_header="X-Recruitee-Signature")
    # The request-level error `{"error": "Token not found.", "error_code": "invalid_token"}`
    # comes as a 400 (§4; whether a bad token is ever a 401 is unconfirmed): the token's
    # fault, not the data's.
    error_code_classes = {"invalid_token": AuthenticationError}

    def build_base_url(self, config: ConnectionConfig) -> str:
        """Every ATS path sits under `/c/{company_id}` (an id or the company subdomain)."""
        return f"{config.base_url.rstrip('/')}/c/{quote(config.company_id, safe='')}"

    def parse_error(self, payload: Any) -> tuple[str, dict[str, list[str]]]:
        """`{"error": str | [str], "error_fields": {field: [msg]}}` (recruitee.md §4)."""
        if not isinstance(payload, dict):
            return fallback_message(payload), {}
        fields_raw = payload.get("error_fields")
        field_errors: dict[str, list[str]] = {}
        for name, messages in fields_raw.items() if isinstance(fields_raw, dict) else []:
            if texts := text_messages(messages):
                field_errors.setdefault(field_name(str(name)), []).extend(texts)
        message = "; ".join(text_messages(payload.get("error")))
        if not message and field_errors:
            message = "; ".join(f"{k} {m}" for k, ms in field_errors.items() for m in ms)
        return message, field_errors

    def error_code(self, payload: Any) -> str:
        code = payload.get("error_code") if isinstance(payload, dict) else None
        return code if isinstance(code, str) else ""

    def check_connection(self, client: ApiClient) -> None:
        client.get("/offers", params={"limit": 1})


PROVIDER = Recruitee()


def field_name(name: str) -> str:
    """`candidate[emails][0]` or `candidate.emails.0` -> `emails`: Rails-style keys, flattened."""
    parts = [p for p in re.split(r"[\[\].]+", name) if p and not p.isdigit()]
    if len(parts) > 1 and parts[0] == "candidate":
        parts = parts[1:]
    return parts[0] if parts else name


# --- Endpoints ---------------------------------------------------------------
# Functions taking an ApiClient and returning records (recruitee_records).

# The writable candidate fields (recruitee.md §2c); anything else is never sent.
CANDIDATE_FIELDS = ("name", "emails", "phones", "social_links", "links", "cover_letter")
CANDIDATE_SORTS = ("by_date", "by_last_message")


@dataclass(frozen=True)
class CandidatePage:
    candidates: list[CandidateRecord]
    references: References
    resume: Any  # the offset to continue from; None after the last page


@dataclass(frozen=True)
class CandidateAnswer:
    """A single-candidate answer: `{"candidate": {...}, "references": [...]}` (§2b)."""

    candidate: CandidateRecord
    references: References


def candidate_list_params(
    *,
    created_after: datetime | None = None,
    query: str = "",
    offer_id: str = "",
    qualified: bool = False,
    disqualified: bool = False,
    sort: str = "",
) -> dict[str, str]:
    """The list filters of §2a; `created_after` goes out as UTC `yyyy-mm-ddThh:mm:ss`."""
    params: dict[str, str] = {}
    if created_after is not None:
        params["created_after"] = created_after.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    if query:
        params["query"] = query
    if offer_id:
        params["offer_id"] = str(offer_id)
    if qualified:
        params["qualified"] = "true"
    if disqualified:
        params["disqualified"] = "true"
    if sort in CANDIDATE_SORTS:
        params["sort"] = sort
    return params


def candidate_pages(
    client: ApiClient,
    *,
    page_size: int = 100,
    start: Any = None,
    read_ahead: bool = False,
    **filters: Any,
) -> Iterator[CandidatePage]:
    """Every candidate matching `filters`, a page at a time (limit/offset, no totals).

    With `read_ahead`, the next page is fetched while this one is parsed and used.
    """
    params = candidate_list_params(**filters)
    pages = client.paginate(
        "candidates",
        items_key="candidates",
        params=params,
        page_size=page_size,
        start=start,
        read_ahead=read_ahead,
    )
    for page in pages:
        records = [parse_candidate(item) for item in page.items]
        yield CandidatePage(
            candidates=[r for r in records if r is not None],
            references=parse_references(page.data),
            resume=page.resume,
        )


# Ids per `GET candidates?ids=` (no largest count is documented; a URL stays short).
IDS_PER_CALL = 100


def candidates_present(client: ApiClient, candidate_ids: Sequence[str]) -> set[str]:
    """Which of `candidate_ids` Recruitee still has: `ids` takes comma-separated ids
    (§2a). `limit` goes too: without it the list answers every candidate. Only ids asked
    for count, so an answer that ignored the filter confirms nothing."""
    present: set[str] = set()
    for start in range(0, len(candidate_ids), IDS_PER_CALL):
        batch = [str(i) for i in candidate_ids[start : start + IDS_PER_CALL]]
        params = {"ids": ",".join(batch), "limit": len(batch)}
        data = client.get("candidates", params=params).data
        listed = {text_id(item.get("id")) for item in records(mapping(data).get("candidates"))}
        present |= listed & set(batch)
    return present


def candidate_get(client: ApiClient, candidate_id: str) -> CandidateAnswer:
    path = f"candidates/{quote(str(candidate_id), safe='')}"
    return _candidate_answer(client, "GET", path, client.get(path).data)


def candidate_payload(fields: Mapping[str, Any], offer_ids: Sequence[Any] = ()) -> dict[str, Any]:
    """`{"candidate": {...}, "offers": [ids]}` (§2c): known fields only, empty ones left out."""
    candidate = {
        k: fields[k] for k in CANDIDATE_FIELDS if k in fields and fields[k] not in ("", [])
    }
    offers = [int(o) if str(o).isdigit() else o for o in offer_ids]
    return {"candidate": candidate, "offers": offers}


def candidate_create(
    client: ApiClient, *, fields: Mapping[str, Any], offer_ids: Sequence[Any] = ()
) -> CandidateAnswer:
    """`POST candidates`; any 2xx is success (201 is likely but unconfirmed, §2c)."""
    data = client.post("candidates", json=candidate_payload(fields, offer_ids)).data
    return _candidate_answer(client, "POST", "candidates", data)


def candidate_update(
    client: ApiClient, candidate_id: str, *, changes: Mapping[str, Any]
) -> CandidateAnswer:
    """`PATCH candidates/{id}` with `{"candidate": {changed fields}}` (§2d)."""
    path = f"candidates/{quote(str(candidate_id), safe='')}"
    body = {"candidate": {k: changes[k] for k in CANDIDATE_FIELDS if k in changes}}
    return _candidate_answer(client, "PATCH", path, client.patch(path, json=body).data)


def candidate_delete(client: ApiClient, candidate_id: str) -> None:
    """`DELETE candidates/{id}`; its body is unconfirmed (§2d), so it is not read."""
    client.delete(f"candidates/{quote(str(candidate_id), safe='')}")


# Notes: `POST candidates/{id}/notes` with `{"note": {"body", "visibility": {"level"}}}`
# answering `{"note": {...}}`, and `GET candidates/{id}/notes` answering `{"notes": [...]}`.
# Not in recruitee.md: from public clients (Pipedream's create-note action, which links
# the legacy API reference's `note.web.note`; pier-digital's notes list; usefulapi's tool
# descriptions). Any 2xx is accepted and the note read tolerantly.


@dataclass(frozen=True)
class NoteRecord:
    id: str
    body: str
    created_at: datetime | None
    raw: dict[str, Any]


def parse_note(data: Any) -> NoteRecord | None:
    data = mapping(data)
    note_id = text_id(data.get("id"))
    if not note_id:
        return None
    return NoteRecord(note_id, text(data.get("body")), timestamp(data.get("created_at")), data)


def candidate_note_list(client: ApiClient, candidate_id: str) -> list[NoteRecord]:
    """A candidate's notes, as Recruitee lists them."""
    data = client.get(f"candidates/{quote(str(candidate_id), safe='')}/notes").data
    return [n for n in map(parse_note, records(mapping(data).get("notes"))) if n is not None]


def candidate_note_create(client: ApiClient, candidate_id: str, body: str) -> NoteRecord:
    """Add a note the whole team sees (`visibility.level` "public") to a candidate."""
    path = f"candidates/{quote(str(candidate_id), safe='')}/notes"
    payload = {"note": {"body": body, "visibility": {"level": "public"}}}
    note = parse_note(mapping(client.post(path, json=payload).data).get("note"))
    if note is None:
        raise _invalid(client, "POST", path, "the answer has no note with an id")
    return note


def offer_list(client: ApiClient) -> list[OfferRecord]:
    """`GET offers`: every offer in one answer (limit/offset for offers is unconfirmed, §3)."""
    data = client.get("offers").data
    items = data.get("offers") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise _invalid(client, "GET", "offers", "the answer has no offers list")
    return [r for r in map(parse_offer, items) if r is not None]


def offer_get(client: ApiClient, offer_id: str) -> OfferRecord:
    path = f"offers/{quote(str(offer_id), safe='')}"
    data = client.get(path).data
    record = parse_offer(mapping(data).get("offer"))
    if record is None:
        raise _invalid(client, "GET", path, "the answer has no offer")
    return record


def _candidate_answer(client: ApiClient, method: str, path: str, data: Any) -> CandidateAnswer:
    record = parse_candidate(mapping(data).get("candidate"))
    if record is None:
        raise _invalid(client, method, path, "the answer has no candidate with an id")
    return CandidateAnswer(record, parse_references(data))


def _invalid(client: ApiClient, method: str, path: str, problem: str) -> InvalidResponseError:
    shown = f"{urlsplit(client.base_url).path}/{path}"
    return InvalidResponseError(
        problem, provider=PROVIDER.display_name, method=method, path=client.redact(shown)
    )
