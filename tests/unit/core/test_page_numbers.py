"""Whatever `?page=` says, no page answers 500: every list shows a page or says there is none."""

from __future__ import annotations

import pytest
import responses
from django.urls import URLPattern, URLResolver, get_resolver

from ats.models import Candidate
from core.pagination import MAX_PAGE, page_number
from crm.models import Organization, Person
from integrations.models import Connection, OutboxItem
from projects.models import ImportBatch, ImportRow, Project

ODD_PAGES = [
    "9223372036854775807",
    "9" * 5000,
    "-1",
    "0",
    "abc",
    "1.5",
    "2.0",
    "1e9",
    "",
    " 2 ",
    "٣",  # an Arabic-Indic digit: int() takes it, a page number does not
]


@pytest.fixture
def lists(db):
    """Every list with one row, on connections whose provider calls are all mocked."""
    recruitee = Connection.objects.create(
        provider="recruitee", name="t", base_url="https://api.recruitee.com", company_id="1",
        api_token="x",
    )  # fmt: skip
    affinity = Connection.objects.create(
        provider="affinity", name="t", base_url="https://api.affinity.co", api_token="x"
    )
    tool = Connection.objects.create(
        provider="projecttool", name="t", base_url="https://pm.example.test", api_token="x"
    )
    Candidate.objects.create(connection=recruitee, remote_id="1", name="Ann")
    Organization.objects.create(connection=affinity, remote_id="1", name="Acme")
    Person.objects.create(connection=affinity, remote_id="1", first_name="Bo")
    Project.objects.create(connection=tool, remote_id="1", name="Launch")
    OutboxItem.objects.create(connection=tool, operation="projecttool.project_create",
                              submission_key="k")  # fmt: skip
    batch = ImportBatch.objects.create(connection=tool, row_count=1)
    ImportRow.objects.create(batch=batch, number=1, values={"name": "A"})
    with responses.RequestsMock(assert_all_requests_are_fired=False):
        yield [*_paths_without_parameters(), f"/projects/import/{batch.token}/"]


def _paths_without_parameters() -> list[str]:
    """Every page of the app whose address has no parameter: the lists are among them."""
    paths: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for entry in patterns:
            route = str(entry.pattern)
            if isinstance(entry, URLResolver) and not route.startswith("admin/"):
                walk(entry.url_patterns, prefix + route)
            elif isinstance(entry, URLPattern) and "<" not in route:
                paths.append("/" + prefix + route)

    walk(get_resolver().url_patterns, "")
    return paths


@pytest.mark.parametrize("page", ODD_PAGES)
def test_no_page_answers_500_whatever_the_page_number(logged_in_client, lists, page):
    for path in ["/candidates/", "/organizations/", "/persons/", "/projects/", "/outbox/", *lists]:
        response = logged_in_client.get(path, {"page": page})
        assert response.status_code < 500, (path, response.status_code)


def test_a_huge_page_number_says_there_is_no_such_page_or_shows_the_last(logged_in_client, lists):
    huge = "9223372036854775807"
    candidates = logged_in_client.get("/candidates/", {"page": huge})
    assert candidates.status_code == 200
    assert f"There is no page {MAX_PAGE}" in candidates.content.decode()
    for path in ("/organizations/", "/persons/", "/projects/", "/outbox/"):
        response = logged_in_client.get(path, {"page": huge})
        assert response.status_code == 200, path
        assert response.context["page_obj"].number == 1, path  # the last of one page


@pytest.mark.parametrize(
    ("value", "number"),
    [("3", 3), (" 3 ", 3), ("0", 1), ("-2", 1), ("x", 1), ("2.0", 1), (None, 1), ("٣", 1),
     (str(MAX_PAGE + 1), MAX_PAGE), ("9" * 5000, MAX_PAGE)],
)  # fmt: skip
def test_page_number_is_a_whole_number_from_one_to_the_cap(value, number):
    assert page_number(value) == number


@pytest.mark.parametrize("page", ["9223372036854775807", "-1", "abc", "1.5"])
def test_the_admins_lists_take_any_page_number_too(client, staff_user, lists, page):
    client.force_login(staff_user)
    for model in ("syncrun", "outboxitem", "calllog", "connection"):
        response = client.get(f"/admin/integrations/{model}/", {"p": page})
        assert response.status_code in (200, 302), (model, response.status_code)
    assert client.get("/admin/axes/accessattempt/", {"p": page}).status_code in (200, 302)
