"""Tell the operations team when a connection becomes failing, and when it recovers.

`health_alerts_send` (run by `health_alerts_task`, which the scheduler queues once a
minute while a channel is set) compares each connection's health
(`services.health`: failing, or switched off by the hub, as the staff banner shows
it) with what the channels were last told (`HealthAlert`). A change is taken with a
conditional UPDATE, so of two workers only one reports it, and it is reported once:
not again every minute while the state lasts. The channels, each optional:

- `HEALTH_ALERT_WEBHOOK_URL`: a JSON POST (`text` is a one-line summary, the field
  Slack and Mattermost incoming webhooks show);
- `HEALTH_ALERT_EMAILS`: one email to those addresses (Django's `send_mail`, over
  `EMAIL_URL`).

A channel that fails is logged and its error kept on the row; the notification is
not sent again (the next change is).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import requests
from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone

from integrations.models import HealthAlert
from integrations.services.health import ConnectionHealth, connections_health

logger = logging.getLogger(__name__)


def alert_channels_set() -> bool:
    return bool(settings.HEALTH_ALERT_WEBHOOK_URL or settings.HEALTH_ALERT_EMAILS)


def health_alerts_send(*, now: datetime | None = None) -> int:
    """Report every connection whose alarming state changed; returns how many were."""
    now = now or timezone.now()
    sent = 0
    for health in connections_health(now=now):
        alert, _ = HealthAlert.objects.get_or_create(connection=health.connection)
        if alert.alarming == health.alarming:
            continue
        taken = HealthAlert.objects.filter(pk=alert.pk, alarming=alert.alarming).update(
            alarming=health.alarming, changed_at=now, reasons="\n".join(health.reasons)
        )
        if not taken:  # another worker reports this change
            continue
        errors = _notify(health, now)
        HealthAlert.objects.filter(pk=alert.pk).update(notified_at=now, error="\n".join(errors))
        sent += 1
    return sent


def alert_summary(health: ConnectionHealth) -> str:
    """The change in a line: "Integration Hub: Affinity · prod is failing"."""
    connection = health.connection
    what = f"{connection} is {health.state}" if health.alarming else f"{connection} has recovered"
    return f"Integration Hub: {what}"


def alert_payload(health: ConnectionHealth, now: datetime) -> dict[str, Any]:
    connection = health.connection
    page = settings.HUB_PUBLIC_URL.rstrip("/") + reverse(
        "integrations:connection_health", args=[connection.pk]
    )
    reasons = " ".join(health.reasons)
    return {
        "event": "connection.failing" if health.alarming else "connection.recovered",
        "text": f"{alert_summary(health)}. {reasons}".strip(),
        "connection": {
            "id": connection.pk,
            "provider": connection.provider,
            "name": connection.name,
        },
        "state": health.state,
        "reasons": list(health.reasons),
        "at": now.isoformat(),
        "url": page,
    }


def _notify(health: ConnectionHealth, now: datetime) -> list[str]:
    """Send the change to each channel that is set; returns what went wrong."""
    payload = alert_payload(health, now)
    errors = []
    if url := settings.HEALTH_ALERT_WEBHOOK_URL:
        try:
            answer = requests.post(
                url,
                json=payload,
                timeout=(settings.INTEGRATIONS_CONNECT_TIMEOUT, settings.INTEGRATIONS_READ_TIMEOUT),
                allow_redirects=False,
            )
            if not 200 <= answer.status_code < 300:
                errors.append(f"The alert webhook answered {answer.status_code}.")
        except (
            requests.RequestException
        ) as exc:  # the URL itself is never logged: it may hold a key
            errors.append(f"The alert webhook could not be reached ({type(exc).__name__}).")
    if recipients := settings.HEALTH_ALERT_EMAILS:
        body = "\n".join([payload["text"], "", *payload["reasons"], "", payload["url"]])
        try:
            send_mail(alert_summary(health), body, None, recipients)
        except OSError as exc:  # smtplib's errors are OSErrors
            errors.append(f"The alert email could not be sent ({type(exc).__name__}).")
    for error in errors:
        logger.warning("Health alert for connection %s: %s", health.connection.pk, error)
    return errors
