"""Delete a person through the hub, against the sandbox's Affinity over real HTTP; and the
subdomain that "Open in Affinity" links use, read from whoami after the organizations sync."""

from __future__ import annotations

import uuid

from crm.models import Organization, Person
from crm.selectors import affinity_subdomain
from crm.tasks import organization_links_fill_task


def test_a_person_deleted_in_the_hub_is_gone_from_affinity(logged_in_client, synced, affinity_api):
    person = (
        Person.objects.filter(connection=synced, is_deleted=False)
        .exclude(organization_ids=[])
        .first()
        or Person.objects.filter(connection=synced, is_deleted=False).first()
    )

    page = logged_in_client.post(
        f"/persons/{person.pk}/delete/", {"submission_key": uuid.uuid4().hex}, follow=True
    )

    assert [str(m) for m in page.context["messages"]] == [f"Person “{person}” deleted in Affinity."]
    gone = affinity_api("GET", f"/persons/{person.remote_id}")
    assert "errors" in gone or not gone.get("id")
    person.refresh_from_db()
    assert person.is_deleted
    organizations = Organization.objects.filter(connection=synced)
    assert not [o for o in organizations if person.remote_id in o.person_ids]


def test_the_organizations_follow_up_learns_the_subdomain(logged_in_client, synced):
    assert affinity_subdomain(synced) == ""
    organization_links_fill_task.call(connection_id=synced.pk)
    assert affinity_subdomain(synced) == "sandbox"

    acme = Organization.objects.filter(connection=synced, is_deleted=False).first()
    html = logged_in_client.get(f"/organizations/{acme.pk}/").content.decode()
    assert f'href="https://sandbox.affinity.co/companies/{acme.remote_id}"' in html
