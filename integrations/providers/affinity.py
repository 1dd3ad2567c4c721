"""Affinity CRM, `https://api.affinity.co` (../shared/providers/affinity.md).

v1: HTTP Basic with an empty username and the API key as the password;
lists page with `page_token`. v2 (read-only companies/persons) pages with
`pagination.nextUrl`. Every response carries per-user (900/min) and monthly
per-account limit headers (§6); a spent monthly limit blocks the connection
until its reset instead of being retried.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from integrations.http.errors import InvalidResponseError, RateLimitedError
from integrations.http.ratelimit import RateLimit, RateLimitWindow
from integrations.providers.affinity_records import (
    AffinityOrganization,
    AffinityPerson,
    parse_list,
    parse_organization,
    parse_person,
)
from integrations.providers.base import (
    Provider,
    WebhookSupport,
    fallback_message,
    text_messages,
)
from integrations.providers.readers import mapping, text
from integrations.providers.record_page import RecordPage

if TYPE_CHECKING:
    from integrations.http.client import ApiClient


class Affinity(Provider):
    name = "affinity"
    display_name = "Affinity"
    default_base_url = "https://api.affinity.co"
    auth_scheme = "basic_key"
    pagination_style = "page_token"
    rate_limit = RateLimit(900, 60.0)
    rate_limit_windows = (
        RateLimitWindow(
            "X-Ratelimit-Limit-User",
            "X-Ratelimit-Limit-User-Remaining",
            "X-Ratelimit-Limit-User-Reset",
        ),
        RateLimitWindow(
            "X-Ratelimit-Limit-Org",
            "X-Ratelimit-Limit-Org-Remaining",
            "X-Ratelimit-Limit-Org-Reset",
            kind="quota",
        ),
    )
    required = ("base_url", "api_token")
    settings_names = {"base_url": "AFFINITY_API_URL", "api_token": "AFFINITY_API_KEY"}
    sandbox_path = "/affinity"
    sandbox_credentials = {"api_token": "sandbox-affinity"}
    resources = ("organizations", "persons", "lists")
    # v1 `POST /webhook/subscribe`; deliveries carry no signature and no event id.
    # `sent_at` is the only defence against a replay: the SDK's 300 s window.
    webhooks = WebhookSupport(registration="api", replay_window_seconds=300)

    def parse_error(self, payload: Any) -> tuple[str, dict[str, list[str]]]:
        """The v1 error body is undocumented (§5): accept every shape seen in clients.

        `{"errors": [{"message", "param"}]}` (also v2), `{"errors": ["..."]}`,
        `{"message": ...}`, `{"detail": ...}`, `{"error": "..." | {"message"}}`,
        a top-level list, or an empty body.
        """
        if isinstance(payload, list):
            return "; ".join(text_messages(payload)), {}
        if not isinstance(payload, dict):
            return fallback_message(payload), {}
        errors = payload.get("errors")
        field_errors: dict[str, list[str]] = {}
        for item in errors if isinstance(errors, list) else []:
            param = item.get("param") if isinstance(item, dict) else None
            if isinstance(param, str) and param and text_messages(item):
                field_errors.setdefault(param, []).extend(text_messages(item))
        for key in ("errors", "message", "detail", "error"):
            if messages := text_messages(payload.get(key)):
                return "; ".join(messages), field_errors
        return "", field_errors

    def check_connection(self, client: ApiClient) -> None:
        client.get("/auth/whoami")


PROVIDER = Affinity()

# A tenant's subdomain as Affinity's web app addresses use it: one DNS label.
_SUBDOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")

# --- Endpoints ---------------------------------------------------------------
# Organizations and persons (list, get, create) go below, as functions taking
# an ApiClient and returning records.

MAX_PAGE_SIZE = 500  # default and maximum of GET /organizations and /persons (§2)
# The per-user window resets within a minute; a wait longer than this can only
# be the monthly per-account limit (§6), which resets at the end of the month.
MONTHLY_WAIT = timedelta(hours=1)


class MonthlyLimitError(RateLimitedError):
    """The account's monthly API limit is spent: nothing goes out until `retry_at`."""


