"""Real-shaped webhook deliveries (openapi-webhooks-observability.md §D), signed as each
provider signs them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

RECRUITEE_SECRET = "rct-webhook-secret-7f3a"
ASANA_SECRET = "4f1d0c9b8a7e6d5c4b3a29180f1e2d3c"
STANDARD_SECRET = "whsec_" + base64.b64encode(b"standard-webhooks-test-key-32by").decode()


def body_of(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


def hex_signature(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def recruitee_event(candidate_id: int = 101, kind: str = "candidate_moved") -> bytes:
    return body_of(
        {
            "event_type": kind,
            "event_subtype": "stage_changed",
            "payload": {
                "candidate": {"id": candidate_id, "name": "Zoë O'Brien"},
                "offer": {"id": 7, "title": "Backend engineer"},
                "details": {
                    "from_stage": {"id": 1, "name": "Applied", "category": "apply"},
                    "to_stage": {"id": 2, "name": "Phone screen", "category": "phone_screen"},
                },
            },
        }
    )


def asana_events(*gids: str, action: str = "changed") -> bytes:
    return body_of(
        {
            "events": [
                {
                    "user": {"gid": "1201", "resource_type": "user"},
                    "created_at": "2026-12-01T10:00:00.000Z",
                    "action": action,
                    "resource": {"gid": gid, "resource_type": "project", "name": "Launch"},
                    "parent": None,
                    "change": {"field": "name", "action": "changed"},
                }
                for gid in gids
            ]
        }
    )


def standard_headers(
    secret: str, body: bytes, *, msg_id: str = "msg_2Kq1", timestamp: int | None = None
) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = hmac.new(key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": stamp,
        "webhook-signature": "v1," + base64.b64encode(signed).decode(),
    }


def projecttool_event(project_id: int = 5, kind: str = "project.created") -> bytes:
    return body_of(
        {
            "type": kind,
            "timestamp": "2026-12-01T10:00:00.000Z",
            "data": {"id": project_id, "name": "Website relaunch", "status": "Planning"},
        }
    )


def affinity_event(
    kind: str = "organization.created", record_id: int = 64779194, sent_at: int | None = None,
    name: str = "Affinity",
) -> bytes:  # fmt: skip
    body: dict[str, Any] = (
        {"id": record_id, "name": name, "domain": "affinity.co", "domains": ["affinity.co"],
         "crunchbase_uuid": None, "global": False}
        if kind.startswith("organization")
        else {"id": record_id, "type": 0, "first_name": "John", "last_name": "Doe",
              "primary_email": "john@affinity.co", "emails": ["john@affinity.co"],
              "organization_ids": []}
    )  # fmt: skip
    return body_of(
        {"type": kind, "body": body, "sent_at": int(time.time()) if sent_at is None else sent_at}
    )
