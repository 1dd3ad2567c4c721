"""Organization pages end to end: the hub, its outbox and the sandbox's Affinity."""

from __future__ import annotations

import uuid

from core.forms import edit_base
from crm.models import AffinityList, Organization, Person
from crm.sync import LISTS, ORGANIZATIONS
from integrations.models import OutboxItem
from integrations.outbox.delivery import outbox_deliver_due
from integrations.sync.engine import sync_resource


def _post(client, url, data):
    page = client.get(url)
    data = {"submission_key": page.context["form"]["submission_key"].value(), **data}
    return client.post(url, data, follow=True)


def _two_persons(connection):
    persons = Person.objects.filter(connection=connection).exclude(emails=[]).order_by("pk")[:2]
    return list(persons)


def test_the_list_shows_synced_organizations_with_search(logged_in_client, synced):
    page = logged_in_client.get("/organizations/")
    assert page.status_code == 200
    html = page.content.decode()
    assert ">global</span>" in html and "Last synced" in html and "Sync now" in html
    assert "Search all of Affinity" in html
    org = Organization.objects.filter(connection=synced).exclude(domain="").first()
    found = logged_in_client.get("/organizations/", {"q": org.domain.upper()})
    assert org.name in found.content.decode()
    assert found.context["page_obj"].paginator.count >= 1
    nothing = logged_in_client.get("/organizations/", {"q": "zz-no-such-org"})
    assert "No synced organization matches" in nothing.content.decode()


def test_provider_text_is_escaped(logged_in_client, synced):
    Organization.objects.filter(connection=synced).update(name="<script>alert(1)</script>")
    html = logged_in_client.get("/organizations/").content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


def test_create_update_and_delete(logged_in_client, synced, affinity_api, unique):
    first, second = _two_persons(synced)
    page = _post(
        logged_in_client,
        "/organizations/new/",
        {"name": f"Acme {unique}", "domain": f"acme-{unique}.io",
         "persons": [first.remote_id, second.remote_id]},
    )  # fmt: skip
    assert f"Organization “Acme {unique}” created in Affinity." in page.content.decode()
    org = Organization.objects.get(name=f"Acme {unique}")
    assert org.remote_id and org.sync_status == "synced" and org.persons_count == 2
    remote = affinity_api("GET", f"/organizations/{org.remote_id}")
    assert remote["domain"] == f"acme-{unique}.io"
    assert sorted(remote["person_ids"]) == sorted([int(first.remote_id), int(second.remote_id)])
    first.refresh_from_db()
    assert org.remote_id in first.organization_ids  # the other side follows

    # The edit form is loaded; meanwhile someone adds a third person in Affinity.
    edit = logged_in_client.get(f"/organizations/{org.pk}/edit/")
    key = edit.context["form"]["submission_key"].value()
    base = edit.context["form"]["base_person_ids"].value()
    shown = edit.context["form"]["base"].value()
    third = Person.objects.filter(connection=synced).exclude(pk__in=[first.pk, second.pk]).first()
    affinity_api(
        "PUT",
        f"/organizations/{org.remote_id}",
        json={"person_ids": [*remote["person_ids"], int(third.remote_id)]},
    )
    # The form drops the second person and changes the domain.
    saved = logged_in_client.post(
        f"/organizations/{org.pk}/edit/",
        {"submission_key": key, "base": shown, "base_person_ids": base, "name": f"Acme {unique}",
         "domain": f"acme-{unique}.com", "persons": [first.remote_id]},
        follow=True,
    )  # fmt: skip
    assert "updated in Affinity" in saved.content.decode()
    remote = affinity_api("GET", f"/organizations/{org.remote_id}")
    assert remote["domain"] == f"acme-{unique}.com"
    assert sorted(remote["person_ids"]) == sorted([int(first.remote_id), int(third.remote_id)])
    org.refresh_from_db()
    assert org.domain == f"acme-{unique}.com" and org.persons_count == 2

    detail = logged_in_client.get(f"/organizations/{org.pk}/").content.decode()
    assert f"/persons/{first.pk}/" in detail and f"acme-{unique}.com" in detail

    confirm = logged_in_client.get(f"/organizations/{org.pk}/delete/")
    assert "cannot be undone" in confirm.content.decode()
    deleted = _post(logged_in_client, f"/organizations/{org.pk}/delete/", {})
    assert "deleted in Affinity" in deleted.content.decode()
    assert affinity_api("GET", f"/organizations/{org.remote_id}")["errors"]
    org.refresh_from_db()
    assert org.is_deleted
    assert f"Acme {unique}" not in logged_in_client.get("/organizations/").content.decode()


