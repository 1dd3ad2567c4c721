"""The receiver over Django's request cycle: public, CSRF-exempt, POST only, capped, and
storing each verified delivery once."""

from __future__ import annotations

import json
import logging
import time

import pytest
import requests
import responses
from django.db import connection as db_connection
from django.utils import timezone

from integrations.http.errors import IntegrationError
from integrations.models import Connection, WebhookDelivery, WebhookEndpoint
from integrations.webhooks.endpoints import receiver_url
from integrations.webhooks.receive import delivery_store
from integrations.webhooks.subscriptions import webhook_subscribe
from integrations.webhooks.verify import Inbound, Verified
from tests.unit.webhooks.conftest import post
from tests.unit.webhooks.payloads import (
    ASANA_SECRET,
    RECRUITEE_SECRET,
    STANDARD_SECRET,
    affinity_event,
    asana_events,
    body_of,
    hex_signature,
    projecttool_event,
    recruitee_event,
    standard_headers,
)

pytestmark = pytest.mark.django_db
ASANA_API = "https://app.asana.com/api/1.0"
TOOL_API = "https://tool.example.com/v1"


def _stored_secrets() -> str:
    """The one endpoint's secrets column as stored (encrypted)."""
    with db_connection.cursor() as cursor:
        cursor.execute("SELECT secrets FROM integrations_webhookendpoint")
        (stored,) = cursor.fetchone()
    return stored


def _asana_subscribing(endpoint, settings) -> Connection:
    """The endpoint's connection, ready to subscribe at Asana's workspace 1200."""
    settings.HUB_PUBLIC_URL = "https://hub.example.com"
    Connection.objects.filter(pk=endpoint.connection_id).update(
        base_url=ASANA_API, api_token="asana-token", workspace_id="1200"
    )
    return Connection.objects.get(pk=endpoint.connection_id)


def _asana_hooks(rsps, *listings: list[dict]) -> None:
    """`GET /webhooks` answering each listing in turn (the last one repeats)."""
    for hooks in listings:
        rsps.add("GET", f"{ASANA_API}/webhooks", json={"data": hooks})


def recruitee_post(client, endpoint, body, secret=RECRUITEE_SECRET):
    return post(client, endpoint, body, **{"X-Recruitee-Signature": hex_signature(secret, body)})


