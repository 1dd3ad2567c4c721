"""Every list's search box: accents, case and phone formatting make no difference."""

import pytest

from ats.models import Candidate
from crm.models import Organization, Person
from projects.models import Project
from tests.unit.lists.conftest import (
    candidate_row,
    organization_row,
    person_row,
    project_row,
    synced,
)
from tests.unit.lists.conftest import (
    shown_names as _names,
)

pytestmark = pytest.mark.django_db

NAMES = ["Łukasz Kowalski", "Søren Kierkegaard", "Martin Ødegaard", "Anna Jansen"]


@pytest.fixture
def candidates(recruitee):
    phones = [["+31 6 1234 5678"], [], ["+45 20 11 22 33"], []]
    emails = [["lukasz@example.pl"], ["soren@example.dk"], [], ["anna@example.nl"]]
    synced(
        Candidate,
        recruitee,
        [candidate_row(n, e, p) for n, e, p in zip(NAMES, emails, phones, strict=True)],
    )


@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("lukasz", ["Łukasz Kowalski"]),
        ("LUKASZ kowal", ["Łukasz Kowalski"]),
        ("kowalski łukasz", ["Łukasz Kowalski"]),
        ("soren", ["Søren Kierkegaard"]),
        ("odegaard", ["Martin Ødegaard"]),
        ("Ødegaard", ["Martin Ødegaard"]),
        ("612345678", ["Łukasz Kowalski"]),
        ("+31 6 1234 5678", ["Łukasz Kowalski"]),
        ("20 11 22", ["Martin Ødegaard"]),
        ("example.dk", ["Søren Kierkegaard"]),
        ("aa", ["Søren Kierkegaard", "Martin Ødegaard"]),  # too short for the index
        ("zzz", []),
        ("100%", []),
        ('"', []),
    ],
)
@pytest.mark.parametrize("dense", [False, True], ids=["index", "common word"])
def test_candidates_are_found_without_accents_case_or_phone_spacing(
    logged_in_client, candidates, term, found, dense, monkeypatch
):
    if dense:  # a word in many rows: found by walking the sort index instead
        monkeypatch.setattr("core.search.DENSE_MATCHES", 1)
    html = logged_in_client.get("/candidates/", {"q": term}).content.decode()
    assert sorted(_names(html, "data-candidate-id")) == sorted(found)


def test_organizations_are_found_by_name_and_domain_without_accents(logged_in_client, affinity):
    synced(
        Organization,
        affinity,
        [organization_row("Ørsted A/S", ["orsted.com"]), organization_row("Żabka", ["zabka.pl"])],
    )
    for term, found in [("orsted", "Ørsted A/S"), ("ZABKA", "Żabka"), ("zabka.pl", "Żabka")]:
        html = logged_in_client.get("/organizations/", {"q": term}).content.decode()
        assert _names(html, "data-organization-id") == [found], term


def test_persons_are_found_by_name_and_email_without_accents(logged_in_client, affinity):
    synced(
        Person,
        affinity,
        [person_row("Søren", "Kierkegaard", ["sk@example.dk"]), person_row("Åsa", "Lindqvist")],
    )
    for term, found in [("soren", "Søren Kierkegaard"), ("asa lind", "Åsa Lindqvist")]:
        html = logged_in_client.get("/persons/", {"q": term}).content.decode()
        assert [" ".join(n.split()) for n in _names(html, "data-person-id")] == [found], term


def test_projects_are_found_by_name_and_description_without_accents(logged_in_client, projecttool):
    synced(
        Project,
        projecttool,
        [project_row("Café relaunch", "menu for Łódź"), project_row("Website", "new design")],
    )
    for term, found in [
        ("cafe", "Café relaunch"),
        ("lodz", "Café relaunch"),
        ("DESIGN", "Website"),
    ]:
        html = logged_in_client.get("/projects/", {"q": term}).content.decode()
        assert _names(html, "data-project-id") == [found], term


def test_the_syncs_upsert_keeps_the_search_index_current(logged_in_client, recruitee):
    synced(Candidate, recruitee, [candidate_row("Søren Kierkegaard", remote_id="7")])
    synced(Candidate, recruitee, [candidate_row("Sören Larsen", remote_id="7")])  # renamed
    search = lambda term: _names(  # noqa: E731
        logged_in_client.get("/candidates/", {"q": term}).content.decode(), "data-candidate-id"
    )
    assert search("kierkegaard") == []
    assert search("soren larsen") == ["Sören Larsen"]
    Candidate.objects.filter(remote_id="7").delete()
    assert search("larsen") == []
