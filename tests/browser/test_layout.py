"""Every list and form, and a page of each kind, at a laptop's width (1366 px) and a phone's
(390 px), in Chromium.

A full-page screenshot of each is saved under test-artifacts/ (gitignored) to look at; the
checks are what a person notices: nothing wider than the screen outside a scroll container,
no select cutting off its text, and on the phone the filters closed behind their button with
the list's first row in the first screen.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from playwright.sync_api import expect

from ats.models import Candidate
from crm.models import Organization, Person
from projects.models import Project

from .accessibility import assert_accessible
from .layout import layout_problems

WIDTHS = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
# Every list page (a page added later joins here), and the table whose first row counts.
LISTS = {
    "candidates": "/candidates/",
    "offers": "/offers/",
    "organizations": "/organizations/",
    "persons": "/persons/",
    "projects": "/projects/",
    "api-posts": "/apis/jsonplaceholder/posts/",
    "outbox": "/outbox/",
}
# The lists whose filters (or, for organizations, the search of all of Affinity) fold away
# on a phone; the persons' one search box and the outbox's state buttons stay.
FOLDING_FILTERS = {"candidates", "organizations", "projects", "api-posts"}
FORMS = {
    "candidate-form": "/candidates/new/",
    "organization-form": "/organizations/new/",
    "person-form": "/persons/new/",
    "project-form": "/projects/new/",
    "project-import": "/projects/import/",
    "api-post-form": "/apis/jsonplaceholder/posts/new/",
    "password-form": "/accounts/password_change/",
}


def _url_names(patterns, namespace: str = "") -> set[str]:
    names = set()
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= _url_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(namespace + entry.name)
    return names


def test_every_list_page_is_in_the_layout_test():
    """A list page added later (a `..._list` URL name) fails here until it joins LISTS."""
    lists = {name for name in _url_names(get_resolver().url_patterns) if name.endswith("_list")}
    lists -= {name for name in lists if name.startswith("admin:")}
    tested = {resolve(path.split("?")[0]).view_name for path in LISTS.values()}
    assert lists <= tested, f"not in LISTS: {sorted(lists - tested)}"


def _other_pages() -> dict[str, str]:
    """The dashboard and a record's page of each kind, with the longest emails there are."""
    candidate = max(Candidate.objects.exclude(emails=[]), key=lambda c: len(" ".join(c.emails)))
    person = max(Person.objects.exclude(emails=[]), key=lambda p: len(" ".join(p.emails)))
    organization = (
        Organization.objects.exclude(persons_count=0).first() or Organization.objects.first()
    )
    return {
        "dashboard": "/",
        "candidate": f"/candidates/{candidate.pk}/",
        "person": f"/persons/{person.pk}/",
        "organization": f"/organizations/{organization.pk}/",
        "project": f"/projects/{Project.objects.first().pk}/",
        "api-post": "/apis/jsonplaceholder/posts/1/",
    }


FIRST_ROW_SHOWN = """() => {
    const row = document.querySelector("main table tbody tr");
    if (!row) return "no table row";
    const box = row.getBoundingClientRect();
    return box.top < window.innerHeight ? "" : `the first row starts at ${Math.round(box.top)} px`;
}"""


@pytest.mark.parametrize("screen", list(WIDTHS))
def test_every_list_form_and_page_fits_the_screen(
    every_tool, logged_in_page, live_server, screenshot, screen
):
    page = logged_in_page
    page.set_viewport_size(WIDTHS[screen])
    problems = []
    for name, path in {**LISTS, **FORMS, **_other_pages()}.items():
        page.goto(live_server.url + path)
        screenshot(f"layout-{name}-{screen}")
        found = layout_problems(page, every_option=screen == "laptop")
        if name in LISTS:
            if screen == "phone" and (not_shown := page.evaluate(FIRST_ROW_SHOWN)):
                found.append(not_shown)
            panel = page.get_by_test_id("filter-panel")
            if name in FOLDING_FILTERS:
                toggle = page.get_by_test_id("filters-toggle")
                if screen == "phone" and (panel.is_visible() or not toggle.is_visible()):
                    found.append("the filters are open on a phone")
                if screen == "laptop" and (not panel.is_visible() or toggle.is_visible()):
                    found.append("the filters are closed on a laptop")
        problems += [f"{name} at {screen}: {problem}" for problem in found]
    assert not problems, "\n".join(problems)


def test_the_filters_open_from_their_button_on_a_phone(
    every_tool, logged_in_page, live_server, screenshot
):
    page = logged_in_page
    page.set_viewport_size(WIDTHS["phone"])
    page.goto(f"{live_server.url}/candidates/?stage=&status=&offer=&q=a")
    panel = page.get_by_test_id("filter-panel")
    toggle = page.get_by_test_id("filters-toggle")
    expect(panel).to_be_hidden()
    expect(toggle).to_contain_text("on")  # a search is applied behind the closed panel
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(panel).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_label("Search")).to_have_value("a")
    assert layout_problems(page, every_option=False) == []
    assert_accessible(page)
    screenshot("layout-candidates-filters-open-phone")


NEXT_GAP = """(button) => {
    const below = button.parentElement.nextElementSibling;
    return below.getBoundingClientRect().top - button.getBoundingClientRect().bottom;
}"""


@pytest.mark.parametrize(
    ("path", "name"),
    [("/candidates/", "New candidate"), ("/apis/jsonplaceholder/posts/", "New post")],
)
def test_the_new_button_under_a_lists_heading_keeps_its_distance_on_a_phone(
    every_tool, logged_in_page, live_server, path, name
):
    """On a phone the button wraps under the heading; what follows (the sync bar, the
    filters' button) must not sit against it."""
    page = logged_in_page
    page.set_viewport_size(WIDTHS["phone"])
    page.goto(live_server.url + path)
    button = page.get_by_role("link", name=name)
    assert button.evaluate(NEXT_GAP) >= 8


def test_the_server_error_page_fits_a_phone(browser, live_server, transactional_db, settings):
    """A phone lays a page without a viewport tag out 980 px wide, its words too small to
    read; the server error page is plain HTML (it must render when nothing else does)."""
    settings.ROOT_URLCONF = "tests.browser.failing_urls"
    context = browser.new_context(viewport=WIDTHS["phone"], is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        answer = page.goto(f"{live_server.url}/fail/")
        assert answer.status == 500
        expect(page.get_by_role("heading", name="Something went wrong")).to_be_visible()
        assert page.evaluate("window.innerWidth") == WIDTHS["phone"]["width"]
    finally:
        context.close()
