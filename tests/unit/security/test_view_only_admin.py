"""A staff member whose admin rights are view-only: they look, they never see a secret
and never change a row."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from core.groups import permission_named
from integrations.models import Connection
from integrations.webhooks.endpoints import endpoint_for

pytestmark = pytest.mark.django_db
STORED = "stored-SECRET-token-31337"
CLIENT_SECRET = "cs-STORED-99"


@pytest.fixture
def viewer(client):
    person = get_user_model().objects.create_user(
        username="auditor", password="correct-horse-42", is_staff=True
    )
    person.user_permissions.set(
        [permission_named(f"integrations.view_{model}") for model in ("connection",)]
    )
    client.force_login(person)
    return client


def test_a_view_only_change_page_never_shows_the_secrets(viewer):
    row = Connection.objects.create(
        provider="recruitee", company_id="42", api_token=STORED, oauth_client_secret=CLIENT_SECRET
    )
    page = viewer.get(reverse("admin:integrations_connection_change", args=[row.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "42" in html  # the page shows the connection
    assert STORED not in html and CLIENT_SECRET not in html
    assert "A value is stored and never shown." in html
    token = endpoint_for(row).token  # the receiver URL's secret part (Affinity: its only one)
    assert token not in html
