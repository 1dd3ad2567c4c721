"""The crm pages on the shared resource pages: the delete page (a framework page crm opts
into), Affinity's rules as hooks, and the descriptions being honest about their models.

Affinity is mocked with `responses` (an unregistered URL fails the test), so a write
really goes through the outbox and its delivery.
"""

from __future__ import annotations

import uuid

import pytest
from django.contrib import messages
from django.urls import NoReverseMatch, reverse

from ats.views import CANDIDATE_PAGES
from crm.models import Organization, Person
from crm.views import ORGANIZATION_PAGES, PERSON_PAGES
from integrations.models import OutboxItem
from integrations.models.synced import SyncStatus

BASE = "https://api.affinity.co"

pytestmark = pytest.mark.django_db


LEVELS = {messages.SUCCESS: "success", messages.ERROR: "error", messages.WARNING: "warning",
          messages.INFO: "info"}  # fmt: skip


def _said(page) -> list[tuple[str, str]]:
    return [(LEVELS[m.level], m.message) for m in page.context["messages"]]


def _delete(client, organization, **data):
    url = f"/organizations/{organization.pk}/delete/"
    return client.post(url, {"submission_key": uuid.uuid4().hex, **data}, follow=True)


# --- the delete page ---------------------------------------------------------------------


def test_the_delete_page_asks_first(logged_in_client, acme):
    page = logged_in_client.get(f"/organizations/{acme.pk}/delete/")
    html = page.content.decode()
    assert "Delete <strong>Acme</strong> (acme.io) from Affinity?" in html
    assert 'name="submission_key"' in html and 'data-testid="confirm-delete"' in html
    assert not OutboxItem.objects.exists()


def test_a_confirmed_delete_goes_through_the_outbox_to_affinity(logged_in_client, acme, rsps):
    rsps.add("DELETE", f"{BASE}/organizations/7", json={"success": True})
    page = _delete(logged_in_client, acme)
    assert page.request["PATH_INFO"] == "/organizations/"
    assert _said(page) == [("success", "Organization “Acme” deleted in Affinity.")]
    item = OutboxItem.objects.get()
    assert (item.operation, item.status, item.record_id) == (
        "affinity.organization.delete",
        OutboxItem.Status.DONE,
        acme.pk,
    )
    acme.refresh_from_db()
    assert acme.is_deleted
    assert f'data-organization-id="{acme.pk}"' not in page.content.decode()  # gone from the list


def test_a_delete_affinity_refuses_goes_back_to_the_organization(logged_in_client, acme, rsps):
    rsps.add("DELETE", f"{BASE}/organizations/7", status=422, json={"message": "Locked"})
    page = _delete(logged_in_client, acme)
    assert page.request["PATH_INFO"] == f"/organizations/{acme.pk}/"
    [(level, text)] = _said(page)
    assert level == "error"
    assert text.startswith("It was not sent. Affinity refused the data: Locked")
    assert OutboxItem.objects.get().refusal == "Locked"  # Affinity's words, from the error
    acme.refresh_from_db()
    assert not acme.is_deleted


def test_a_delete_while_affinity_is_down_is_saved_for_later(logged_in_client, acme, rsps):
    rsps.add("DELETE", f"{BASE}/organizations/7", status=503, json={})
    page = _delete(logged_in_client, acme)
    assert page.request["PATH_INFO"] == "/organizations/"
    assert _said(page)[0][0] == "warning"
    assert "will be sent to Affinity" in _said(page)[0][1]
    assert OutboxItem.objects.get().status == OutboxItem.Status.PENDING


def test_a_global_organization_cannot_be_deleted(logged_in_client, acme):
    Organization.objects.filter(pk=acme.pk).update(is_global=True)
    for page in (
        logged_in_client.get(f"/organizations/{acme.pk}/delete/", follow=True),
        _delete(logged_in_client, acme),
    ):
        assert page.request["PATH_INFO"] == f"/organizations/{acme.pk}/"
        assert _said(page) == [
            ("info", "Global organizations come from Affinity's own dataset and cannot be deleted.")
        ]
    assert not OutboxItem.objects.exists()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"remote_id": None}, "This organization can be deleted once Affinity has it."),
        ({"is_deleted": True}, "This organization is no longer in Affinity."),
    ],
)
def test_a_delete_waits_for_affinity_to_have_the_organization(
    logged_in_client, acme, change, reason
):
    Organization.objects.filter(pk=acme.pk).update(**change)
    page = _delete(logged_in_client, acme)
    assert page.request["PATH_INFO"] == f"/organizations/{acme.pk}/"
    assert _said(page) == [("info", reason)]
    assert not OutboxItem.objects.exists()