def test_duplicate_domain_warns_with_a_link_and_can_be_created_anyway(
    logged_in_client, synced, unique
):
    existing = Organization.objects.filter(connection=synced, is_global=False).exclude(domain="")
    existing = existing.first()
    data = {"name": f"Again {unique}", "domain": existing.domain.upper()}
    page = _post(logged_in_client, "/organizations/new/", data)
    html = page.content.decode()
    assert "An organization with this domain already exists" in html
    assert f"/organizations/{existing.pk}/" in html and "Create anyway" in html
    assert not Organization.objects.filter(name=f"Again {unique}").exists()
    key = page.context["form"]["submission_key"].value()
    anyway = logged_in_client.post(
        "/organizations/new/", {**data, "submission_key": key, "create_anyway": "1"}, follow=True
    )
    assert "created in Affinity" in anyway.content.decode()
    assert Organization.objects.get(name=f"Again {unique}").domain == existing.domain


def test_back_and_resubmit_writes_once_and_a_changed_page_is_refused(
    logged_in_client, synced, affinity_api, unique
):
    """Submit, Back, submit the same page again: one organization. Back, change the name,
    submit with the same key: refused (answering with the first write would say the
    change was saved), the values kept, and a new key so a deliberate submit creates."""
    domain = f"back-{unique}.io"
    data = {"name": f"Back {unique}", "domain": domain}
    first = _post(logged_in_client, "/organizations/new/", data)
    assert f"Organization “Back {unique}” created in Affinity." in first.content.decode()
    key = OutboxItem.objects.get(summary=f"Create organization Back {unique}").submission_key

    again = logged_in_client.post(
        "/organizations/new/", {**data, "submission_key": key}, follow=True
    )
    assert f"Organization “Back {unique}” created in Affinity." in again.content.decode()
    at_affinity = affinity_api("GET", "/organizations", params={"term": domain})
    assert [o["name"] for o in at_affinity["organizations"]] == [f"Back {unique}"]

    changed = {**data, "name": f"Back Changed {unique}"}
    page = logged_in_client.post("/organizations/new/", {**changed, "submission_key": key})
    html = page.content.decode()
    assert page.status_code == 200
    assert "This form was already submitted with different values" in html
    form = page.context["form"]
    assert form["name"].value() == f"Back Changed {unique}" and form["domain"].value() == domain
    assert form["submission_key"].value() != key
    assert not Organization.objects.filter(name=f"Back Changed {unique}").exists()
    at_affinity = affinity_api("GET", "/organizations", params={"term": domain})
    assert [o["name"] for o in at_affinity["organizations"]] == [f"Back {unique}"]
    assert OutboxItem.objects.filter(summary__contains=f"Back Changed {unique}").count() == 0

    # Submitting the kept values again is a new create: the domain check sees the first.
    fresh = form["submission_key"].value()
    warned = logged_in_client.post("/organizations/new/", {**changed, "submission_key": fresh})
    assert "An organization with this domain already exists" in warned.content.decode()
    anyway = logged_in_client.post(
        "/organizations/new/",
        {**changed, "submission_key": fresh, "create_anyway": "1"},
        follow=True,
    )
    assert f"Organization “Back Changed {unique}” created in Affinity." in (anyway.content.decode())
    at_affinity = affinity_api("GET", "/organizations", params={"term": domain})
    assert sorted(o["name"] for o in at_affinity["organizations"]) == sorted(
        [f"Back Changed {unique}", f"Back {unique}"]
    )


