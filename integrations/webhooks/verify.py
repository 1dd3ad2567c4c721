"""Each provider's check of a delivery, on the raw bytes and before any parsing.

Facts: ../shared/providers/openapi-webhooks-observability.md §D. Every comparison
of a signature is constant-time (`hmac.compare_digest`) and is tried against each
of the endpoint's secrets, so a rotation never refuses a delivery. A refusal
names its reason (never a secret); the receiver answers it with 401.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from standardwebhooks import Webhook
from standardwebhooks.webhooks import EmptyWebhookSecretError, WebhookVerificationError

from integrations import jsoncodec
from integrations.providers import PROVIDERS

RECRUITEE = PROVIDERS["recruitee"].webhooks
ASANA = PROVIDERS["asana"].webhooks
# Affinity: the SDK's defaults for `sent_at` (affinity.md §7).
AFFINITY_MAX_AGE = PROVIDERS["affinity"].webhooks.replay_window_seconds
AFFINITY_MAX_FUTURE = 120


class Refused(Exception):
    """A delivery that is not the provider's: answered 401, logged, nothing stored."""


@dataclass(frozen=True)
class Verified:
    """A genuine delivery. `store` is False for one that carries no change (a heartbeat).

    `repeatable`: the key is the content's hash and the content can repeat in a later
    event (Recruitee's bodies carry no event id or time), so a copy arriving after the
    stored one was taken makes it due again: one more fetch, never a missed change."""

    dedupe_key: str
    store: bool = True
    repeatable: bool = False


@dataclass(frozen=True)
class Inbound:
    headers: Mapping[str, str]  # case-insensitive (Django's request.headers)
    body: bytes
    now: float  # Unix seconds


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def hex_hmac_matches(secrets: list[str], body: bytes, given: str) -> bool:
    """`given` is the lowercase hex HMAC-SHA256 of `body` under one of `secrets`."""
    given_bytes = given.strip().lower().encode("ascii", "replace")
    return any(
        hmac.compare_digest(hex_hmac(secret, body).encode(), given_bytes) for secret in secrets
    )


def hex_hmac(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def json_object(body: bytes) -> dict[str, Any]:
    try:
        data = jsoncodec.loads(body)
    except ValueError as exc:
        raise Refused("the body is not JSON") from exc
    if not isinstance(data, dict):
        raise Refused("the body is not a JSON object")
    return data


def recruitee_verify(secrets: list[str], inbound: Inbound) -> Verified:
    """`X-Recruitee-Signature`: hex HMAC-SHA256 of the raw body (recruitee.md §6).
    Recruitee sends no event id, so the body's hash is the dedupe key; two updates of
    one candidate can send the same body (`repeatable`)."""
    given = inbound.headers.get(RECRUITEE.signature_header, "")
    if not given:
        raise Refused(f"no {RECRUITEE.signature_header} header")
    if not secrets:
        raise Refused("no Recruitee webhook secret is stored for this connection")
    if not hex_hmac_matches(secrets, inbound.body, given):
        raise Refused(f"{RECRUITEE.signature_header} does not match")
    return Verified(dedupe_key=f"sha256:{sha256_hex(inbound.body)}", repeatable=True)


def asana_verify(secrets: list[str], inbound: Inbound) -> Verified:
    """`X-Hook-Signature`: hex HMAC-SHA256 of the raw body keyed with the handshake's
    secret. A batch without events is a heartbeat: answered, not stored."""
    given = inbound.headers.get(ASANA.signature_header, "")
    if not given:
        raise Refused(f"no {ASANA.signature_header} header")
    if not secrets:
        raise Refused("no Asana handshake secret is stored for this connection")
    if not hex_hmac_matches(secrets, inbound.body, given):
        raise Refused(f"{ASANA.signature_header} does not match")
    events = json_object(inbound.body).get("events")
    return Verified(dedupe_key=f"sha256:{sha256_hex(inbound.body)}", store=bool(events))


def standard_verify(secrets: list[str], inbound: Inbound) -> Verified:
    """Standard Webhooks (the generic tool, providers/README.md), with its library: the
    signed `{id}.{timestamp}.{body}`, timestamps more than 5 minutes away refused.
    `webhook-id` is the same on every retry: the dedupe key."""
    headers = {
        name: inbound.headers.get(name, "")
        for name in ("webhook-id", "webhook-timestamp", "webhook-signature")
    }
    last = "no webhook secret is stored for this connection"
    for secret in secrets:
        try:
            Webhook(secret).verify(inbound.body, headers, json_parse=False)
        except WebhookVerificationError as exc:
            last = str(exc)
            continue
        except EmptyWebhookSecretError:  # a stored `whsec_` with nothing after it
            continue
        except (ValueError, TypeError):  # a malformed signature entry or a non-UTF-8 body
            last = "the webhook-signature header or the body is malformed"
            continue
        message_id = headers["webhook-id"]
        # The key holds 128 characters; the spec sets no length for an id.
        key = (
            f"id:{message_id}"
            if len(message_id) <= 120
            else f"id-sha256:{sha256_hex(message_id.encode())}"
        )
        return Verified(dedupe_key=key)
    raise Refused(last)


def affinity_verify(secrets: list[str], inbound: Inbound) -> Verified:
    """Affinity signs nothing (affinity.md §7): the URL's unguessable token was checked
    by the receiver; here `sent_at` must fall inside the SDK's replay window. No event
    id either: the type, the canonical body and `sent_at` are the dedupe key. `sent_at`
    belongs in it: an organization changed A -> B -> A sends the first A's type and body
    again, later, and a key without it dropped that as a copy, leaving the hub at B. A
    retry of one delivery is taken to carry the same envelope (UNCONFIRMED: affinity.md
    §7 says nothing of retries' `sent_at`). If Affinity re-stamps a retry, it is stored
    again and applied newer-only by its new `sent_at`: a late retry of A after B would then
    show A until the next sync (as the sandbox's re-stamped retries can).

    A body without a `type` is no event and changes nothing: answered, not stored. It
    may be the call Affinity makes while it creates a subscription, failing the creation
    on a bad reply; what that call carries is UNCONFIRMED."""
    try:
        data = json_object(inbound.body)
    except Refused:
        data = {}
    if "type" not in data:
        return Verified(dedupe_key="", store=False)
    sent_at = data.get("sent_at")
    # An int, as Affinity sends it (the version events.py reads): NaN or Infinity, which
    # json reads as floats, would slip through the window's comparisons.
    if not isinstance(sent_at, int) or isinstance(sent_at, bool):
        raise Refused("no sent_at in whole Unix seconds")
    if sent_at < inbound.now - AFFINITY_MAX_AGE:
        raise Refused(f"sent_at is more than {AFFINITY_MAX_AGE} s old")
    if sent_at > inbound.now + AFFINITY_MAX_FUTURE:
        raise Refused(f"sent_at is more than {AFFINITY_MAX_FUTURE} s ahead")
    canonical = json.dumps(
        [data.get("type"), data.get("body"), sent_at], sort_keys=True, separators=(",", ":")
    )
    return Verified(dedupe_key=f"sha256:{sha256_hex(canonical.encode())}")


VERIFIERS = {
    "recruitee": recruitee_verify,
    "asana": asana_verify,
    "projecttool": standard_verify,
    "affinity": affinity_verify,
}
