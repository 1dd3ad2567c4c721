"""Affinity organizations in Chromium: create one with two persons, find it, edit its domain."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect

from crm.models import Organization, Person

from .accessibility import assert_accessible


def _choose_person(page, person: Person) -> None:
    page.fill("#id_persons_search", person.last_name)
    choice = page.locator(f"[data-results] input[value='{person.remote_id}']")
    choice.check()
    expect(page.locator(f"[data-chosen] input[value='{person.remote_id}']")).to_be_checked()


def test_create_an_organization_with_two_persons_then_edit_its_domain(
    synced_affinity, logged_in_page, live_server, screenshot
):
    page = logged_in_page
    unique = uuid.uuid4().hex[:6]
    first, second = Person.objects.exclude(emails=[]).order_by("last_name")[:2]

    page.goto(f"{live_server.url}/organizations/")
    expect(page.get_by_role("heading", name="Organizations")).to_be_visible()
    expect(page.get_by_text("Search all of Affinity")).to_be_visible()
    screenshot("crm-organization-list")

    page.get_by_role("link", name="New organization").click()
    page.fill("#id_name", f"Browser Labs {unique}")
    page.fill("#id_domain", f"browser-{unique}.io")
    _choose_person(page, first)
    _choose_person(page, second)
    screenshot("crm-organization-form")
    page.get_by_role("button", name="Create organization").click()

    expect(page.get_by_text("created in Affinity")).to_be_visible()
    persons = page.locator("[data-testid=persons]")
    expect(
        persons.get_by_role("link", name=f"{first.first_name} {first.last_name}")
    ).to_be_visible()
    expect(
        persons.get_by_role("link", name=f"{second.first_name} {second.last_name}")
    ).to_be_visible()
    screenshot("crm-organization-detail")

    page.goto(f"{live_server.url}/organizations/?q={unique}")
    row = page.locator("tbody tr").filter(has_text=f"Browser Labs {unique}")
    expect(row).to_contain_text(f"browser-{unique}.io")
    expect(row.locator("[data-testid=persons-count]")).to_have_text("2")
    screenshot("crm-organization-search")

    row.get_by_role("link", name=f"Browser Labs {unique}").click()
    page.get_by_role("link", name="Edit").click()
    expect(page.locator("[data-chosen] input:checked")).to_have_count(2)
    page.fill("#id_domain", f"browser-{unique}.com")
    screenshot("crm-organization-edit")
    page.get_by_role("button", name="Save changes").click()

    expect(page.get_by_text("updated in Affinity")).to_be_visible()
    expect(page.locator("[data-testid=domains]")).to_contain_text(f"browser-{unique}.com")
    org = Organization.objects.get(name=f"Browser Labs {unique}")
    assert org.domain == f"browser-{unique}.com" and org.persons_count == 2


def test_a_duplicate_domain_is_warned_about(
    synced_affinity, logged_in_page, live_server, screenshot
):
    page = logged_in_page
    existing = Organization.objects.filter(is_global=False).exclude(domain="").first()
    page.goto(f"{live_server.url}/organizations/new/")
    page.fill("#id_name", "Second copy")
    page.fill("#id_domain", existing.domain)
    page.get_by_role("button", name="Create organization").click()
    warning = page.locator("[data-testid=duplicate-warning]")
    expect(warning).to_contain_text("An organization with this domain already exists")
    expect(warning.get_by_role("link", name=existing.name)).to_be_visible()
    expect(page.get_by_role("button", name="Create anyway")).to_be_visible()
    screenshot("crm-duplicate-domain")


def test_delete_an_organization_after_confirming(
    synced_affinity, logged_in_page, live_server, screenshot
):
    page = logged_in_page
    org = Organization.objects.filter(is_global=False).exclude(remote_id=None).first()
    page.goto(f"{live_server.url}/organizations/{org.pk}/")
    page.get_by_role("link", name="Delete").click()
    expect(page.get_by_text(f"Delete {org.name}")).to_be_visible()
    screenshot("crm-organization-delete")
    page.get_by_role("button", name="Delete organization").click()

    expect(page.get_by_text(f"Organization “{org.name}” deleted in Affinity.")).to_be_visible()
    expect(page.locator(f"[data-organization-id='{org.pk}']")).to_have_count(0)
    org.refresh_from_db()
    assert org.is_deleted


def test_an_edit_from_a_page_opened_before_another_says_what_changed_then_replaces_it(
    synced_affinity, logged_in_page, live_server, screenshot
):
    """Ana opens the edit page; Ben changes the domain in another tab; Ana's own new
    domain is not saved over his without her knowing: the field says what it is now."""
    ana = logged_in_page
    org = Organization.objects.filter(is_global=False).exclude(remote_id=None).first()
    unique = uuid.uuid4().hex[:6]
    edit_url = f"{live_server.url}/organizations/{org.pk}/edit/"
    ana.goto(edit_url)

    ben = ana.context.new_page()
    ben.goto(edit_url)
    ben.fill("#id_domain", f"ben-{unique}.io")
    ben.get_by_role("button", name="Save changes").click()
    expect(ben.get_by_text("updated in Affinity")).to_be_visible()
    ben.close()

    ana.fill("#id_domain", f"ana-{unique}.io")
    ana.get_by_role("button", name="Save changes").click()
    expect(ana.locator("#id_domain")).to_have_attribute("aria-invalid", "true")
    said = (
        f"Changed by someone else since you opened this page: now “ben-{unique}.io”. "
        "Save again to replace it."
    )
    expect(ana.get_by_text(said)).to_be_visible()
    assert_accessible(ana)
    screenshot("crm-organization-edit-conflict")
    assert Organization.objects.get(pk=org.pk).domain == f"ben-{unique}.io"

    ana.get_by_role("button", name="Save changes").click()
    expect(ana.get_by_text("updated in Affinity")).to_be_visible()
    assert Organization.objects.get(pk=org.pk).domain == f"ana-{unique}.io"
