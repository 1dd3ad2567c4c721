"""Permissions by team in Chromium: a member of "Sales" sees the CRM and nothing else."""

from django.contrib.auth.models import Group
from playwright.sync_api import expect

from core.groups import ensure_default_groups
from tests.browser.conftest import PASSWORD


def test_a_sales_member_sees_only_the_crm_and_is_refused_the_ats(
    page, live_server, django_user_model, screenshot, browser_problems
):
    ensure_default_groups()
    seller = django_user_model.objects.create_user(username="sam", password=PASSWORD)
    seller.groups.add(Group.objects.get(name="Sales"))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "sam")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    nav = page.locator("nav")
    expect(nav.get_by_role("link", name="Organizations")).to_be_visible()
    expect(nav.get_by_role("link", name="Persons")).to_be_visible()
    expect(nav.get_by_role("link", name="Candidates")).to_have_count(0)
    expect(page.locator("[data-provider=Affinity]")).to_be_visible()
    expect(page.locator("[data-provider=Recruitee]")).to_have_count(0)

    page.goto(f"{live_server.url}/candidates/")
    expect(page.get_by_role("heading", name="You may not use this page")).to_be_visible()
    expect(page.get_by_test_id("refused")).to_contain_text("You may not see candidates.")
    screenshot("refused-candidates")
    # Chromium logs the refused page's 403 as a console error; that answer is the point.
    browser_problems[:] = [p for p in browser_problems if "status of 403" not in p]
