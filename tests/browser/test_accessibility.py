"""Accessibility in Chromium: axe-core on every page, and lists and forms used with the
keyboard alone.

The page fixture runs axe on every page a browser test loads (conftest.check_accessibility);
the walk here makes sure that is every page of the app: it follows the app's links from the
dashboard until each URL name has been opened once, with rows in every list.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.urls import Resolver404, resolve
from playwright.sync_api import expect

from ats.models import Candidate

from .accessibility import axe_violations
from .layout import layout_problems

# Links the walk does not open: not pages (a download, Django's admin, which is Django's).
NOT_WALKED = {
    "projects:project_import_example": "a CSV download",
}
DOWNLOADS = ("_export_csv", "_export_xlsx")  # every list's exports (tests/browser/test_export)
# Pages that show only once a form is filled, or answer "not found" in the layout.
STARTS = ["/", "/organizations/search/?term=a", "/candidates/999999/"]


def _url_name(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return None if match.namespace == "admin" else match.view_name


def test_every_page_passes_axe_and_fits_a_phone(
    every_tool, logged_in_page, live_server, browser_problems
):
    """At 390 px: test_layout looks at the lists and forms at both widths, this at the rest
    (records, edit and delete pages, Affinity's search, connection health) too."""
    page = logged_in_page
    page.set_viewport_size({"width": 390, "height": 844})
    base = live_server.url
    queue, opened, misfits = list(STARTS), {}, []
    while queue:
        path = queue.pop(0)
        name = _url_name(path) if path not in STARTS else path
        if name is None or name in opened or name in NOT_WALKED or name.endswith(DOWNLOADS):
            continue
        page.goto(base + path)
        axe_violations(page)  # the fixture reports them; this waits until axe has finished
        misfits += [f"{path}: {problem}" for problem in layout_problems(page, every_option=False)]
        opened[name] = path
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        queue += [h.removeprefix(base).split("#")[0] for h in hrefs if h.startswith(base + "/")]

    pages = set(opened)
    for expected in ("ats:candidate_list", "ats:candidate_detail", "ats:candidate_create",
                     "ats:candidate_edit", "ats:offer_list", "crm:organization_list",
                     "crm:organization_detail", "crm:organization_edit",
                     "crm:organization_delete", "crm:person_list", "crm:person_detail",
                     "crm:person_delete", "projects:project_edit", "integrations:call_log",
                     "integrations:call_detail", "integrations:sync_history",
                     "projects:project_list", "projects:project_detail",
                     "projects:project_create", "projects:project_import", "apis:index",
                     "apis:resource_list", "apis:resource_detail", "apis:resource_edit",
                     "integrations:outbox", "integrations:connection_health",
                     "password_change"):  # fmt: skip
        assert expected in pages, f"the walk never reached {expected}: {sorted(pages)}"
    assert not misfits, "\n".join(misfits)
    # Chromium logs the not-found page's 404 as a console error; that answer is the point.
    browser_problems[:] = [p for p in browser_problems if "status of 404" not in p]


def _tab_to(page, target, presses: int = 60) -> None:
    """Press Tab until `target` has the focus, as someone without a mouse would."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{target} never got the focus in {presses} presses of Tab")


def test_a_list_with_the_keyboard_alone(every_tool, logged_in_page, live_server):
    """From the top of the page: the search, the filters, Apply, a sort link, the next page."""
    page = logged_in_page
    page.goto(f"{live_server.url}/candidates/")
    _tab_to(page, page.get_by_label("Search"))
    page.keyboard.type("example")
    for control in ("Offer", "Stage", "Qualification"):
        page.keyboard.press("Tab")
        expect(page.get_by_label(control)).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Apply")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Search")).to_have_value("example")
    matching = Candidate.objects.filter(search_text__contains="example", is_deleted=False)
    expect(page.get_by_test_id("result-count")).to_have_text(f"{matching.count()} candidates")

    heading = page.locator("th", has=page.locator("a[data-sort=name]"))
    _tab_to(page, heading.get_by_role("link"))
    page.keyboard.press("Enter")
    expect(heading).to_have_attribute("aria-sort", "ascending")

    _tab_to(page, page.get_by_role("link", name="Next"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Page 2 of 3")).to_be_visible()
    assert "q=example" in page.url and "sort=name" in page.url and "page=2" in page.url


def test_a_create_form_with_the_keyboard_alone(every_tool, logged_in_page, live_server):
    page = logged_in_page
    page.goto(f"{live_server.url}/organizations/new/")
    _tab_to(page, page.get_by_label("Name"))
    page.keyboard.type("Keyboard Works")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Domain")).to_be_focused()
    page.keyboard.type("keyboard-works.example")
    _tab_to(page, page.get_by_role("button", name="Create organization"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("created in Affinity")).to_be_visible()
    expect(page.get_by_role("heading", name="Keyboard Works")).to_be_visible()


def test_the_keyboard_skips_the_menu_to_the_page(every_tool, logged_in_page, live_server):
    """The first Tab offers "Skip to content", shown while it has the focus; it leads past
    the menu's ten links to the page's own first control."""
    page = logged_in_page
    page.goto(f"{live_server.url}/candidates/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="New candidate")).to_be_focused()
