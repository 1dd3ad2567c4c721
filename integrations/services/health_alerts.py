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

A channel that fails (an error answer, no answer, an SMTP or connection error, an
address Django refuses or a misconfigured email backend) is logged, its error kept on
the row, and it alone is tried again at a later tick: after 1, 2, 5, 10, 30 and 60
minutes (`RETRY_DELAYS`), then given up with an error in the log. A channel that took
the notification is not sent it again. A worker sending holds the notification for
`SEND_LEASE`; one that dies meanwhile leaves it to be tried again once that runs out.
Each claim counts a try, so a report whose worker dies or hangs every time is given up
too, after the same `TRIES`. A new change replaces a notification still owed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import requests
from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from integrations.models import HealthAlert
from integrations.services.health import ConnectionHealth, connections_health

logger = logging.getLogger(__name__)

# After a notification's n-th failed try, the next waits RETRY_DELAYS[n - 1]; after the
# last it is given up. The scheduler runs the check once a minute.
RETRY_DELAYS = tuple(timedelta(minutes=m) for m in (1, 2, 5, 10, 30, 60))
TRIES = len(RETRY_DELAYS) + 1
# How long a worker sending a notification holds it (the webhook's timeouts are seconds).
SEND_LEASE = timedelta(minutes=5)


def alert_channels() -> list[str]:
    """The channels set: "webhook", "email", both or none."""
    urls, emails = settings.HEALTH_ALERT_WEBHOOK_URL, settings.HEALTH_ALERT_EMAILS
    return [name for name, is_set in (("webhook", urls), ("email", emails)) if is_set]


def health_alerts_send(*, now: datetime | None = None) -> int:
    """Report every connection whose alarming state changed, and try again the channels
    a report is still owed to; returns how many reports were tried."""
    now = now or timezone.now()
    tried = 0
    for health in connections_health(now=now):
        alert, _ = HealthAlert.objects.get_or_create(connection=health.connection)
        if _claim(alert, health, now):
            _deliver(alert, health, now)
            tried += 1
    return tried


def _claim(alert: HealthAlert, health: ConnectionHealth, now: datetime) -> bool:
    """Take the report this alert owes, if any: a change of state (from the state read)
    or a retry that is due (from the retry time read). Only the worker whose conditional
    UPDATE took sends; `alert` then holds what it wrote, `attempts` the number of this try.
    The claim counts the try, so one whose worker died or hung still uses one up."""
    fields: dict[str, Any] = {"retry_at": now + SEND_LEASE}
    if alert.alarming != health.alarming:
        fields |= {
            "alarming": health.alarming,
            "changed_at": now,
            "reasons": "\n".join(health.reasons),
            "pending": alert_channels(),
            "attempts": 1,
        }
        claimed = HealthAlert.objects.filter(pk=alert.pk, alarming=alert.alarming)
    elif alert.pending and alert.retry_at is not None and alert.retry_at <= now:
        if alert.attempts >= TRIES:  # the last try's worker died or hung
            _give_up(alert, health)
            return False
        fields["attempts"] = F("attempts") + 1
        claimed = HealthAlert.objects.filter(pk=alert.pk, retry_at=alert.retry_at)
    else:
        return False
    if not claimed.update(**fields):  # another worker took it
        return False
    for name, value in fields.items():
        setattr(alert, name, value)
    alert.refresh_from_db(fields=["attempts"])
    return True


def _give_up(alert: HealthAlert, health: ConnectionHealth) -> None:
    """Stop trying a report whose last try never finished (its lease ran out)."""
    if HealthAlert.objects.filter(pk=alert.pk, retry_at=alert.retry_at).update(retry_at=None):
        logger.error(
            "Health alert for connection %s: try %s of %s did not finish (gave up)",
            health.connection.pk, alert.attempts, TRIES,
        )  # fmt: skip


def _deliver(alert: HealthAlert, health: ConnectionHealth, now: datetime) -> None:
    """Send the claimed report to the channels that owe it; keep those that failed
    for a later try, or give them up after the last one."""
    channels = [name for name in alert.pending if name in alert_channels()]
    errors = _notify(health, channels, at=alert.changed_at or now)
    retry_at = None
    if errors and alert.attempts < TRIES:
        retry_at = now + RETRY_DELAYS[alert.attempts - 1]
    then = f"next try at {retry_at:%H:%M} UTC" if retry_at else "gave up"
    for error in errors.values():
        logger.log(
            logging.WARNING if retry_at else logging.ERROR,
            "Health alert for connection %s: %s (try %s of %s; %s)",
            health.connection.pk, error, alert.attempts, TRIES, then,
        )  # fmt: skip
    # Only while this worker still holds the claim (a new change may have replaced it).
    HealthAlert.objects.filter(pk=alert.pk, retry_at=alert.retry_at).update(
        pending=list(errors), retry_at=retry_at, notified_at=now,
        error="\n".join(errors.values()),
    )  # fmt: skip


def alert_summary(health: ConnectionHealth) -> str:
    """The change in a line: "Integration Hub: Affinity · prod is failing"."""
    connection = health.connection
    what = f"{connection} is {health.state}" if health.alarming else f"{connection} has recovered"
    return f"Integration Hub: {what}"


def alert_payload(health: ConnectionHealth, at: datetime) -> dict[str, Any]:
    """The webhook's JSON; `at` is when the change was seen (a retry keeps it)."""
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
        "at": at.isoformat(),
        "url": page,
    }


def _notify(health: ConnectionHealth, channels: list[str], *, at: datetime) -> dict[str, str]:
    """Send the report to each of `channels`; returns what went wrong, by channel."""
    payload = alert_payload(health, at)
    senders: dict[str, Callable[[ConnectionHealth, dict[str, Any]], str]] = {
        "webhook": _post_webhook,
        "email": _send_email,
    }
    errors = {name: senders[name](health, payload) for name in channels}
    return {name: error for name, error in errors.items() if error}


def _post_webhook(health: ConnectionHealth, payload: dict[str, Any]) -> str:
    """The error, or "" when the hook took it. The URL is never logged: it may hold a key."""
    try:
        answer = requests.post(
            settings.HEALTH_ALERT_WEBHOOK_URL,
            json=payload,
            timeout=(settings.INTEGRATIONS_CONNECT_TIMEOUT, settings.INTEGRATIONS_READ_TIMEOUT),
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        return f"The alert webhook could not be reached ({type(exc).__name__})."
    if not 200 <= answer.status_code < 300:
        return f"The alert webhook answered {answer.status_code}."
    return ""


def _send_email(health: ConnectionHealth, payload: dict[str, Any]) -> str:
    """The error, or "" when the mail server took it."""
    body = "\n".join([payload["text"], "", *payload["reasons"], "", payload["url"]])
    try:
        send_mail(alert_summary(health), body, None, settings.HEALTH_ALERT_EMAILS)
    except OSError as exc:  # smtplib's and the network's: the server's words stay out
        return f"The alert email could not be sent ({type(exc).__name__})."
    except Exception as exc:
        # Django refusing an address (ValueError), a misconfigured backend (ValueError,
        # ImportError...): a failed try, kept and retried like any, not a crash of the run
        # that leaves the other channels and connections unreported.
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return f"The alert email could not be sent ({detail})."
    return ""
