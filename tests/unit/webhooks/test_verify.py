"""Each provider's verification, on real-shaped deliveries: good, forged, stale, malformed."""

from __future__ import annotations

import json
import time

import pytest

from integrations.webhooks.verify import (
    Inbound,
    Refused,
    affinity_verify,
    asana_verify,
    recruitee_verify,
    standard_verify,
)
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


def inbound(body: bytes, **headers: str) -> Inbound:
    return Inbound(headers=headers, body=body, now=time.time())


class TestRecruitee:
    def test_a_good_signature_passes_and_the_body_hash_is_the_dedupe_key(self):
        body = recruitee_event()
        signed = {"X-Recruitee-Signature": hex_signature(RECRUITEE_SECRET, body)}
        first = recruitee_verify([RECRUITEE_SECRET], Inbound(signed, body, time.time()))
        again = recruitee_verify([RECRUITEE_SECRET], Inbound(signed, body, time.time()))
        assert first.store and first.dedupe_key == again.dedupe_key

    def test_a_signature_of_another_body_or_secret_is_refused(self):
        body = recruitee_event()
        with pytest.raises(Refused, match="does not match"):
            recruitee_verify(
                [RECRUITEE_SECRET],
                inbound(body, **{"X-Recruitee-Signature": hex_signature("other", body)}),
            )
        tampered = body.replace(b"101", b"102")
        with pytest.raises(Refused):
            recruitee_verify(
                [RECRUITEE_SECRET],
                inbound(
                    tampered, **{"X-Recruitee-Signature": hex_signature(RECRUITEE_SECRET, body)}
                ),
            )

    def test_uppercase_hex_is_the_same_signature_and_a_missing_header_is_refused(self):
        body = recruitee_event()
        upper = hex_signature(RECRUITEE_SECRET, body).upper()
        recruitee_verify([RECRUITEE_SECRET], inbound(body, **{"X-Recruitee-Signature": upper}))
        with pytest.raises(Refused, match="no X-Recruitee-Signature"):
            recruitee_verify([RECRUITEE_SECRET], inbound(body))

    def test_during_a_rotation_both_secrets_pass(self):
        body = recruitee_event()
        for secret in ("new-secret", RECRUITEE_SECRET):
            header = {"X-Recruitee-Signature": hex_signature(secret, body)}
            recruitee_verify(["new-secret", RECRUITEE_SECRET], inbound(body, **header))

    def test_no_stored_secret_refuses_everything(self):
        body = recruitee_event()
        with pytest.raises(Refused, match="no Recruitee webhook secret"):
            recruitee_verify(
                [], inbound(body, **{"X-Recruitee-Signature": hex_signature("", body)})
            )


class TestAsana:
    def test_a_good_signature_passes_and_a_heartbeat_is_not_stored(self):
        body = asana_events("1200001")
        header = {"X-Hook-Signature": hex_signature(ASANA_SECRET, body)}
        assert asana_verify([ASANA_SECRET], inbound(body, **header)).store
        heartbeat = body_of({"events": []})
        header = {"X-Hook-Signature": hex_signature(ASANA_SECRET, heartbeat)}
        assert not asana_verify([ASANA_SECRET], inbound(heartbeat, **header)).store

    def test_a_forged_signature_is_refused(self):
        body = asana_events("1200001")
        with pytest.raises(Refused):
            asana_verify([ASANA_SECRET], inbound(body, **{"X-Hook-Signature": "00" * 32}))
        with pytest.raises(Refused):
            asana_verify([ASANA_SECRET], inbound(body, **{"X-Hook-Signature": "é"}))