class TestRecruitee:
    def test_a_signed_delivery_is_stored_once_with_its_signature_masked(
        self, provider_client, endpoint_of, django_capture_on_commit_callbacks
    ):
        endpoint = endpoint_of("recruitee", RECRUITEE_SECRET)
        body = recruitee_event()
        with django_capture_on_commit_callbacks(execute=True) as queued:
            first = recruitee_post(provider_client, endpoint, body)
            again = recruitee_post(provider_client, endpoint, body)
        assert first.status_code == again.status_code == 200
        delivery = WebhookDelivery.objects.get()
        assert bytes(delivery.body) == body
        assert delivery.state == WebhookDelivery.State.RECEIVED
        assert delivery.headers["X-Recruitee-Signature"] == "********"
        assert delivery.headers["User-Agent"] == "Recruitee-Webhooks"
        assert len(queued) == 1  # one apply task, for the one stored copy

    def test_a_forged_delivery_gets_401_is_logged_without_secrets_and_stores_nothing(
        self, provider_client, endpoint_of, caplog
    ):
        endpoint = endpoint_of("recruitee", RECRUITEE_SECRET)
        body = recruitee_event()
        with caplog.at_level(logging.WARNING, logger="integrations.webhooks.receive"):
            response = recruitee_post(provider_client, endpoint, body, secret="guess")
        assert response.status_code == 401
        assert not WebhookDelivery.objects.exists()
        assert "does not match" in caplog.text
        assert RECRUITEE_SECRET not in caplog.text and endpoint.token not in caplog.text

    def test_the_test_ping_gets_200_before_any_secret_is_stored(self, provider_client, endpoint_of):
        endpoint = endpoint_of("recruitee")
        response = post(provider_client, endpoint, b'{"test":true}')
        assert response.status_code == 200
        assert not WebhookDelivery.objects.exists()

    def test_an_unknown_token_a_wrong_provider_or_an_inactive_connection_is_404(
        self, provider_client, endpoint_of
    ):
        endpoint = endpoint_of("recruitee", RECRUITEE_SECRET)
        body = recruitee_event()
        signature = {"X-Recruitee-Signature": hex_signature(RECRUITEE_SECRET, body)}
        assert (
            provider_client.post(
                f"/webhooks/recruitee/{'x' * 43}/", body, content_type="application/json"
            ).status_code
            == 404
        )
        wrong = f"/webhooks/affinity/{endpoint.token}/"
        assert (
            provider_client.post(
                wrong, body, content_type="application/json", headers=signature
            ).status_code
            == 404
        )
        endpoint.connection.is_active = False
        endpoint.connection.save()
        assert recruitee_post(provider_client, endpoint, body).status_code == 404

    def test_only_post_and_a_body_over_the_cap_is_refused_unread(
        self, provider_client, endpoint_of, settings
    ):
        endpoint = endpoint_of("recruitee", RECRUITEE_SECRET)
        path = f"/webhooks/recruitee/{endpoint.token}/"
        assert provider_client.get(path).status_code == 405
        huge = b'{"pad":"' + b"x" * settings.WEBHOOK_MAX_BODY_BYTES + b'"}'
        assert recruitee_post(provider_client, endpoint, huge).status_code == 413
        assert not WebhookDelivery.objects.exists()

    def test_a_host_not_allowed_is_refused_and_stores_nothing(self, provider_client, endpoint_of):
        endpoint = endpoint_of("recruitee", RECRUITEE_SECRET)
        body = recruitee_event()
        response = provider_client.post(
            f"/webhooks/recruitee/{endpoint.token}/",
            body,
            content_type="application/json",
            headers={"X-Recruitee-Signature": hex_signature(RECRUITEE_SECRET, body)},
            HTTP_HOST="evil.example",
        )
        assert response.status_code == 400
        assert not WebhookDelivery.objects.exists()

    def test_a_delivery_sets_no_cookie(self, provider_client, endpoint_of):
        endpoint = endpoint_of("recruitee", RECRUITEE_SECRET)
        response = recruitee_post(provider_client, endpoint, recruitee_event())
        assert response.status_code == 200
        assert not response.cookies