def test_a_delete_waits_while_a_change_is_on_its_way(logged_in_client, acme, connection):
    OutboxItem.objects.create(
        connection=connection, operation="affinity.organization.update", submission_key="s",
        record_type="crm.Organization", record_id=acme.pk, status=OutboxItem.Status.PENDING,
    )  # fmt: skip
    for url in (f"/organizations/{acme.pk}/delete/", f"/organizations/{acme.pk}/edit/"):
        page = logged_in_client.get(url, follow=True)
        assert page.request["PATH_INFO"] == f"/organizations/{acme.pk}/"
        assert "still on its way to Affinity" in _said(page)[0][1]


def test_without_a_connection_the_delete_page_is_the_not_connected_page(logged_in_client, db):
    page = logged_in_client.post("/organizations/1/delete/", {"submission_key": "s"})
    assert page.status_code == 200
    assert "Affinity is not connected" in page.content.decode()
    assert not OutboxItem.objects.exists()


def test_delete_is_a_page_only_resources_that_opt_in_have():
    assert ORGANIZATION_PAGES.url("delete", 3) == "/organizations/3/delete/"
    assert ORGANIZATION_PAGES.template("delete") == "crm/organization_confirm_delete.html"
    assert PERSON_PAGES.url("delete", 3) == "/persons/3/delete/"
    with pytest.raises(NoReverseMatch):
        reverse(CANDIDATE_PAGES.url_name("delete"), args=[3])


# --- Affinity's rules on the shared detail and edit pages ---------------------------------


def test_the_detail_page_shows_a_record_deleted_in_affinity_and_the_edit_page_says_so(
    logged_in_client, acme, connection
):
    person = Person.objects.create(
        connection=connection, first_name="Ada", last_name="L", remote_id="9", is_deleted=True
    )
    Organization.objects.filter(pk=acme.pk).update(is_deleted=True)
    for record, url in ((acme, "organizations"), (person, "persons")):
        detail = logged_in_client.get(f"/{url}/{record.pk}/").content.decode()
        assert "Deleted in Affinity" in detail
        edit = logged_in_client.get(f"/{url}/{record.pk}/edit/", follow=True)
        assert edit.request["PATH_INFO"] == f"/{url}/{record.pk}/"
        assert "is no longer in Affinity" in _said(edit)[0][1]


def test_the_edit_page_reads_affinity_even_when_the_copy_is_fresh(logged_in_client, acme, rsps):
    Organization.objects.filter(pk=acme.pk).update(sync_status=SyncStatus.SYNCED)
    logged_in_client.get(f"/organizations/{acme.pk}/")  # read recently: not asked again
    assert len(rsps.calls) == 0
    rsps.add(
        "GET",
        f"{BASE}/organizations/7",
        json={"id": 7, "name": "Acme Renamed", "domain": "acme.io", "person_ids": []},
    )
    page = logged_in_client.get(f"/organizations/{acme.pk}/edit/")
    assert len(rsps.calls) == 1
    assert page.context["form"].initial["name"] == "Acme Renamed"


def test_a_record_affinity_no_longer_has_shows_its_synced_copy_marked_deleted(
    logged_in_client, acme, connection, rsps
):
    person = Person.objects.create(connection=connection, first_name="Ada", remote_id="9")
    Organization.objects.filter(pk=acme.pk).update(links_loaded_at=None)  # due for a read
    for record, path, name, problem in (
        (acme, "organizations", "Acme", "This organization no longer exists in Affinity."),
        (person, "persons", "Ada", "This person no longer exists in Affinity."),
    ):
        rsps.add("GET", f"{BASE}/{path}/{record.remote_id}", status=404, json={"message": "Gone"})
        page = logged_in_client.get(f"/{path}/{record.pk}/")
        assert page.context["problem"] == problem
        assert problem in page.content.decode() and name in page.content.decode()
        record.refresh_from_db()
        assert record.is_deleted


@pytest.mark.parametrize("resource", [ORGANIZATION_PAGES, PERSON_PAGES])
def test_detail_fields_name_fields_of_the_model(resource):
    names = {field.name for field in resource.model._meta.get_fields()}
    assert set(resource.detail_fields) <= names
    assert resource.search and resource.url_name("edit").endswith("_edit")