def test_a_domain_must_not_be_a_url(logged_in_client, synced):
    page = _post(logged_in_client, "/organizations/new/", {"name": "X", "domain": "https://x.io/"})
    assert "not a URL" in page.content.decode()
    assert page.context["form"].errors["domain"]


def test_a_global_organization_cannot_be_renamed(logged_in_client, synced):
    org = Organization.objects.filter(connection=synced, is_global=True).first()
    edit = logged_in_client.get(f"/organizations/{org.pk}/edit/")
    html = edit.content.decode()
    assert "global organization from Affinity" in html and "disabled" in html
    assert "/delete/" not in logged_in_client.get(f"/organizations/{org.pk}/").content.decode()
    # A local copy that does not know it is global: Affinity itself refuses the rename.
    # (A POST does not refresh first: the edit page's GET already did.)
    Organization.objects.filter(pk=org.pk).update(is_global=False)
    page = logged_in_client.post(
        f"/organizations/{org.pk}/edit/",
        {
            "name": "Renamed",
            "domain": org.domain,
            "submission_key": uuid.uuid4().hex,
            "base": edit_base({"name": org.name, "domain": org.domain}),
        },
    )
    form = page.context["form"]
    assert "Cannot change the name or domain of a global organization" in form.errors["name"][0]
    org.refresh_from_db()
    assert org.name != "Renamed" and org.is_global  # the refused edit is undone


def test_deleting_a_global_organization_is_refused(logged_in_client, synced):
    org = Organization.objects.filter(connection=synced, is_global=True).first()
    page = logged_in_client.get(f"/organizations/{org.pk}/delete/", follow=True)
    assert "cannot be deleted" in page.content.decode()


def test_affinity_down_saves_and_shows_pending(logged_in_client, synced, sandbox_clean, unique):
    sandbox_clean.set_faults(
        "affinity", error_rate=1, error_statuses=[503], methods=["GET", "POST"]
    )
    page = _post(logged_in_client, "/organizations/new/", {"name": f"Later {unique}", "domain": ""})
    html = page.content.decode()
    assert "Saved — it will be sent to Affinity as soon as it answers." in html
    org = Organization.objects.get(name=f"Later {unique}")
    assert org.sync_status == "pending" and org.remote_id is None
    assert OutboxItem.objects.get(record_id=org.pk).status == "pending"
    listing = logged_in_client.get("/organizations/", {"q": f"later {unique}"}).content.decode()
    assert ">Pending</span>" in listing


def test_live_search_includes_global_organizations_and_opens_them(
    logged_in_client, synced, affinity_api
):
    org = Organization.objects.filter(connection=synced, is_global=True).first()
    Organization.objects.filter(pk=org.pk).delete()  # global, not synced into the hub
    page = logged_in_client.get("/organizations/search/", {"term": org.name})
    html = page.content.decode()
    assert f"/organizations/affinity/{org.remote_id}/" in html and ">global</span>" in html
    opened = logged_in_client.get(f"/organizations/affinity/{org.remote_id}/")
    assert "Read live from Affinity" in opened.content.decode()
    missing = logged_in_client.get("/organizations/affinity/99999999/")
    assert "no organization with this id" in missing.content.decode()


def test_not_connected(logged_in_client, db):
    for url in ("/organizations/", "/persons/", "/organizations/new/"):
        assert "Affinity is not connected" in logged_in_client.get(url).content.decode()


def test_not_connected_links_staff_to_the_admin(client, staff_user):
    client.force_login(staff_user)
    html = client.get("/organizations/").content.decode()
    assert "/admin/integrations/connection/add/" in html


