"""The "changed since" stamp a list can poll: moved by each applied change."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from integrations.models import Connection, WebhookDelivery
from integrations.webhooks.apply import delivery_apply
from tests.unit.webhooks.payloads import affinity_event

pytestmark = pytest.mark.django_db


def test_the_stamp_moves_when_a_webhook_changes_a_record(logged_in_client):
    affinity = Connection.objects.create(provider="affinity", name="events")
    url = reverse("integrations:changes_stamp", args=[affinity.pk, "affinity.organizations"])
    assert logged_in_client.get(url).json() == {"changed_at": None}
    delivery = WebhookDelivery.objects.create(
        provider="affinity", connection=affinity, body=affinity_event(sent_at=int(time.time())),
        dedupe_key="one",
    )  # fmt: skip
    delivery_apply(delivery.pk)
    stamp = logged_in_client.get(url).json()["changed_at"]
    assert stamp
    before = logged_in_client.get(url, {"since": "2000-01-01T00:00:00Z"})
    assert before["HX-Trigger"] == "records-changed"
    assert "HX-Trigger" not in logged_in_client.get(url, {"since": stamp})


def test_the_stamp_needs_a_signed_in_user(client):
    response = client.get(reverse("integrations:changes_stamp", args=[1, "affinity.organizations"]))
    assert response.status_code == 302