class TestAsana:
    def test_the_handshake_is_echoed_and_its_secret_kept_encrypted(
        self, provider_client, endpoint_of
    ):
        endpoint = endpoint_of("asana")
        endpoint.handshake_until = timezone.now() + timezone.timedelta(seconds=30)
        endpoint.save()
        response = post(provider_client, endpoint, b"", **{"X-Hook-Secret": ASANA_SECRET})
        assert response.status_code == 200
        assert response["X-Hook-Secret"] == ASANA_SECRET
        assert WebhookEndpoint.objects.get().secret_list() == [ASANA_SECRET]
        assert ASANA_SECRET not in _stored_secrets()

    def test_a_handshake_nobody_expects_is_refused_and_plants_nothing(
        self, provider_client, endpoint_of
    ):
        endpoint = endpoint_of("asana", ASANA_SECRET)
        response = post(provider_client, endpoint, b"", **{"X-Hook-Secret": "attacker"})
        assert response.status_code == 401
        assert "X-Hook-Secret" not in response
        assert WebhookEndpoint.objects.get().secret_list() == [ASANA_SECRET]

    def test_a_handshake_on_a_new_endpoint_the_hub_is_not_subscribing_plants_nothing(
        self, provider_client, endpoint_of
    ):
        """Whoever knows the URL of an endpoint with no secret yet could otherwise plant
        one and sign forged events with it, even after the hub's own subscription."""
        endpoint = endpoint_of("asana")
        response = post(provider_client, endpoint, b"", **{"X-Hook-Secret": "attacker"})
        assert response.status_code == 401
        assert "X-Hook-Secret" not in response
        assert WebhookEndpoint.objects.get().secret_list() == []

    def test_only_the_first_handshake_of_a_subscription_is_kept(self, provider_client, endpoint_of):
        """Asana sends one handshake per subscription: a second one in the window is
        someone else's, who would otherwise plant a secret to sign forged events with."""
        endpoint = endpoint_of("asana")
        endpoint.handshake_until = timezone.now() + timezone.timedelta(seconds=30)
        endpoint.save()
        first = post(provider_client, endpoint, b"", **{"X-Hook-Secret": ASANA_SECRET})
        second = post(provider_client, endpoint, b"", **{"X-Hook-Secret": "attacker"})
        assert (first.status_code, second.status_code) == (200, 401)
        assert WebhookEndpoint.objects.get().secret_list() == [ASANA_SECRET]

    def test_a_subscription_asana_refused_keeps_no_secret_from_its_window(
        self, provider_client, endpoint_of, settings
    ):
        """Someone who answers the window's handshake first makes Asana's own handshake
        fail, so Asana refuses the subscription: the secret that came is not Asana's."""
        endpoint = endpoint_of("asana", "older-secret")
        connection = _asana_subscribing(endpoint, settings)

        def asana_creates_the_webhook(request):
            planted = post(provider_client, endpoint, b"", **{"X-Hook-Secret": "attacker"})
            assert planted.status_code == 200  # first in the window: taken for Asana's
            error = {"message": "The remote server did not respond with the handshake secret."}
            return 400, {}, json.dumps({"errors": [error]})

        with responses.RequestsMock() as rsps:
            _asana_hooks(rsps, [])
            rsps.add_callback("POST", f"{ASANA_API}/webhooks", callback=asana_creates_the_webhook)
            with pytest.raises(IntegrationError):
                webhook_subscribe(connection)
        stored = WebhookEndpoint.objects.get()
        assert stored.secret_list() == ["older-secret"]
        assert stored.handshake_until is None

    def test_a_hook_asana_made_whose_answer_timed_out_keeps_the_handshakes_secret(
        self, provider_client, endpoint_of, settings
    ):
        """The handshake came and Asana made the hook, but its answer never reached the
        hub: the hook is found in Asana's list, so the admin is told it is subscribed and
        its events verify (they were refused with 401 until someone subscribed again)."""
        endpoint = endpoint_of("asana", "older-secret")
        connection = _asana_subscribing(endpoint, settings)
        hook = {"gid": "987", "resource_type": "webhook", "target": receiver_url(endpoint)}

        def asana_makes_the_hook_but_its_answer_is_lost(request):
            handshake = post(provider_client, endpoint, b"", **{"X-Hook-Secret": ASANA_SECRET})
            assert handshake.status_code == 200
            raise requests.exceptions.ReadTimeout("read timed out")

        with responses.RequestsMock() as rsps:
            _asana_hooks(rsps, [], [hook])
            rsps.add_callback(
                "POST",
                f"{ASANA_API}/webhooks",
                callback=asana_makes_the_hook_but_its_answer_is_lost,
            )
            subscription = webhook_subscribe(connection)
        assert subscription.id == "987"
        stored = WebhookEndpoint.objects.get()
        assert stored.secret_list() == [ASANA_SECRET, "older-secret"]
        assert stored.handshake_until is None

    def test_a_dropped_connection_and_no_new_hook_at_asana_keeps_no_secret_and_says_so(
        self, provider_client, endpoint_of, settings
    ):
        """A hook Asana had before is no proof: a planted handshake makes Asana's fail,
        so Asana makes no new hook, and the one it lists is the old one."""
        endpoint = endpoint_of("asana", "older-secret")
        connection = _asana_subscribing(endpoint, settings)
        old = {"gid": "900", "resource_type": "webhook", "target": receiver_url(endpoint)}

        def planted_then_the_connection_drops(request):
            planted = post(provider_client, endpoint, b"", **{"X-Hook-Secret": "attacker"})
            assert planted.status_code == 200
            raise requests.exceptions.ConnectionError("connection reset by peer")

        with responses.RequestsMock() as rsps:
            _asana_hooks(rsps, [old], [old])
            rsps.add_callback(
                "POST", f"{ASANA_API}/webhooks", callback=planted_then_the_connection_drops
            )
            with pytest.raises(IntegrationError, match="made no new webhook"):
                webhook_subscribe(connection)
        stored = WebhookEndpoint.objects.get()
        assert stored.secret_list() == ["older-secret"]
        assert stored.handshake_until is None

    def test_a_lost_answer_and_a_list_that_cannot_be_read_keep_no_secret_and_say_so(
        self, provider_client, endpoint_of, settings
    ):
        """Without the list nothing proves the handshake was Asana's: the admin is told a
        hook may exist and how to clear it."""
        endpoint = endpoint_of("asana", "older-secret")
        connection = _asana_subscribing(endpoint, settings)

        def handshake_then_timeout(request):
            post(provider_client, endpoint, b"", **{"X-Hook-Secret": ASANA_SECRET})
            raise requests.exceptions.ReadTimeout("read timed out")

        with responses.RequestsMock() as rsps:
            _asana_hooks(rsps, [])
            rsps.add_callback("POST", f"{ASANA_API}/webhooks", callback=handshake_then_timeout)
            refused = {"errors": [{"message": "Forbidden"}]}
            rsps.add("GET", f"{ASANA_API}/webhooks", json=refused, status=403)
            with pytest.raises(IntegrationError, match="cannot be listed now"):
                webhook_subscribe(connection)
        assert WebhookEndpoint.objects.get().secret_list() == ["older-secret"]

    def test_a_new_hook_whose_handshake_the_hub_never_took_is_removed_and_said_so(
        self, endpoint_of, settings
    ):
        """No secret came in the window, so the hub could verify none of its events."""
        endpoint = endpoint_of("asana", "older-secret")
        connection = _asana_subscribing(endpoint, settings)
        hook = {"gid": "987", "resource_type": "webhook", "target": receiver_url(endpoint)}
        with responses.RequestsMock() as rsps:
            _asana_hooks(rsps, [], [hook])
            rsps.add("POST", f"{ASANA_API}/webhooks", body=requests.exceptions.ReadTimeout())
            rsps.add("DELETE", f"{ASANA_API}/webhooks/987", json={"data": {}})
            with pytest.raises(IntegrationError, match="removed it"):
                webhook_subscribe(connection)
        assert WebhookEndpoint.objects.get().secret_list() == ["older-secret"]

    def test_a_subscription_refused_before_any_handshake_leaves_the_secrets_as_stored(
        self, endpoint_of, settings
    ):
        """Not re-encrypted either: the stored column is the same bytes."""
        endpoint = endpoint_of("asana", "newer-secret", "older-secret")
        connection = _asana_subscribing(endpoint, settings)
        stored = _stored_secrets()
        with responses.RequestsMock() as rsps:
            _asana_hooks(rsps, [])
            error = {"message": "Invalid value for target: the URL is not reachable."}
            rsps.add("POST", f"{ASANA_API}/webhooks", json={"errors": [error]}, status=400)
            with pytest.raises(IntegrationError, match="not reachable"):
                webhook_subscribe(connection)
            assert len(rsps.calls) == 2  # a refusal is known: nothing is looked up after it
        assert _stored_secrets() == stored
        kept = WebhookEndpoint.objects.get()
        assert kept.secret_list() == ["newer-secret", "older-secret"]
        assert kept.handshake_until is None

    def test_events_are_stored_and_heartbeats_answered_without_storing(
        self, provider_client, endpoint_of
    ):
        endpoint = endpoint_of("asana", ASANA_SECRET)
        heartbeat = body_of({"events": []})
        signed = {"X-Hook-Signature": hex_signature(ASANA_SECRET, heartbeat)}
        assert post(provider_client, endpoint, heartbeat, **signed).status_code == 200
        assert not WebhookDelivery.objects.exists()
        body = asana_events("1200001")
        signed = {"X-Hook-Signature": hex_signature(ASANA_SECRET, body)}
        assert post(provider_client, endpoint, body, **signed).status_code == 200
        assert WebhookDelivery.objects.get().headers["X-Hook-Signature"] == "********"


