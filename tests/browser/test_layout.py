"""Every list and form at a laptop's width (1366 px) and a phone's (390 px), in Chromium.

A screenshot of each is saved under var/screenshots/ (gitignored) to look at; the checks are
what a person notices: nothing wider than the screen outside a scroll container, no select
cutting off its text, and on the phone the filters closed behind their button with the
list's first row in the first screen.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
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
FORMS = {
    "candidate-form": "/candidates/new/",
    "organization-form": "/organizations/new/",
    "person-form": "/persons/new/",
    "project-form": "/projects/new/",
    "project-import": "/projects/import/",
    "api-post-form": "/apis/jsonplaceholder/posts/new/",
    "password-form": "/accounts/password_change/",
}

# Elements reaching past the right edge of the window, unless a scroll container (a
# .table-responsive) holds them: an absolutely placed one is held only when a positioned
# element inside the container (or the container) is what it is placed against.
OVERFLOWING = """() => {
    const width = window.innerWidth;
    const offenders = [];
    for (const element of document.body.querySelectorAll("*")) {
        const box = element.getBoundingClientRect();
        if (box.right <= width + 1) continue;
        const placed = ["absolute", "fixed"].includes(getComputedStyle(element).position);
        let parent = element.parentElement, positioned = false, held = false;
        while (parent && parent !== document.body) {
            const style = getComputedStyle(parent);
            positioned = positioned || style.position !== "static";
            if (["auto", "scroll", "hidden"].includes(style.overflowX)) {
                held = !placed || positioned;
                break;
            }
            parent = parent.parentElement;
        }
        if (!held) offenders.push(`${element.tagName.toLowerCase()}.${element.className}`);
    }
    return {
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: width,
        offenders: offenders.slice(0, 5),
    };
}"""

# Selects whose chosen text does not fit: the text's width with the select's font, plus its
# padding (Bootstrap's arrow sits in the right padding), against the select's inner width;
# and the plain `scrollWidth > clientWidth` overflow.
CLIPPED_SELECTS = """() => {
    const context = document.createElement("canvas").getContext("2d");
    const clipped = [];
    for (const select of document.querySelectorAll("select")) {
        if (!select.offsetParent || select.multiple) continue;
        const style = getComputedStyle(select);
        context.font = style.font;
        const text = select.selectedOptions[0] ? select.selectedOptions[0].text : "";
        const needed = context.measureText(text).width
            + parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
        if (needed > select.clientWidth + 1 || select.scrollWidth > select.clientWidth) {
            const needs = `needs ${Math.ceil(needed)} px, has ${select.clientWidth}`;
            clipped.push(`${select.name}: "${text}" ${needs}`);
        }
    }
    return clipped;
}"""

FIRST_ROW_SHOWN = """() => {
    const row = document.querySelector("main table tbody tr");
    if (!row) return "no table row";
    const box = row.getBoundingClientRect();
    return box.top < window.innerHeight ? "" : `the first row starts at ${Math.round(box.top)} px`;
}"""


def _fits(page) -> list[str]:
    problems = []
    overflow = page.evaluate(OVERFLOWING)
    if overflow["scrollWidth"] > overflow["innerWidth"] or overflow["offenders"]:
        problems.append(
            f"{overflow['scrollWidth']} px wide in a {overflow['innerWidth']} px window: "
            f"{overflow['offenders']}"
        )
    problems += [f"cut-off select {select}" for select in page.evaluate(CLIPPED_SELECTS)]
    return problems


@pytest.mark.parametrize("screen", list(WIDTHS))
def test_every_list_and_form_fits_the_screen(every_tool, logged_in_page, live_server, screen):
    page = logged_in_page
    page.set_viewport_size(WIDTHS[screen])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for name, path in {**LISTS, **FORMS}.items():
        page.goto(live_server.url + path)
        page.screenshot(path=SCREENSHOTS / f"{name}-{screen}.png", full_page=True)
        found = _fits(page)
        if name in LISTS:
            if not_shown := page.evaluate(FIRST_ROW_SHOWN) if screen == "phone" else "":
                found.append(not_shown)
            panel = page.get_by_test_id("filter-panel")
            if panel.count():
                toggle = page.get_by_test_id("filters-toggle")
                if screen == "phone" and (panel.is_visible() or not toggle.is_visible()):
                    found.append("the filters are open on a phone")
                if screen == "laptop" and (not panel.is_visible() or toggle.is_visible()):
                    found.append("the filters are closed on a laptop")
        problems += [f"{name} at {screen}: {problem}" for problem in found]
    assert not problems, "\n".join(problems)


def test_the_filters_open_from_their_button_on_a_phone(every_tool, logged_in_page, live_server):
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
    assert _fits(page) == []
    page.screenshot(path=SCREENSHOTS / "candidates-filters-open-phone.png", full_page=True)