class TestStandardWebhooks:
    def test_a_good_signature_passes_and_the_message_id_is_the_dedupe_key(self):
        body = projecttool_event()
        headers = standard_headers(STANDARD_SECRET, body, msg_id="msg_abc")
        assert (
            standard_verify([STANDARD_SECRET], inbound(body, **headers)).dedupe_key == "id:msg_abc"
        )

    def test_two_long_message_ids_with_the_same_start_are_two_events(self):
        """The spec sets no length; the dedupe key holds 128 characters."""
        body = projecttool_event()
        keys = {
            standard_verify(
                [STANDARD_SECRET],
                inbound(body, **standard_headers(STANDARD_SECRET, body, msg_id="m" * 130 + end)),
            ).dedupe_key
            for end in ("1", "2")
        }
        assert len(keys) == 2 and all(len(key) <= 128 for key in keys)

    def test_a_retry_signs_a_new_timestamp_with_the_same_id(self):
        body = projecttool_event()
        first = standard_headers(STANDARD_SECRET, body, timestamp=int(time.time()) - 60)
        retry = standard_headers(STANDARD_SECRET, body)
        keys = {
            standard_verify([STANDARD_SECRET], inbound(body, **h)).dedupe_key
            for h in (first, retry)
        }
        assert len(keys) == 1

    def test_a_timestamp_more_than_five_minutes_away_is_refused(self):
        body = projecttool_event()
        for offset in (-301, 301):
            headers = standard_headers(STANDARD_SECRET, body, timestamp=int(time.time()) + offset)
            with pytest.raises(Refused, match=r"too (old|new)"):
                standard_verify([STANDARD_SECRET], inbound(body, **headers))

    def test_a_replayed_signature_with_a_fresh_timestamp_is_refused(self):
        """The timestamp is signed: moving it forward breaks the signature."""
        body = projecttool_event()
        old = standard_headers(STANDARD_SECRET, body, timestamp=int(time.time()) - 3600)
        old["webhook-timestamp"] = str(int(time.time()))
        with pytest.raises(Refused, match="No matching signature"):
            standard_verify([STANDARD_SECRET], inbound(body, **old))

    def test_malformed_headers_are_refused_not_raised(self):
        body = projecttool_event()
        headers = standard_headers(STANDARD_SECRET, body)
        for bad in ("v1", "v1,@@@", "garbage"):
            with pytest.raises(Refused):
                standard_verify(
                    [STANDARD_SECRET], inbound(body, **{**headers, "webhook-signature": bad})
                )
        with pytest.raises(Refused, match="Missing required headers"):
            standard_verify([STANDARD_SECRET], inbound(body))

    def test_a_stored_secret_that_decodes_to_nothing_is_skipped_not_a_500(self):
        """A `whsec_` alone (a provider's odd answer, a mistaken paste) raises the library's
        EmptyWebhookSecretError, which is no ValueError."""
        body = projecttool_event()
        headers = standard_headers(STANDARD_SECRET, body)
        standard_verify(["whsec_", STANDARD_SECRET], inbound(body, **headers))
        with pytest.raises(Refused):
            standard_verify(["whsec_"], inbound(body, **headers))

    def test_rotation_passes_with_the_old_secret_still_stored(self):
        body = projecttool_event()
        headers = standard_headers(STANDARD_SECRET, body)
        other = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo="
        standard_verify([other, STANDARD_SECRET], inbound(body, **headers))
        with pytest.raises(Refused):
            standard_verify([other], inbound(body, **headers))


class TestAffinity:
    def test_a_fresh_delivery_passes_and_its_retry_has_the_same_dedupe_key(self):
        """A retry of one delivery carries the same envelope, `sent_at` included, in
        whatever key order or spacing it is serialized."""
        now = int(time.time())
        first = affinity_event(sent_at=now - 10)
        reordered = json.dumps(dict(reversed(json.loads(first).items())), indent=1).encode()
        keys = {affinity_verify([], inbound(body)).dedupe_key for body in (first, reordered)}
        assert len(keys) == 1

    def test_the_same_change_sent_again_later_is_a_new_delivery(self):
        """An organization changed A -> B -> A: the second A has the first's type and body
        but a later `sent_at`. Taken for a duplicate, it would leave the hub showing B."""
        now = int(time.time())
        first = affinity_verify([], inbound(affinity_event(sent_at=now - 10, name="A")))
        later = affinity_verify([], inbound(affinity_event(sent_at=now, name="A")))
        assert first.dedupe_key != later.dedupe_key

    def test_a_replayed_old_delivery_or_one_from_the_future_is_refused(self):
        now = int(time.time())
        with pytest.raises(Refused, match="300 s old"):
            affinity_verify([], inbound(affinity_event(sent_at=now - 301)))
        with pytest.raises(Refused, match="ahead"):
            affinity_verify([], inbound(affinity_event(sent_at=now + 121)))

    def test_a_sent_at_that_is_not_a_finite_number_is_refused(self):
        """NaN passes both comparisons of the window: a replay with it would be accepted."""
        for sent_at in (b"NaN", b"Infinity", b"-Infinity", b"1.5e400"):
            body = b'{"type":"organization.updated","body":{"id":5},"sent_at":' + sent_at + b"}"
            with pytest.raises(Refused):
                affinity_verify([], inbound(body))

    def test_an_event_without_sent_at_is_refused(self):
        with pytest.raises(Refused, match="sent_at"):
            affinity_verify([], inbound(body_of({"type": "person.created", "body": {}})))

    def test_a_body_that_is_no_event_is_answered_and_not_stored(self):
        """Affinity calls the URL while it creates a subscription and fails the creation
        on a bad reply; what that call carries is UNCONFIRMED (affinity.md §7). Without
        a `type` a body changes nothing, so it is answered, not refused."""
        for body in (b"", b"\xff\xfe", b"[]", b"{}", body_of({"hello": "affinity"})):
            assert not affinity_verify([], inbound(body)).store