class TestStandardWebhooks:
    def test_the_same_message_id_is_stored_once_and_a_stale_one_refused(
        self, provider_client, endpoint_of
    ):
        endpoint = endpoint_of("projecttool", STANDARD_SECRET)
        body = projecttool_event()
        assert (
            post(
                provider_client, endpoint, body, **standard_headers(STANDARD_SECRET, body)
            ).status_code
            == 200
        )
        retry = standard_headers(STANDARD_SECRET, body, timestamp=int(time.time()) + 5)
        assert post(provider_client, endpoint, body, **retry).status_code == 200
        assert WebhookDelivery.objects.get().dedupe_key == "id:msg_2Kq1"
        stale = standard_headers(
            STANDARD_SECRET, body, msg_id="m2", timestamp=int(time.time()) - 400
        )
        assert post(provider_client, endpoint, body, **stale).status_code == 401
        assert WebhookDelivery.objects.count() == 1


class TestProjectToolSubscribe:
    """`POST /webhooks` answers the secret once; the contract's Idempotency-Key makes
    asking again safe, and the same key answers the stored answer (secret included)."""

    @pytest.fixture
    def connection(self, endpoint_of, settings):
        settings.HUB_PUBLIC_URL = "https://hub.example.com"
        endpoint = endpoint_of("projecttool", "older-secret")
        Connection.objects.filter(pk=endpoint.connection_id).update(
            base_url=TOOL_API, api_token="tool-token"
        )
        return Connection.objects.get(pk=endpoint.connection_id)

    def test_an_answer_lost_to_a_timeout_is_asked_again_with_the_same_key(self, connection):
        keys: list[str] = []

        def created_once_the_first_answer_lost(request):
            keys.append(request.headers["Idempotency-Key"])
            if len(keys) == 1:
                raise requests.exceptions.ReadTimeout("read timed out")
            hook = {"id": 7, "url": request.url, "secret": STANDARD_SECRET}
            return 201, {}, json.dumps(hook)

        with responses.RequestsMock() as rsps:
            rsps.add_callback(
                "POST", f"{TOOL_API}/webhooks", callback=created_once_the_first_answer_lost
            )
            subscription = webhook_subscribe(connection)
        assert subscription.id == "7"
        assert len(keys) == 2 and keys[0] == keys[1] and keys[0]
        assert WebhookEndpoint.objects.get().secret_list() == [STANDARD_SECRET, "older-secret"]

    def test_two_lost_answers_tell_the_admin_a_webhook_may_be_unverifiable(self, connection):
        with responses.RequestsMock() as rsps:
            rsps.add("POST", f"{TOOL_API}/webhooks", body=requests.exceptions.ConnectionError())
            with pytest.raises(IntegrationError, match="whose secret the hub never saw"):
                webhook_subscribe(connection)
            assert len(rsps.calls) == 2  # asked once more, never a third time
        assert WebhookEndpoint.objects.get().secret_list() == ["older-secret"]

    def test_a_refusal_is_not_asked_again(self, connection):
        with responses.RequestsMock() as rsps:
            error = {"error": {"code": "INVALID_INPUT", "message": "The url is not HTTPS."}}
            rsps.add("POST", f"{TOOL_API}/webhooks", json=error, status=400)
            with pytest.raises(IntegrationError, match="not HTTPS"):
                webhook_subscribe(connection)
            assert len(rsps.calls) == 1


