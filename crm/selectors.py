"""Read-only queries for the organization and person pages.

Lists read the synced tables; `affinity_*` functions ask Affinity live and
never raise: a failure comes back as a message for the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.core.cache import cache
from django.db.models import Func, IntegerField, Q, QuerySet

from core.search import search_filter
from core.sorting import Column, Sort, Sorting
from crm.models import AffinityList, Organization, Person
from crm.services import affinity_error_message, subdomain_cache_key
from integrations.http.errors import ConfigurationError, IntegrationError, NotFoundError
from integrations.live_budget import live_call_spend, page_client
from integrations.models import Connection
from integrations.providers import affinity
from integrations.providers.affinity_records import AffinityOrganization

CHOICES_LIMIT = 20
# The domain check reads at most this many of the organizations Affinity's search answers
# (10 pages of 500): the term also matches names and global organizations.
DOMAIN_CHECK_LIMIT = 5_000


@dataclass(frozen=True)
class DomainMatches:
    """Organizations that already have a domain: synced ones, and Affinity's own."""

    local: list[Organization] = field(default_factory=list)
    remote: list[AffinityOrganization] = field(default_factory=list)  # not synced here
    error: str = ""
    # Affinity's search answered more than DOMAIN_CHECK_LIMIT organizations: the rest
    # were not read, so "none found" is not known.
    unchecked: bool = False

    @property
    def found(self) -> bool:
        return bool(self.local or self.remote)

    @property
    def needs_confirmation(self) -> bool:
        """Creating now may make a duplicate: one is known, or the check stopped early."""
        return self.found or self.unchecked

    @property
    def limit(self) -> int:
        return DOMAIN_CHECK_LIMIT

    @property
    def remote_ids(self) -> list[str]:
        return [o.remote_id for o in self.local if o.remote_id] + [str(r.id) for r in self.remote]


@dataclass(frozen=True)
class LiveSearch:
    records: list[AffinityOrganization]
    next_token: str | None
    local_pks: dict[int, int]  # Affinity id -> synced organization pk
    error: str = ""


class JsonLength(Func):
    """The number of items in a JSON list column."""

    function = "JSON_ARRAY_LENGTH"
    output_field = IntegerField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, function="JSONB_ARRAY_LENGTH", **extra)


ORGANIZATION_SORTING = Sorting(
    columns={
        "name": Column(["name"]),
        "domain": Column(["domain"]),
        "persons": Column(["persons_count"], descending_first=True),
    },
    default="name",
)
PERSON_SORTING = Sorting(
    columns={
        "name": Column(["last_name", "first_name"]),
        "email": Column(["primary_email"]),
        "organizations": Column([JsonLength("organization_ids")], descending_first=True),
    },
    default="name",
)


def organization_list(
    *, connection: Connection, query: str = "", sort: Sort | None = None
) -> QuerySet[Organization]:
    rows = Organization.objects.filter(connection=connection, is_deleted=False)
    rows = search_filter(rows, query)
    return rows.order_by(*ORGANIZATION_SORTING.order_by(sort))


def person_list(
    *, connection: Connection, query: str = "", sort: Sort | None = None
) -> QuerySet[Person]:
    rows = Person.objects.filter(connection=connection, is_deleted=False)
    rows = search_filter(rows, query)
    return rows.order_by(*PERSON_SORTING.order_by(sort))


def organization_persons(*, organization: Organization) -> list[Person]:
    ids = [str(i) for i in organization.person_ids]
    rows = Person.objects.filter(connection_id=organization.connection_id, remote_id__in=ids)
    return list(rows.filter(is_deleted=False).order_by("last_name", "first_name"))


def person_organizations(*, person: Person) -> list[Organization]:
    ids = [str(i) for i in person.organization_ids]
    rows = Organization.objects.filter(connection_id=person.connection_id, remote_id__in=ids)
    return list(rows.filter(is_deleted=False).order_by("name"))


def unsynced_ids(ids: list[str], found: list[Organization] | list[Person]) -> list[str]:
    """Linked remote ids the hub has not synced (yet)."""
    known = {r.remote_id for r in found}
    return [str(i) for i in ids if str(i) not in known]


def person_choices(*, connection: Connection, query: str = "", ids: list[str] | None = None):
    """Persons a form may link (synced ones, with a remote id), by search or by id."""
    rows = Person.objects.filter(connection=connection, is_deleted=False).exclude(remote_id=None)
    if ids is not None:
        return rows.filter(remote_id__in=ids).order_by("last_name", "first_name")
    rows = search_filter(rows, query)
    return rows.order_by("last_name", "first_name")[:CHOICES_LIMIT]


