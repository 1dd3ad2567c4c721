"""Signed webhook deliveries of the generic project tool (providers/README.md)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
import urllib.request
import uuid
from typing import Any

from integrations.sandbox.values import iso_milli, utc_now

logger = logging.getLogger(__name__)
DELIVERY_TIMEOUT = 5.0


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def deliver(webhooks: list[dict[str, Any]], event_type: str, data: dict[str, Any]) -> None:
    """POST the event to every subscribed webhook, each on its own daemon thread."""
    for webhook in webhooks:
        if event_type in webhook["events"]:
            event = {
                "id": f"evt_{uuid.uuid4().hex}",
                "type": event_type,
                "created_at": iso_milli(utc_now()),
                "data": data,
            }
            threading.Thread(target=_post, args=(webhook, event), daemon=True).start()


def _post(webhook: dict[str, Any], event: dict[str, Any]) -> None:
    body = json.dumps(event).encode()
    request = urllib.request.Request(  # noqa: S310 (the URL was checked to be http(s) on registration)
        webhook["url"],
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Webhook-Signature": sign(webhook["secret"], body),
            "X-Webhook-Timestamp": str(int(time.time())),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=DELIVERY_TIMEOUT):  # noqa: S310
            pass
    except OSError as exc:  # one attempt only: a fake, not a delivery service
        logger.warning("Webhook delivery to %s failed: %s", webhook["url"], exc)
