"""A connection whose stored secret no configured key decrypts (a key rotation done in the
wrong order, a damaged row) breaks only itself: the other connections are still scheduled,
shown, alerted on and applied, and the broken one says what is wrong without the secret."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
import responses
from cryptography.fernet import Fernet
from django.contrib import messages
from django.core.management import call_command
from django.db import connection as db_connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from integrations.http.errors import ConfigurationError
from integrations.management.commands.run_scheduler import Command
from integrations.models import Connection, OutboxItem, SyncRun, WebhookDelivery, WebhookEndpoint
from integrations.outbox.delivery import outbox_submit
from integrations.services.health import FAILING, HEALTHY, connections_health
from integrations.services.health_alerts import health_alerts_send
from integrations.shown_errors import refusal_words
from integrations.tasks import apply_webhooks_task, deliver_due_outbox_task
from integrations.webhooks.endpoints import endpoint_for
from tests.unit.sync.test_outbox import FakeCandidateCreate, _submit
from tests.unit.webhooks.conftest import post
from tests.unit.webhooks.payloads import affinity_event, hex_signature, recruitee_event

pytestmark = pytest.mark.django_db

LOST_KEY = Fernet.generate_key().decode()  # a key the settings no longer hold
PLAINTEXT = "rt-unreadable-plaintext-4242"


def _unreadable(name: str = "rotated") -> Connection:
    with override_settings(FIELD_ENCRYPTION_KEYS=[LOST_KEY]):
        return Connection.objects.create(
            provider="recruitee", name=name, company_id="1", api_token=PLAINTEXT
        )


def _readable(name: str = "fine") -> Connection:
    return Connection.objects.create(
        provider="recruitee", name=name, company_id="1", api_token="rt-fine-token"
    )


def test_the_scheduler_keeps_scheduling_the_others_and_says_which_once(caplog, monkeypatch):
    monkeypatch.setattr("integrations.sync.service.connection_resources", _candidates_only)
    bad, good = _unreadable(), _readable()
    scheduler = Command(stdout=StringIO())
    with caplog.at_level(logging.WARNING):
        scheduler.tick()
        scheduler.tick()
    assert SyncRun.objects.filter(connection=good).exists()
    assert not SyncRun.objects.filter(connection=bad).exists()
    said = [r.getMessage() for r in caplog.records if str(bad) in r.getMessage()]
    assert len(said) == 1 and "cannot be decrypted" in said[0]
    assert PLAINTEXT not in caplog.text


def _candidates_only(connection):
    from integrations.sync.registry import resource_for

    return [resource_for("recruitee.candidates")]


def test_the_health_page_shows_the_connection_failing_and_why():
    bad, good = _unreadable(), _readable()
    health = {h.connection.pk: h for h in connections_health()}
    assert health[good.pk].state == HEALTHY
    assert health[bad.pk].state == FAILING
    assert "API token or key cannot be decrypted" in health[bad.pk].reasons[0]


@override_settings(HEALTH_ALERT_WEBHOOK_URL="https://hooks.example.com/x")
def test_the_health_alerts_task_still_reports(monkeypatch):
    sent = []
    monkeypatch.setattr(
        "integrations.services.health_alerts._deliver",
        lambda alert, health, now: sent.append(health),
    )
    bad = _unreadable()
    _readable()
    health_alerts_send()
    assert [h.connection.pk for h in sent] == [bad.pk]


def test_saving_the_row_keeps_the_stored_secret_for_when_the_key_comes_back():
    bad = _unreadable()
    loaded = Connection.objects.get(pk=bad.pk)
    loaded.full_clean()
    loaded.save()
    with override_settings(FIELD_ENCRYPTION_KEYS=[LOST_KEY]):
        assert Connection.objects.get(pk=bad.pk).api_token == PLAINTEXT


def test_one_connections_webhook_deliveries_do_not_stop_the_others():
    bad = _unreadable()
    good = Connection.objects.create(provider="affinity", name="events")
    waiting = WebhookDelivery.objects.create(
        provider="recruitee", connection=bad, body=recruitee_event(7), dedupe_key="a"
    )
    applied = WebhookDelivery.objects.create(
        provider="affinity", connection=good, body=affinity_event(), dedupe_key="b"
    )
    apply_webhooks_task.call()
    waiting.refresh_from_db()
    applied.refresh_from_db()
    assert applied.state == WebhookDelivery.State.APPLIED
    assert waiting.state == WebhookDelivery.State.RECEIVED
    assert "cannot be decrypted" in waiting.error and PLAINTEXT not in waiting.error


def test_rotation_leaves_an_unreadable_secret_as_it_is_and_names_its_row():
    bad = _unreadable()
    _readable()
    out, err = StringIO(), StringIO()
    call_command("rotate_encryption_key", stdout=out, stderr=err)
    assert str(bad) in err.getvalue() and PLAINTEXT not in err.getvalue()
    with override_settings(FIELD_ENCRYPTION_KEYS=[LOST_KEY]):
        assert Connection.objects.get(pk=bad.pk).api_token == PLAINTEXT


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


def test_the_admin_lists_and_shows_the_problem(admin_client):
    bad = _unreadable()
    endpoint_for(bad)  # its webhook endpoint's signing secrets are readable
    listing = admin_client.get(reverse("admin:integrations_connection_changelist"))
    page = admin_client.get(reverse("admin:integrations_connection_change", args=[bad.pk]))
    assert listing.status_code == page.status_code == 200
    for html in (listing.content.decode(), page.content.decode()):
        assert "API token or key cannot be decrypted" in html and PLAINTEXT not in html
    assert "no key in FIELD_ENCRYPTION_KEY decrypts it. Type it again." in page.content.decode()


def test_entering_the_secret_again_in_the_admin_mends_the_connection(admin_client):
    bad = _unreadable()
    form = {
        "provider": "recruitee", "name": bad.name, "base_url": "", "api_token": "rt-new-1",
        "company_id": "1", "workspace_id": "", "oauth_client_id": "", "oauth_client_secret": "",
        "is_active": "on", "sync_interval_minutes": "",
    }  # fmt: skip
    url = reverse("admin:integrations_connection_change", args=[bad.pk])
    with mock.patch("integrations.admin.connection_test"):
        admin_client.post(url, form, follow=True)
    bad.refresh_from_db()
    assert bad.api_token == "rt-new-1" and not bad.secrets_problem


def test_an_unreadable_webhook_signing_secret_says_so_and_can_be_replaced(client):
    good = _readable()
    endpoint = endpoint_for(good)
    with override_settings(FIELD_ENCRYPTION_KEYS=[LOST_KEY]):
        endpoint.secret_add("whsec-lost")
        endpoint.save()
    endpoint = WebhookEndpoint.objects.get(pk=endpoint.pk)
    with pytest.raises(ConfigurationError, match="signing secrets cannot be decrypted"):
        endpoint.secret_list()
    endpoint.secret_add("whsec-new")  # pasted again in the admin
    endpoint.save()
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret_list() == ["whsec-new"]


def test_a_refused_write_of_the_connection_still_shows_its_message():
    bad = _unreadable()
    item, _ = outbox_submit(connection=bad, operation="x", payload={}, submission_key="k1")
    OutboxItem.objects.filter(pk=item.pk).update(refusal="Name can't be blank")
    assert refusal_words(OutboxItem.objects.get(pk=item.pk)) == "Name can't be blank"


def test_the_due_deliveries_task_sends_the_other_connections_writes(monkeypatch):
    fake = FakeCandidateCreate()
    monkeypatch.setattr("integrations.outbox.delivery.operation_for", lambda name: fake)
    bad, good = _unreadable(), _readable()
    waiting, _, _ = _submit(bad, key="w", name="Waits Here")
    sent, _, _ = _submit(good, key="s", name="Sent There")
    deliver_due_outbox_task.call()
    waiting.refresh_from_db()
    sent.refresh_from_db()
    assert sent.status == OutboxItem.Status.DONE
    assert waiting.status == OutboxItem.Status.PENDING
    assert "cannot be decrypted" in waiting.last_error and PLAINTEXT not in waiting.last_error


def _unreadable_signing_secret(provider: str = "recruitee") -> WebhookEndpoint:
    connection = Connection.objects.create(provider=provider, name="hooked", company_id="1")
    endpoint = endpoint_for(connection)
    with override_settings(FIELD_ENCRYPTION_KEYS=[LOST_KEY]):
        endpoint.secret_add("whsec-lost")
        endpoint.save()
    return WebhookEndpoint.objects.get(pk=endpoint.pk)


def test_deliveries_the_hub_cannot_verify_for_now_are_left_for_the_provider_to_retry(caplog):
    endpoint = _unreadable_signing_secret()
    body = recruitee_event()
    signed = {"X-Recruitee-Signature": hex_signature("whsec-lost", body)}
    with caplog.at_level(logging.INFO):
        answers = [post(Client(), endpoint, body, **signed) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [503, 503, 503]
    assert answers[0].json() == {"error": "cannot verify deliveries now; try again later"}
    assert not WebhookDelivery.objects.exists()
    said = [r for r in caplog.records if "cannot be decrypted" in r.getMessage()]
    assert len(said) == 1 and said[0].levelname == "WARNING"  # once, not per delivery
    assert not any(record.exc_info for record in caplog.records)  # no traceback
    assert "/webhooks/recruitee/********/" in caplog.text  # Django's "Service Unavailable"
    assert endpoint.token not in caplog.text and "whsec-lost" not in caplog.text


def test_the_health_page_says_why_the_connections_deliveries_are_refused():
    endpoint = _unreadable_signing_secret()
    _readable()
    health = {h.connection.pk: h for h in connections_health()}
    mine = health[endpoint.connection_id]
    assert mine.state == FAILING
    assert "webhook signing secrets cannot be decrypted" in mine.reasons[0]
    assert "whsec-lost" not in " ".join(mine.reasons)
    assert {h.state for pk, h in health.items() if pk != endpoint.connection_id} == {HEALTHY}


def test_subscribing_again_replaces_the_unreadable_secrets_with_the_handshakes():
    endpoint = _unreadable_signing_secret("asana")
    unasked = post(Client(), endpoint, b"", **{"X-Hook-Secret": "attacker"})
    assert unasked.status_code == 401  # unreadable secrets are secrets: none planted
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        handshake_until=timezone.now() + timedelta(seconds=30)
    )
    answer = post(Client(), endpoint, b"", **{"X-Hook-Secret": "asana-new-secret"})
    assert answer.status_code == 200 and answer["X-Hook-Secret"] == "asana-new-secret"
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret_list() == ["asana-new-secret"]


def _stored_signing_secrets(endpoint: WebhookEndpoint) -> str:
    """The column as stored: the Fernet token, not what Python sees."""
    with db_connection.cursor() as cursor:
        cursor.execute(
            "SELECT secrets FROM integrations_webhookendpoint WHERE id = %s", [endpoint.pk]
        )
        (stored,) = cursor.fetchone()
    return stored


def _subscribe_in_the_admin(admin_client, connection: Connection):
    return admin_client.post(
        reverse("admin:integrations_connection_changelist"),
        {"action": "subscribe_webhooks", "_selected_action": [connection.pk]},
        follow=True,
    )


ASANA_API = "https://app.asana.com/api/1.0"
ASANA_REFUSED = "Invalid value for target: the URL is not reachable."


def test_a_refused_subscribe_with_no_handshake_leaves_unreadable_secrets_as_stored(
    admin_client, settings
):
    """Putting the lost key back must still recover them: nothing empties or replaces them."""
    settings.HUB_PUBLIC_URL = "https://hub.example.com"
    endpoint = _unreadable_signing_secret("asana")
    Connection.objects.filter(pk=endpoint.connection_id).update(
        base_url=ASANA_API, api_token="asana-token", workspace_id="1200"
    )
    stored = _stored_signing_secrets(endpoint)
    with responses.RequestsMock() as rsps:  # Asana refuses before any handshake
        rsps.add("GET", f"{ASANA_API}/webhooks", json={"data": []})  # no hook before
        refused = json.dumps({"errors": [{"message": ASANA_REFUSED}]})
        rsps.add("POST", f"{ASANA_API}/webhooks", body=refused, status=400)
        response = _subscribe_in_the_admin(admin_client, endpoint.connection)
    assert _stored_signing_secrets(endpoint) == stored
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).handshake_until is None
    [said] = list(response.context["messages"])
    assert said.level == messages.ERROR
    assert str(endpoint.connection) in said.message and ASANA_REFUSED in said.message
    with override_settings(FIELD_ENCRYPTION_KEYS=[LOST_KEY]):
        assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret_list() == ["whsec-lost"]


def test_a_refused_subscribe_after_a_planted_handshake_puts_the_unreadable_secrets_back(
    admin_client, settings
):
    """Someone's handshake came first in the window, so Asana's failed and it refused the
    subscription: the planted secret goes, and the unreadable ones come back as stored, so
    putting the lost key back still recovers them."""
    settings.HUB_PUBLIC_URL = "https://hub.example.com"
    endpoint = _unreadable_signing_secret("asana")
    Connection.objects.filter(pk=endpoint.connection_id).update(
        base_url=ASANA_API, api_token="asana-token", workspace_id="1200"
    )
    stored = _stored_signing_secrets(endpoint)

    def someone_answers_first(request):
        planted = post(Client(), endpoint, b"", **{"X-Hook-Secret": "attacker"})
        assert planted.status_code == 200  # first in the window: taken for Asana's
        error = {"message": "The remote server did not respond with the handshake secret."}
        return 400, {}, json.dumps({"errors": [error]})

    with responses.RequestsMock() as rsps:
        rsps.add("GET", f"{ASANA_API}/webhooks", json={"data": []})  # no hook before
        rsps.add_callback("POST", f"{ASANA_API}/webhooks", callback=someone_answers_first)
        _subscribe_in_the_admin(admin_client, endpoint.connection)
    assert _stored_signing_secrets(endpoint) == stored
    with override_settings(FIELD_ENCRYPTION_KEYS=[LOST_KEY]):
        assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret_list() == ["whsec-lost"]


def test_a_subscribe_with_an_unreadable_token_says_why_and_leaves_the_secrets_as_stored(
    admin_client, settings
):
    """A rotation done in the wrong order leaves the token and the signing secrets unreadable:
    nothing is sent to Asana, no handshake is awaited, and the admin is told why."""
    settings.HUB_PUBLIC_URL = "https://hub.example.com"
    with override_settings(FIELD_ENCRYPTION_KEYS=[LOST_KEY]):
        connection = Connection.objects.create(
            provider="asana", name="rotated", base_url=ASANA_API, api_token=PLAINTEXT,
            workspace_id="1200",
        )  # fmt: skip
        endpoint = endpoint_for(connection)
        endpoint.secret_add("whsec-lost")
        endpoint.save()
    stored = _stored_signing_secrets(endpoint)
    with responses.RequestsMock():  # any call to Asana fails the test
        response = _subscribe_in_the_admin(admin_client, connection)
    assert _stored_signing_secrets(endpoint) == stored
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).handshake_until is None
    [said] = list(response.context["messages"])
    assert said.level == messages.ERROR and "cannot be decrypted" in said.message
    assert PLAINTEXT not in said.message
