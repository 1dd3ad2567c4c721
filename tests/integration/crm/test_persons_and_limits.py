"""Person pages, and spent Affinity rate limits shown clearly."""

from __future__ import annotations

import pytest

from core.forms import edit_base
from crm.models import Organization, Person
from crm.sync import ORGANIZATIONS
from integrations.models import OutboxItem
from integrations.sync.engine import sync_resource


def _post(client, url, data):
    page = client.get(url)
    data = {"submission_key": page.context["form"]["submission_key"].value(), **data}
    return client.post(url, data, follow=True)


def test_person_list_and_detail_with_its_organizations(logged_in_client, synced):
    page = logged_in_client.get("/persons/")
    assert page.status_code == 200 and "Sync now" in page.content.decode()
    person = Person.objects.filter(connection=synced).exclude(emails=[]).first()
    found = logged_in_client.get("/persons/", {"q": person.primary_email})
    assert person.last_name in found.content.decode()
    detail = logged_in_client.get(f"/persons/{person.pk}/")
    person.refresh_from_db()
    assert person.links_loaded_at is not None  # read by id from Affinity
    html = detail.content.decode()
    for org in Organization.objects.filter(remote_id__in=person.organization_ids):
        assert f"/organizations/{org.pk}/" in html


def test_create_and_update_a_person(logged_in_client, synced, affinity_api, unique):
    org = Organization.objects.filter(connection=synced, is_global=False).first()
    page = _post(
        logged_in_client,
        "/persons/new/",
        {"first_name": "Ada", "last_name": f"Lovelace {unique}",
         "emails": f"ada-{unique}@example.org", "organizations": [org.remote_id]},
    )  # fmt: skip
    assert "created in Affinity" in page.content.decode()
    person = Person.objects.get(last_name=f"Lovelace {unique}")
    remote = affinity_api("GET", f"/persons/{person.remote_id}")
    assert remote["emails"] == [f"ada-{unique}@example.org"]
    assert remote["organization_ids"] == [int(org.remote_id)]
    org.refresh_from_db()
    assert person.remote_id in org.person_ids

    saved = _post(
        logged_in_client,
        f"/persons/{person.pk}/edit/",
        {"first_name": "Ada", "last_name": f"King {unique}",
         "emails": f"ada-{unique}@example.org\nada2-{unique}@example.org",
         "base_emails": f"ada-{unique}@example.org", "organizations": [],
         "base_organization_ids": org.remote_id,
         "base": edit_base({"first_name": "Ada", "last_name": f"Lovelace {unique}"})},
    )  # fmt: skip
    assert "updated in Affinity" in saved.content.decode()
    remote = affinity_api("GET", f"/persons/{person.remote_id}")
    assert remote["last_name"] == f"King {unique}" and len(remote["emails"]) == 2
    assert remote["organization_ids"] == []
    org.refresh_from_db()
    assert person.remote_id not in org.person_ids


def test_required_names_and_valid_emails(logged_in_client, synced):
    page = _post(logged_in_client, "/persons/new/", {"first_name": " ", "emails": "not-an-email"})
    errors = page.context["form"].errors
    assert {"first_name", "last_name", "emails"} <= set(errors)


def test_an_email_of_another_person_is_refused_on_the_email_field(logged_in_client, synced):
    taken = Person.objects.filter(connection=synced).exclude(emails=[]).first().primary_email
    page = _post(
        logged_in_client,
        "/persons/new/",
        {"first_name": "Copy", "last_name": "Cat", "emails": taken},
    )
    assert "already exists" in page.context["form"].errors["emails"][0]
    assert not Person.objects.filter(last_name="Cat", first_name="Copy").exists()


def test_spent_per_minute_limit_is_shown_clearly(logged_in_client, synced, sandbox_clean):
    sandbox_clean.set_faults("affinity", rate_limit_per_minute=1)
    logged_in_client.get("/organizations/search/", {"term": "a"})  # spends the minute
    page = logged_in_client.get("/organizations/search/", {"term": "a"})
    html = page.content.decode()
    assert "per-minute request limit is reached; try again after" in html


@pytest.fixture
def spent_month(sandbox_clean):
    monthly = sandbox_clean.app.apis["affinity"].monthly
    limit = monthly.limit
    monthly.limit = monthly.used  # the account's month is spent
    yield
    monthly.limit = limit


def test_spent_monthly_limit_is_shown_with_its_reset_date(
    logged_in_client, synced, spent_month, unique
):
    search = logged_in_client.get("/organizations/search/", {"term": "a"}).content.decode()
    assert "monthly API limit is used up; it resets on 1 " in search

    created = _post(logged_in_client, "/organizations/new/", {"name": f"Month {unique}"})
    html = created.content.decode()
    assert "Saved — it will be sent to Affinity as soon as it answers." in html
    assert "Affinity did not answer; we will retry after 1 " in html  # the reset
    item = OutboxItem.objects.get(summary=f"Create organization Month {unique}")
    assert item.status == "pending" and item.attempts == 1
    assert (item.next_attempt_at - item.created_at).total_seconds() > 3600  # not before the reset

    run = sync_resource(connection=synced, resource=ORGANIZATIONS)
    assert run.status == "failed" and "monthly API limit is used up; it resets on" in run.error
    listing = logged_in_client.get("/organizations/").content.decode()
    assert "The sync failed" in listing and f"sync run #{run.pk}" in listing
    assert "monthly API limit is used up" not in listing  # the detail is for staff
