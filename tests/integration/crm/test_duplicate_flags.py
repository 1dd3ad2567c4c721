"""An organization created again at Affinity with the same domain is flagged after the sync."""

import pytest

from crm.models import Organization
from crm.sync import ORGANIZATIONS
from integrations.models import DuplicateFlag
from integrations.sync.engine import sync_resource

pytestmark = pytest.mark.django_db


def test_a_second_organization_with_the_domain_is_flagged(
    logged_in_client, synced, affinity_api, unique
):
    page = logged_in_client.get("/organizations/new/")
    key = page.context["form"]["submission_key"].value()
    created = logged_in_client.post(
        "/organizations/new/",
        {"submission_key": key, "name": f"Dupe {unique}", "domain": f"dupe-{unique}.io"},
        follow=True,
    )
    assert "created in Affinity" in created.content.decode()
    mine = Organization.objects.get(name=f"Dupe {unique}")
    other = affinity_api(
        "POST",
        "/organizations",
        json={"name": f"Dupe {unique} GmbH", "domain": f"DUPE-{unique}.io"},
    )

    assert sync_resource(connection=synced, resource=ORGANIZATIONS).status == "succeeded"

    copy = Organization.objects.get(connection=synced, remote_id=str(other["id"]))
    flag = DuplicateFlag.objects.get()
    assert (flag.identity_kind, flag.identity_value) == ("domain", f"dupe-{unique}.io")
    assert flag.record_ids == sorted([mine.pk, copy.pk])
    html = logged_in_client.get(f"/organizations/{copy.pk}/").content.decode()
    assert "Possible duplicate" in html and f'href="/organizations/{mine.pk}/"' in html