def organization_choices(*, connection: Connection, query: str = "", ids: list[str] | None = None):
    rows = Organization.objects.filter(connection=connection, is_deleted=False)
    rows = rows.exclude(remote_id=None)
    if ids is not None:
        return rows.filter(remote_id__in=ids).order_by("name")
    rows = search_filter(rows, query)
    return rows.order_by("name")[:CHOICES_LIMIT]


def organization_domain_matches(*, connection: Connection, domain: str, user: Any) -> DomainMatches:
    """Organizations with `domain`, among the synced records and at Affinity (live, `user`'s):
    every page of Affinity's search, up to DOMAIN_CHECK_LIMIT organizations read, each page
    one of `user`'s live calls."""
    domain = domain.strip().lower()
    if not domain:
        return DomainMatches()
    local = list(
        Organization.objects.filter(connection=connection, is_deleted=False).filter(
            Q(domain__iexact=domain) | Q(search_text__contains=domain)
        )[:50]
    )
    local = [o for o in local if domain in {d.lower() for d in o.domains} or o.domain == domain]
    known = {o.remote_id for o in local}
    read: list[AffinityOrganization] = []
    error = ""
    try:
        client = page_client(connection, user=user)
        # Each further page is one more live call of this person's (live_budget).
        found = affinity.organizations_found(
            client,
            term=domain,
            before_next_page=lambda: live_call_spend(
                user=user, provider=connection.provider_display
            ),
        )
        # One past the limit: whether the search has more than was read.
        read.extend(islice(found, DOMAIN_CHECK_LIMIT + 1))
    except (IntegrationError, ConfigurationError) as failed:  # the pages read still count
        error = affinity_error_message(failed, user=user)
    remote = [
        r
        for r in read[:DOMAIN_CHECK_LIMIT]
        if domain in {d.lower() for d in r.domains} and str(r.id) not in known
    ]
    return DomainMatches(local, remote, error, unchecked=len(read) > DOMAIN_CHECK_LIMIT)


def affinity_organization_search(
    *, connection: Connection, term: str, user: Any, page_token: str | None = None
) -> LiveSearch:
    """One page of Affinity's own search (it includes global organizations); `user`'s call."""
    try:
        page = affinity.organization_search(
            page_client(connection, user=user), term=term, page_size=25, page_token=page_token
        )
    except (IntegrationError, ConfigurationError) as error:
        return LiveSearch([], None, {}, affinity_error_message(error, user=user))
    ids = [str(r.id) for r in page.records]
    local = Organization.objects.filter(connection=connection, is_deleted=False)
    pairs = local.filter(remote_id__in=ids).values_list("remote_id", "pk")
    return LiveSearch(page.records, page.resume, {int(r): pk for r, pk in pairs})


@dataclass(frozen=True)
class LiveOrganization:
    """An organization read live from Affinity, or why not (`missing`: Affinity has none)."""

    record: AffinityOrganization | None
    problem: str = ""
    missing: bool = False


def affinity_organization_fetch(
    *, connection: Connection, remote_id: int, user: Any
) -> LiveOrganization:
    """One organization read live from Affinity (`user`'s call)."""
    try:
        return LiveOrganization(
            affinity.organization_get(page_client(connection, user=user), remote_id)
        )
    except NotFoundError:
        return LiveOrganization(None, "Affinity has no organization with this id.", missing=True)
    except (IntegrationError, ConfigurationError) as error:
        return LiveOrganization(None, affinity_error_message(error, user=user))


def affinity_subdomain(connection: Connection) -> str:
    """The account's subdomain for "Open in Affinity" links, "" until the organizations
    sync's follow-up task has read it (`services.affinity_subdomain_refresh`): no page
    waits for Affinity to learn it."""
    return cache.get(subdomain_cache_key(connection.pk)) or ""


def organization_web_url(organization: Organization) -> str:
    """The organization's page in Affinity's web app, "" when there is none to open."""
    if not organization.remote_id or organization.is_deleted:
        return ""
    subdomain = affinity_subdomain(organization.connection)
    return affinity.organization_web_url(subdomain, organization.remote_id) if subdomain else ""


def synced_organization_pk(*, connection: Connection, remote_id: int) -> int | None:
    rows = Organization.objects.filter(connection=connection, remote_id=str(remote_id))
    return rows.filter(is_deleted=False).values_list("pk", flat=True).first()


def affinity_lists(*, connection: Connection, kind: int) -> list[AffinityList]:
    """The synced Affinity lists of one kind (organizations or persons), by name."""
    rows = AffinityList.objects.filter(connection=connection, list_type=kind, is_deleted=False)
    return list(rows.exclude(remote_id=None).order_by("name", "pk"))