class TestAffinity:
    def test_the_token_and_a_fresh_sent_at_are_enough_and_a_replay_is_refused(
        self, provider_client, endpoint_of
    ):
        endpoint = endpoint_of("affinity")
        assert post(provider_client, endpoint, affinity_event()).status_code == 200
        old = affinity_event(sent_at=int(time.time()) - 3600, name="Renamed")
        assert post(provider_client, endpoint, old).status_code == 401
        assert WebhookDelivery.objects.count() == 1

    def test_a_change_back_is_stored_and_a_retry_is_not(self, provider_client, endpoint_of):
        """A -> B -> A: three deliveries, each its own; a retry of one is the same."""
        endpoint = endpoint_of("affinity")
        now = int(time.time())
        a1, b2, a3 = (
            affinity_event("organization.updated", 9, sent_at=now - 20, name="A"),
            affinity_event("organization.updated", 9, sent_at=now - 10, name="B"),
            affinity_event("organization.updated", 9, sent_at=now, name="A"),
        )
        for body in (a1, b2, a3, a1):
            assert post(provider_client, endpoint, body).status_code == 200
        assert WebhookDelivery.objects.count() == 3


def test_a_second_copy_losing_the_race_is_a_duplicate_not_an_error(endpoint_of):
    """Two requests that both passed verification: the unique key lets one row in."""
    endpoint = endpoint_of("recruitee", RECRUITEE_SECRET)
    inbound = Inbound(headers={}, body=recruitee_event(), now=time.time())
    verified = Verified(dedupe_key="sha256:same")
    store = [endpoint, "recruitee", inbound, verified]
    assert delivery_store(*store, enqueue=lambda: None) is not None
    assert delivery_store(*store, enqueue=lambda: None) is None
    assert WebhookDelivery.objects.count() == 1