def test_after_a_sync_a_background_task_fills_the_persons_counts(
    affinity_connection, immediate_tasks, affinity_api, monkeypatch
):
    monkeypatch.setattr("crm.tasks.LINKS_FILL_PER_RUN", 5)
    run = sync_resource(connection=affinity_connection, resource=ORGANIZATIONS)
    assert run.status == "succeeded", run.error

    filled = Organization.objects.exclude(links_loaded_at=None).order_by("remote_id")
    assert filled.count() == 5, "one bounded batch per sync"
    for organization in filled:
        at_affinity = affinity_api("GET", f"/organizations/{organization.remote_id}")
        assert organization.persons_count == len(at_affinity["person_ids"])

    sync_resource(connection=affinity_connection, resource=ORGANIZATIONS, full=True)
    assert Organization.objects.exclude(links_loaded_at=None).count() == 10


def test_bulk_delete_over_http_sends_each_row_once(logged_in_client, synced, affinity_api):
    """Ticked organizations deleted at the sandbox's Affinity through the worker's delivery;
    the result page reports each row, and a double submit deletes nothing twice."""
    ticked = list(Organization.objects.filter(connection=synced, is_global=False)[:3])
    key = str(uuid.uuid4())
    data = {"action": "delete", "submission_key": key, "ids": [str(o.pk) for o in ticked]}
    page = logged_in_client.post("/organizations/bulk/", data, follow=True)
    assert "3 waiting" in page.content.decode()
    logged_in_client.post("/organizations/bulk/", data)  # a double submit
    assert OutboxItem.objects.filter(submission_key__startswith=key).count() == 3

    assert outbox_deliver_due() == 3
    html = logged_in_client.get(f"/organizations/bulk/{key}/").content.decode()
    assert "3 sent · 0 refused · 0 waiting" in html
    for org in ticked:
        assert affinity_api("GET", f"/organizations/{org.remote_id}")["errors"]
        org.refresh_from_db()
        assert org.is_deleted


def test_bulk_add_to_a_list_over_http(logged_in_client, synced, affinity_api):
    """Ticked organizations join an Affinity list at the sandbox; a double submit adds none
    twice, though Affinity would take the same entity twice."""
    assert sync_resource(connection=synced, resource=LISTS).status == "succeeded"
    target = AffinityList.objects.get(connection=synced, list_type=1, name="Key accounts")
    ticked = list(Organization.objects.filter(connection=synced).order_by("pk")[:2])
    key = str(uuid.uuid4())
    data = {"action": "add_to_list", "target": str(target.pk), "submission_key": key,
            "ids": [str(o.pk) for o in ticked]}  # fmt: skip
    logged_in_client.post("/organizations/bulk/", data)
    logged_in_client.post("/organizations/bulk/", data)

    assert outbox_deliver_due() == 2
    html = logged_in_client.get(f"/organizations/bulk/{key}/").content.decode()
    assert "2 sent · 0 refused · 0 waiting" in html
    entries = affinity_api("GET", f"/lists/{target.remote_id}/list-entries")
    added = [e["entity_id"] for e in entries]
    assert sorted(added) == sorted(int(o.remote_id) for o in ticked)


def test_an_organization_whose_name_holds_a_nul_character_syncs(sandbox_connection, sandbox_clean):
    """PostgreSQL refuses NUL in text and JSON: one such record failed every full sync
    of the organizations at its page; it now reads (and shows) as U+FFFD."""
    import requests

    connection = sandbox_connection("affinity")
    created = requests.post(
        sandbox_clean.url_for("affinity") + "/organizations",
        json={"name": "Null\u0000Byte Ltd"},
        auth=("", "sandbox-affinity"),
        timeout=5,
    ).json()
    run = sync_resource(connection=connection, resource=ORGANIZATIONS, full=True)
    assert run.status == "succeeded", run.error
    stored = Organization.objects.get(connection=connection, remote_id=str(created["id"]))
    assert stored.name == "Null\ufffdByte Ltd"
