"""Each provider's webhook envelope and signature (openapi-webhooks-observability.md §D).

Recruitee: hex HMAC-SHA256 of the body in `X-Recruitee-Signature`, success only on
200. Asana: `{"events": [...]}` with ids only, hex HMAC in `X-Hook-Signature`
keyed with the handshake's secret, success on 200 or 204. The generic tool:
Standard Webhooks (`webhook-id` constant across retries, each attempt stamped and
signed anew). Affinity: `{type, body, sent_at}` unsigned; whether `sent_at` is
refreshed on a retry is UNCONFIRMED: the sandbox refreshes it, so a retry passes
the receiver's replay window.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import uuid
from datetime import UTC, datetime
from typing import Any

from integrations.sandbox.webhooks import Attempt, Outgoing

FORGED_SECRET = "not-the-secret"  # noqa: S105 - what a forger signs with


def _body(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def _hex(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def standard_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def recruitee_outgoing(subscription: dict[str, Any], event_type: str, candidate: dict) -> Outgoing:
    body = _body(
        {
            "event_type": event_type,
            "event_subtype": "manual",
            "payload": {
                "candidate": {"id": candidate["id"], "name": candidate.get("name", "")},
                "company": {"id": subscription.get("company_id", 1)},
            },
        }
    )

    def make(at: float, forged: bool) -> Attempt:
        key = FORGED_SECRET if forged else subscription["secret"]
        return Attempt(
            body, {"User-Agent": "Recruitee-Webhooks", "X-Recruitee-Signature": _hex(key, body)}
        )

    return Outgoing(subscription["url"], make, success=lambda status: status == 200)


def recruitee_test_ping(url: str) -> Outgoing:
    """The dialog's "Test" button: `{"test":true}`; the webhook is created only on a 200."""
    return Outgoing(
        url, lambda at, forged: Attempt(b'{"test":true}', {"User-Agent": "Recruitee-Webhooks"})
    )


def affinity_outgoing(subscription: dict[str, Any], event_type: str, body: dict) -> Outgoing:
    def make(at: float, forged: bool) -> Attempt:
        return Attempt(_body({"type": event_type, "body": body, "sent_at": int(at)}), {})

    return Outgoing(subscription["webhook_url"], make)


def asana_outgoing(subscription: dict[str, Any], events: list[dict[str, Any]]) -> Outgoing:
    body = _body({"events": events})

    def make(at: float, forged: bool) -> Attempt:
        key = FORGED_SECRET if forged else subscription["secret"]
        return Attempt(body, {"X-Hook-Signature": _hex(key, body)})

    return Outgoing(subscription["target"], make, success=lambda status: status in (200, 204))


def asana_event(project_gid: str, name: str, action: str, user_gid: str) -> dict[str, Any]:
    return {
        "user": {"gid": user_gid, "resource_type": "user"},
        "created_at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "action": action,
        "resource": {"gid": project_gid, "resource_type": "project", "name": name},
        "parent": None,
        "change": {"field": "name", "action": "changed"} if action == "changed" else None,
        "type": "project",
    }


def standard_outgoing(subscription: dict[str, Any], event_type: str, data: dict) -> Outgoing:
    message_id = f"msg_{uuid.uuid4().hex}"
    body = _body(
        {
            "type": event_type,
            "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "data": data,
        }
    )

    def make(at: float, forged: bool) -> Attempt:
        stamp = str(int(at))
        key = FORGED_SECRET.encode() if forged else _standard_key(subscription["secret"])
        signed = hmac.new(key, f"{message_id}.{stamp}.".encode() + body, hashlib.sha256)
        signature = "v1," + base64.b64encode(signed.digest()).decode()
        return Attempt(
            body,
            {"webhook-id": message_id, "webhook-timestamp": stamp, "webhook-signature": signature},
        )

    return Outgoing(subscription["url"], make)


def _standard_key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix("whsec_"))