def test_a_burst_queues_one_apply_task_and_the_next_after_the_task_started(
    provider_client, endpoint_of, django_capture_on_commit_callbacks
):
    from integrations.webhooks.queue import apply_queue_release

    endpoint = endpoint_of("recruitee", RECRUITEE_SECRET)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        for candidate in (1, 2, 3):
            recruitee_post(provider_client, endpoint, recruitee_event(candidate))
    assert WebhookDelivery.objects.count() == 3 and len(queued) == 1
    apply_queue_release()  # what the task does before it looks for work
    with django_capture_on_commit_callbacks(execute=False) as queued:
        recruitee_post(provider_client, endpoint, recruitee_event(4))
    assert len(queued) == 1


@pytest.mark.parametrize(
    ("tail", "status"),
    [("/", 200), ("", 301), ("/extra/", 404)],
    ids=["delivery", "no-trailing-slash", "unknown-path"],
)
def test_the_request_log_masks_the_receiver_token(
    provider_client, endpoint_of, caplog, tail, status
):
    """Affinity's deliveries are authenticated by the URL's token alone: it is a secret,
    masked in every form of the path, resolved or not (APPEND_SLASH's redirect, a 404)."""
    endpoint = endpoint_of("affinity")
    with caplog.at_level(logging.INFO, logger="hub.requests"):
        response = provider_client.post(
            f"/webhooks/affinity/{endpoint.token}{tail}",
            data=affinity_event(),
            content_type="application/json",
        )
    assert response.status_code == status
    assert f"/webhooks/affinity/********{tail} {status}" in caplog.text
    assert endpoint.token not in caplog.text


def test_a_copy_of_a_taken_recruitee_delivery_makes_it_due_again_but_not_a_same_id_one(
    provider_client, endpoint_of, django_capture_on_commit_callbacks
):
    """Recruitee's same bytes may be a later change (no event id): applied again, and a
    worker still holding it loses its claim. A Standard Webhooks id is one event."""
    from integrations.webhooks.apply import deliveries_claim
    from integrations.webhooks.queue import apply_queue_release

    recruitee = endpoint_of("recruitee", RECRUITEE_SECRET)
    projects = endpoint_of("projecttool", STANDARD_SECRET)
    body, event = recruitee_event(), projecttool_event()
    recruitee_post(provider_client, recruitee, body)
    post(provider_client, projects, event, **standard_headers(STANDARD_SECRET, event))
    apply_queue_release()  # the task started and took both
    assert len(deliveries_claim(10)) == 2
    WebhookDelivery.objects.filter(provider="projecttool").update(state="applied")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert recruitee_post(provider_client, recruitee, body).status_code == 200
        post(provider_client, projects, event, **standard_headers(STANDARD_SECRET, event))
    again = WebhookDelivery.objects.get(provider="recruitee")
    assert again.state == WebhookDelivery.State.RECEIVED and again.claim_token == ""
    assert len(queued) == 1
    assert WebhookDelivery.objects.get(provider="projecttool").state == "applied"


@pytest.mark.parametrize("provider", ["recruitee", "affinity", "asana", "projecttool"])
def test_a_body_nested_too_deeply_to_read_is_refused_not_a_500(
    provider_client, endpoint_of, provider
):
    """Recruitee's ping and Affinity's sent_at are read before anything is verified."""
    endpoint = endpoint_of(provider, RECRUITEE_SECRET)
    body = b'{"test":' * 20_000 + b"true" + b"}" * 20_000  # under the 256 KB cap
    signed = {"X-Recruitee-Signature": hex_signature(RECRUITEE_SECRET, body),
              "X-Hook-Signature": hex_signature(RECRUITEE_SECRET, body)}  # fmt: skip
    assert post(provider_client, endpoint, body, **signed).status_code in (200, 401)