@contextmanager
def _explained_limits() -> Iterator[None]:
    """Turn a rate-limit error that lasts past the minute into `MonthlyLimitError`."""
    try:
        yield
    except MonthlyLimitError:
        raise
    except RateLimitedError as error:
        retry_at = error.retry_at
        if retry_at is None or retry_at - datetime.now(UTC) < MONTHLY_WAIT:
            raise
        reset = retry_at.astimezone(UTC).strftime("%-d %B %Y, %H:%M UTC")
        raise MonthlyLimitError(
            f"the Affinity account's monthly API limit is used up; it resets on {reset}",
            retry_at=retry_at,
            **error.context,
        ) from error


def _record(data: Any, parse: Any, what: str) -> Any:
    record = parse(data)
    if record is None:
        raise InvalidResponseError(f"the answer is not {what} (no usable id)", provider="Affinity")
    return record


def _pages(
    client: ApiClient, kind: str, parse: Any, params: dict[str, Any], page_size: int, start: Any
) -> Iterator[RecordPage]:
    """Every page of GET /{kind}; the paginator sends identical params on every page."""
    size = max(1, min(page_size, MAX_PAGE_SIZE))
    with _explained_limits():
        for page in client.paginate(
            f"/{kind}", items_key=kind, params=params, page_size=size, start=start
        ):
            yield RecordPage(parse_list(page.data, kind, parse), page.resume)


def _search(
    client: ApiClient, kind: str, parse: Any, term: str, page_size: int, page_token: str | None
) -> RecordPage:
    """One page of GET /{kind}?term=… (search includes Affinity's global organizations)."""
    params: dict[str, Any] = {"term": term, "page_size": max(1, min(page_size, MAX_PAGE_SIZE))}
    if page_token:
        params["page_token"] = page_token
    with _explained_limits():
        data = client.get(f"/{kind}", params=params).data
    # `resume`: the next page's token (a sync's checkpoint, a search's next page); None at the end.
    token = text(mapping(data).get("next_page_token")) or None
    return RecordPage(parse_list(data, kind, parse), token)


def _call(client: ApiClient, method: str, path: str, **kwargs: Any) -> Any:
    with _explained_limits():
        return client.request(method, path, **kwargs).data


def organization_pages(
    client: ApiClient, *, page_size: int = MAX_PAGE_SIZE, start: str | None = None
) -> Iterator[RecordPage]:
    return _pages(client, "organizations", parse_organization, {}, page_size, start)


def organization_search(
    client: ApiClient, *, term: str, page_size: int = 25, page_token: str | None = None
) -> RecordPage:
    return _search(client, "organizations", parse_organization, term, page_size, page_token)


def organizations_found(
    client: ApiClient, *, term: str, before_next_page: Callable[[], None] | None = None
) -> Iterator[AffinityOrganization]:
    """Every organization the search answers for `term`, page after page: it also covers
    Affinity's global organizations, so a lookup must not stop at the first page.
    `before_next_page` runs before each page after the first (a page's live budget: it
    raises to stop)."""
    return _every_page(organization_search, client, term, before_next_page)


def organization_get(client: ApiClient, organization_id: int | str) -> AffinityOrganization:
    data = _call(client, "GET", f"/organizations/{int(organization_id)}")
    return _record(data, parse_organization, "an organization")


def organization_create(
    client: ApiClient, *, name: str, domain: str | None, person_ids: list[int]
) -> AffinityOrganization:
    body = {"name": name, "domain": domain or None, "person_ids": list(person_ids)}
    return _record(
        _call(client, "POST", "/organizations", json=body), parse_organization, "an organization"
    )


