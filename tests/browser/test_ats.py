"""Candidates in Chromium: search, open, create with two emails and a +31 phone, field errors,
an edit from a page opened before another's."""

import uuid

from playwright.sync_api import expect

from ats.models import Candidate


def test_search_the_list_and_open_a_candidate(
    synced_recruitee, logged_in_page, live_server, screenshot
):
    someone = Candidate.objects.exclude(emails=[]).order_by("remote_id")[2]
    page = logged_in_page
    page.goto(f"{live_server.url}/candidates/")
    expect(page.get_by_role("heading", name="Candidates")).to_be_visible()
    expect(page.get_by_test_id("last-synced")).to_contain_text("Last synced")
    assert screenshot("ats-candidate-list").stat().st_size > 10_000

    page.get_by_label("Search").fill(someone.emails[0])
    page.get_by_role("button", name="Apply").click()
    rows = page.locator("[data-testid=candidate-table] tbody tr")
    expect(rows).to_have_count(1)
    page.get_by_role("link", name=someone.name, exact=True).click()
    expect(page.get_by_role("heading", name=someone.name)).to_be_visible()
    expect(page.get_by_test_id("live-note")).to_be_visible()
    expect(page.locator(f'a[href="mailto:{someone.emails[0]}"]')).to_be_visible()


def test_create_with_two_emails_and_an_international_phone(
    synced_recruitee, logged_in_page, live_server, screenshot
):
    page = logged_in_page
    page.goto(f"{live_server.url}/candidates/new/")
    page.get_by_label("Name").fill("Saoirse Ní Bhriain")
    page.get_by_label("Emails").fill("saoirse@example.ie\nsaoirse.work@example.com")
    page.get_by_label("Phones").fill("+31 6 1234 5678")
    page.get_by_label("Cover letter").fill("Dear team,\nI'd love to join.")
    page.locator("input[name=offers]").first.check()
    assert screenshot("ats-candidate-form").stat().st_size > 10_000
    page.get_by_role("button", name="Create candidate").click()

    expect(page.get_by_text("Candidate created in Recruitee.")).to_be_visible()
    expect(page.get_by_role("heading", name="Saoirse Ní Bhriain")).to_be_visible()
    expect(page.get_by_role("link", name="saoirse@example.ie")).to_be_visible()
    expect(page.get_by_role("link", name="saoirse.work@example.com")).to_be_visible()
    expect(page.get_by_role("link", name="+31 6 1234 5678")).to_have_attribute(
        "href", "tel:+31612345678"
    )
    expect(page.get_by_test_id("cover-letter")).to_contain_text("I'd love to join.")
    screenshot("ats-candidate-detail")


def test_an_invalid_form_shows_the_field_errors(
    synced_recruitee, logged_in_page, live_server, screenshot
):
    page = logged_in_page
    page.goto(f"{live_server.url}/candidates/new/")
    page.get_by_label("Emails").fill("good@example.com\nnot-an-email")
    page.get_by_label("Other links").fill("javascript:alert(1)")
    page.get_by_role("button", name="Create candidate").click()

    expect(page.locator("#id_name").locator("xpath=..")).to_contain_text("This field is required")
    expect(page.get_by_text("“not-an-email” is not a valid email address.")).to_be_visible()
    expect(page.get_by_text("“javascript:alert(1)” is not an http(s) web address.")).to_be_visible()
    screenshot("ats-candidate-form-errors")


def test_a_photo_that_does_not_load_becomes_the_initials(
    synced_recruitee, logged_in_page, live_server, browser_problems
):
    page = logged_in_page
    page.route("https://sandbox-recruitee-media.example/**", lambda route: route.abort())
    page.goto(f"{live_server.url}/candidates/")
    first_rows = page.locator("[data-testid=candidate-table] tbody tr").filter(
        has=page.locator("td .avatar")
    )
    for i in range(5):
        expect(first_rows.nth(i).locator("span.avatar")).to_have_count(1)
        expect(first_rows.nth(i).locator("img.avatar")).to_have_count(0)
    assert browser_problems, "the photos were asked for, and failed"
    failed_photos = ("photo.png", "Failed to load resource: net::ERR_FAILED")
    assert all(any(p in problem for p in failed_photos) for problem in browser_problems)
    browser_problems.clear()


def test_sort_by_a_column_heading_both_ways_keeping_the_search(
    synced_recruitee, logged_in_page, live_server
):
    page = logged_in_page
    page.goto(f"{live_server.url}/candidates/?q=example")
    heading = page.locator("th", has=page.locator("a[data-sort=name]"))
    expect(heading).to_have_attribute("aria-sort", "none")
    names = page.locator("[data-testid=candidate-table] tbody tr td:nth-child(2) a")

    heading.get_by_role("link").click()
    expect(heading).to_have_attribute("aria-sort", "ascending")
    expect(page.get_by_label("Search")).to_have_value("example")
    matching = Candidate.objects.filter(search_text__contains="example", is_deleted=False)
    ascending = [c.name for c in matching.order_by("name", "pk")[:25]]
    expect(names).to_have_text(ascending)

    heading.get_by_role("link").click()
    expect(heading).to_have_attribute("aria-sort", "descending")
    expect(names).to_have_text([c.name for c in matching.order_by("-name", "-pk")[:25]])
    assert "q=example" in page.url and "sort=-name" in page.url


def test_an_edit_from_a_page_opened_before_another_keeps_the_other_change(
    synced_recruitee, sandbox, logged_in_page, live_server
):
    """Ana opens the edit page; Ben changes the emails and the cover letter in another tab;
    Ana renames the candidate. Her page sends back Ben's old emails and the old letter
    (whose line breaks Chromium sends as CRLF, Recruitee's being LF): neither is her change,
    so Ben's survive, here and at Recruitee (the page reads the candidate live)."""
    multi_line = sandbox.record(
        "SELECT payload FROM recruitee_candidates"
        " WHERE instr(json_extract(payload, '$.cover_letter'), char(10)) ORDER BY id LIMIT 1"
    )
    candidate = Candidate.objects.get(remote_id=str(multi_line["id"]))
    unique = uuid.uuid4().hex[:6]
    edit_url = f"{live_server.url}/candidates/{candidate.pk}/edit/"
    ana = logged_in_page
    ana.goto(edit_url)

    ben = ana.context.new_page()
    ben.goto(edit_url)
    ben.get_by_label("Emails").fill(f"ben-{unique}@example.com")
    ben.get_by_label("Cover letter").fill(f"Dear team,\nBen {unique}")
    ben.get_by_role("button", name="Save changes").click()
    expect(ben.get_by_text("Candidate updated in Recruitee.")).to_be_visible()
    ben.close()

    ana.get_by_label("Name").fill(f"Ana Renamed {unique}")
    ana.get_by_role("button", name="Save changes").click()
    expect(ana.get_by_text("Candidate updated in Recruitee.")).to_be_visible()
    expect(ana.get_by_role("heading", name=f"Ana Renamed {unique}")).to_be_visible()
    expect(ana.get_by_role("link", name=f"ben-{unique}@example.com")).to_be_visible()
    expect(ana.get_by_test_id("cover-letter")).to_contain_text(f"Ben {unique}")
