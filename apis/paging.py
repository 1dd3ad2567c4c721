"""Paging a generated list the API's way, so that a person can go to the next page and back.

- **Numbers** (`page` and `offset` styles): `?page=N` becomes the API's page number or
  offset (`ApiResourcePages.pagination_args`).
- **Markers** (a `cursor` style, and any list whose answer carries a `Link: <…>;
  rel="next"` header): the next page is known only from the answer, as a cursor token
  or a URL, and "Previous" needs the markers of every page before. So the hub keeps
  them in the person's session, as a trail of steps (`TRAIL`): each step is a page's
  marker, the step of the page before it and its page number, under a short id made
  from them. A page's links carry only a step's id, `?at=<id>`, so an address stays
  short however deep the paging goes (gunicorn refuses a request line past 4,094
  bytes), "Previous" is the step before, and the hub follows only tokens and URLs the
  API itself gave: an id it did not hand this session (typed, garbled, another
  person's, or an old step dropped) is the first page, with a message. The newest
  `MAX_STEPS` steps are kept, so the session stays small. (Kept in the session rather
  than the address since a trail of opaque tokens cannot be made short; rather than
  the cache since that is per process by default.) A `Link` URL is stored less the
  query parameters that carry credentials (`follow()` puts them back).
- **Local**: a list without paging is one answer, paged here with Django's `Paginator`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from integrations.openapi.pagination import next_link, next_token, without_params

if TYPE_CHECKING:
    from django.contrib.sessions.backends.base import SessionBase

    from apis.pages import ApiResourcePages

TRAIL = "apis.paging"  # the session key: {step id: step}
MAX_STEPS = 200


@dataclass(frozen=True)
class Marker:
    """Where a page starts: a cursor token to send, or a URL to follow."""

    token: str | int | None = None
    link: str | None = None


@dataclass(frozen=True)
class Position:
    """The page asked for in marker paging: its marker (None: the first page), its step
    in the trail and the step of the page before ("": the first page)."""

    marker: Marker | None = None
    step: str = ""
    previous: str = ""
    number: int = 1
    refused: bool = False  # a step was asked for that the hub did not give this session


def _list_name(pages: ApiResourcePages) -> str:
    return f"{pages.connection_row.pk}:{pages.name}"


def position(pages: ApiResourcePages, query: Any, session: SessionBase) -> Position:
    """The marker page `query` (`request.GET`) asks for; a step not in the session's
    trail for this list means page 1."""
    step_id = query.get("at", "")
    if not step_id:
        return Position()
    step = session.get(TRAIL, {}).get(step_id)
    if not isinstance(step, dict) or step.get("list") != _list_name(pages):
        return Position(refused=True)
    marker = Marker(token=step.get("token"), link=step.get("link"))
    return Position(marker, step_id, step["previous"], step["number"])


def following(
    pages: ApiResourcePages, headers: Any, data: Any, secrets: Collection[str]
) -> Marker | None:
    """The next page's marker from an answer: its `Link` `rel="next"` (less the query
    parameters `secrets` that carry credentials, which are not kept in the session),
    else (cursor style) the token the answer carries."""
    if link := next_link(headers):
        return Marker(link=without_params(link, secrets))
    style = pages.operations["list"].pagination
    if style is not None and style.style == "cursor":
        token = next_token(data, style.token_path)
        if token not in (None, ""):
            return Marker(token=token)
    return None


def marker_links(
    pages: ApiResourcePages,
    session: SessionBase,
    at: Position,
    next_marker: Marker | None,
    filters: str,
) -> tuple[str | None, str | None]:
    """The query strings of the previous and next pages (None where there is none); the
    next page's step is added to the session's trail."""
    previous = _query(filters, at.previous) if at.marker is not None else None
    after = None
    if next_marker is not None:
        after = _query(filters, _remember(pages, session, at, next_marker))
    return previous, after


def _remember(pages: ApiResourcePages, session: SessionBase, at: Position, marker: Marker) -> str:
    """The id of the step after `at` whose marker is `marker`: the same id for the same
    step, so reloading a page adds nothing."""
    value = {"link": marker.link} if marker.link else {"token": marker.token}
    step = {"list": _list_name(pages), **value, "previous": at.step, "number": at.number + 1}
    made = json.dumps(step, sort_keys=True).encode()
    step_id = hashlib.sha256(made).hexdigest()[:16]
    trail = session.get(TRAIL, {})
    if step_id not in trail:
        trail[step_id] = step
        for oldest in list(trail)[: max(0, len(trail) - MAX_STEPS)]:
            del trail[oldest]
        session[TRAIL] = trail
    return step_id


def number_link(filters: str, page: int) -> str:
    return "&".join(part for part in (filters, urlencode({"page": page})) if part)


def _query(filters: str, step: str) -> str:
    return "&".join(part for part in (filters, urlencode({"at": step}) if step else "") if part)
