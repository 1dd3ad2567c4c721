"""Every list sorts by each of its columns, both ways, from its column headings."""

import re
from datetime import date, timedelta

import pytest

from ats.models import Candidate, Offer, Placement
from crm.models import Organization, Person
from projects.models import Project
from tests.unit.lists.conftest import (
    START,
    candidate_row,
    organization_row,
    person_row,
    project_row,
    shown_names,
    synced,
)

pytestmark = pytest.mark.django_db

# name -> what each column shows, chosen so that every column orders the rows differently.
CANDIDATES = {
    "Ann Abbot": {"email": "c@example.com", "phone": "+31 2", "offers": "Designer",
                  "source": "manual", "created": 0, "activity": 3},
    "Bob Brown": {"email": "a@example.com", "phone": "+31 4", "offers": "Analyst",
                  "source": "agency zed", "created": 1, "activity": 1},
    "Cy Cole": {"email": "d@example.com", "phone": "+31 1", "offers": "Engineer",
                "source": "email", "created": 2, "activity": 4},
    "Di Dane": {"email": "b@example.com", "phone": "+31 3", "offers": "Buyer",
                "source": "career_site", "created": 3, "activity": 2},
}  # fmt: skip
ORGANIZATIONS = {
    "Acme": {"domain": "zeta.example", "persons": 2},
    "Bolt": {"domain": "alpha.example", "persons": 7},
    "Crux": {"domain": "mid.example", "persons": 1},
}
PERSONS = {  # shown "first last", sorted by last name then first
    "Zoe Adams": {"name": "adams zoe", "email": "m@example.com", "organizations": 2},
    "Al Baker": {"name": "baker al", "email": "z@example.com", "organizations": 0},
    "Mo Clark": {"name": "clark mo", "email": "a@example.com", "organizations": 5},
}
PROJECTS = {
    "Apollo": {"status": "on_hold", "priority": "low", "owner": "Zed", "start": 3, "end": 1,
               "workspace": "Ops", "tags": "urgent"},
    "Borealis": {"status": "active", "priority": "high", "owner": "Amy", "start": 1, "end": 3,
                 "workspace": "Web", "tags": "backend"},
    "Cosmos": {"status": "done", "priority": "medium", "owner": "Kim", "start": 2, "end": 2,
               "workspace": "Data", "tags": "marketing"},
}  # fmt: skip


@pytest.fixture
def candidates(recruitee):
    titles = {values["offers"]: str(n) for n, values in enumerate(CANDIDATES.values())}
    Offer.objects.bulk_create(
        Offer(connection=recruitee, remote_id=rid, title=title) for title, rid in titles.items()
    )
    rows = []
    for name, v in CANDIDATES.items():
        extra = {"referrer": v["source"]} if " " in v["source"] else {"source": v["source"]}
        rows.append(
            candidate_row(
                name, [v["email"]], [v["phone"]], remote_id=v["created"],
                last_activity_at=START + timedelta(days=v["activity"]), **extra,
            )
        )  # fmt: skip
    synced(Candidate, recruitee, rows)
    for name, v in CANDIDATES.items():
        candidate = Candidate.objects.get(name=name)
        Placement.objects.create(candidate=candidate, offer_remote_id=titles[v["offers"]])
        Placement.objects.create(candidate=candidate, offer_remote_id=titles["Engineer"])
    return "/candidates/", "data-candidate-id", CANDIDATES


@pytest.fixture
def organizations(affinity):
    synced(
        Organization,
        affinity,
        [
            organization_row(name, [v["domain"]], persons_count=v["persons"])
            for name, v in ORGANIZATIONS.items()
        ],
    )
    return "/organizations/", "data-organization-id", ORGANIZATIONS


@pytest.fixture
def persons(affinity):
    rows = []
    for name, v in PERSONS.items():
        first, last = name.split()
        ids = list(range(v["organizations"]))
        rows.append(person_row(first, last, [v["email"]], organization_ids=ids))
    synced(Person, affinity, rows)
    return "/persons/", "data-person-id", PERSONS


@pytest.fixture
def projects(projecttool):
    day = date(2024, 3, 1)
    synced(
        Project,
        projecttool,
        [
            project_row(
                name, status=v["status"], priority=v["priority"], owner_name=v["owner"],
                start_date=day + timedelta(days=v["start"]),
                end_date=day + timedelta(days=v["end"]),
                workspace_name=v["workspace"], tags=[v["tags"], "zz"],
            )
            for name, v in PROJECTS.items()
        ],
    )  # fmt: skip
    return "/projects/", "data-project-id", PROJECTS


LISTS = ["candidates", "organizations", "persons", "projects"]


def _cases():
    for listed, rows in zip(LISTS, [CANDIDATES, ORGANIZATIONS, PERSONS, PROJECTS], strict=True):
        columns = {"name", *next(iter(rows.values()))}
        for column in sorted(columns):
            for descending in (False, True):
                yield pytest.param(listed, column, descending, id=f"{listed}-{column}-{descending}")


@pytest.mark.parametrize(("listed", "column", "descending"), list(_cases()))
def test_each_column_sorts_both_ways(logged_in_client, request, listed, column, descending):
    url, attribute, rows = request.getfixturevalue(listed)
    value = (lambda name: rows[name].get(column, name)) if column != "name" else None
    if column == "name" and listed == "persons":
        value = lambda name: rows[name]["name"]  # noqa: E731
    expected = sorted(rows, key=value, reverse=descending)
    sort = f"-{column}" if descending else column
    html = logged_in_client.get(url, {"sort": sort}).content.decode()
    assert shown_names(html, attribute) == expected
    heading = re.search(
        rf'<th scope="col" aria-sort="(\w+)"[^>]*><a [^>]*data-sort="{column}"', html
    )
    assert heading.group(1) == ("descending" if descending else "ascending")


@pytest.mark.parametrize("listed", LISTS)
def test_an_unknown_sort_is_the_default_order(logged_in_client, request, listed):
    url, attribute, _ = request.getfixturevalue(listed)
    default = shown_names(logged_in_client.get(url).content.decode(), attribute)
    for odd in ["raw", "-", "--name", "name;drop", "pk", "x" * 500, "-raw"]:
        response = logged_in_client.get(url, {"sort": odd})
        assert response.status_code == 200
        assert shown_names(response.content.decode(), attribute) == default, odd


def test_a_heading_keeps_the_search_and_filters_and_starts_at_page_one(
    logged_in_client, candidates
):
    query = {"q": "example", "status": "", "sort": "name", "page": "1"}
    html = logged_in_client.get("/candidates/", query).content.decode()
    links = {key: href.replace("&amp;", "&") for href, key in re.findall(
        r'href="\?([^"]*)" data-sort="(\w+)"', html)}  # fmt: skip
    assert links["name"] == "q=example&sort=-name"  # the sorted column: the other way
    assert links["created"] == "q=example&sort=-created"  # dates: newest first
    assert links["email"] == "q=example&sort=email"
    assert 'aria-sort="none"' in html


def test_pages_keep_the_sort(logged_in_client, recruitee):
    synced(Candidate, recruitee, [candidate_row(f"Person {n:02d}") for n in range(30)])
    html = logged_in_client.get("/candidates/", {"sort": "-name"}).content.decode()
    assert "?sort=-name&amp;page=2" in html
    assert shown_names(html, "data-candidate-id")[0] == "Person 29"