def organization_update(
    client: ApiClient,
    organization_id: int | str,
    *,
    person_ids: list[int],
    name: str | None = None,
    domain: str | None = None,
) -> AffinityOrganization:
    """PUT replaces `person_ids` wholesale (§2): always pass the complete list.

    `name` and `domain` are left out when None (a global organization's can't change).
    """
    body: dict[str, Any] = {"person_ids": list(person_ids)}
    if name is not None:
        body["name"] = name
    if domain is not None:
        body["domain"] = domain or None
    data = _call(client, "PUT", f"/organizations/{int(organization_id)}", json=body)
    return _record(data, parse_organization, "an organization")


def organization_delete(client: ApiClient, organization_id: int | str) -> None:
    """Refused for global organizations. Returns `{"success": true}` (or 204 per Postman)."""
    _call(client, "DELETE", f"/organizations/{int(organization_id)}")


def tenant_subdomain(client: ApiClient) -> str:
    """The account's subdomain (`GET /auth/whoami` -> `tenant.subdomain`, affinity.md §1),
    "" when it is missing or not a plain DNS label (the answer is untrusted)."""
    tenant = mapping(mapping(client.get("/auth/whoami").data).get("tenant"))
    subdomain = text(tenant.get("subdomain")).lower()
    return subdomain if _SUBDOMAIN.match(subdomain) else ""


def organization_web_url(subdomain: str, organization_id: str) -> str:
    """An organization's page in Affinity's web app. The v1 docs give the pattern: "for a
    company profile `affinity.affinity.co/companies/[company_id]`" (tenant "affinity").
    They give none for persons, so persons get no link."""
    return f"https://{subdomain}.affinity.co/companies/{int(organization_id)}"


def person_delete(client: ApiClient, person_id: int | str) -> None:
    """`DELETE /persons/{id}` returns `{"success": true}` (affinity.md §3)."""
    _call(client, "DELETE", f"/persons/{int(person_id)}")


def person_pages(
    client: ApiClient, *, page_size: int = MAX_PAGE_SIZE, start: str | None = None
) -> Iterator[RecordPage]:
    return _pages(client, "persons", parse_person, {}, page_size, start)


def person_search(
    client: ApiClient, *, term: str, page_size: int = 25, page_token: str | None = None
) -> RecordPage:
    return _search(client, "persons", parse_person, term, page_size, page_token)


def persons_found(client: ApiClient, *, term: str) -> Iterator[AffinityPerson]:
    """Every person the search answers for `term`, page after page."""
    return _every_page(person_search, client, term)


def _every_page(
    search: Any, client: ApiClient, term: str, before_next_page: Callable[[], None] | None = None
) -> Iterator[Any]:
    token = None
    while True:
        page = search(client, term=term, page_size=MAX_PAGE_SIZE, page_token=token)
        yield from page.records
        if not (token := page.resume):
            return
        if before_next_page:
            before_next_page()


def person_get(client: ApiClient, person_id: int | str) -> AffinityPerson:
    return _record(_call(client, "GET", f"/persons/{int(person_id)}"), parse_person, "a person")


def person_create(
    client: ApiClient,
    *,
    first_name: str,
    last_name: str,
    emails: list[str],
    organization_ids: list[int],
) -> AffinityPerson:
    """Affinity allows one person per email: a taken email is refused (422)."""
    body = {
        "first_name": first_name,
        "last_name": last_name,
        "emails": list(emails),
        "organization_ids": list(organization_ids),
    }
    return _record(_call(client, "POST", "/persons", json=body), parse_person, "a person")


def person_update(
    client: ApiClient,
    person_id: int | str,
    *,
    emails: list[str],
    organization_ids: list[int],
    first_name: str | None = None,
    last_name: str | None = None,
) -> AffinityPerson:
    """PUT replaces `emails` and `organization_ids` wholesale: pass the complete lists.

    The names are left out when None (every field is optional, §3): unchanged."""
    body: dict[str, Any] = {"emails": list(emails), "organization_ids": list(organization_ids)}
    if first_name is not None:
        body["first_name"] = first_name
    if last_name is not None:
        body["last_name"] = last_name
    data = _call(client, "PUT", f"/persons/{int(person_id)}", json=body)
    return _record(data, parse_person, "a person")
