"""Alert channels: a connection that becomes failing is reported once to the webhook and by
email, again when it recovers, and a change another worker took is not reported twice."""

from __future__ import annotations

import contextlib
import json
import smtplib
from dataclasses import replace
from datetime import timedelta
from unittest import mock

import pytest
import requests
import responses
from django.core import mail
from django.core.mail import send_mail
from django.utils import timezone
from django_tasks import default_task_backend

from integrations.http.call_log import CallRecord
from integrations.management.commands.run_scheduler import Command
from integrations.models import Connection, HealthAlert
from integrations.services.call_log_sink import DatabaseCallLogSink
from integrations.services.health_alerts import health_alerts_send

pytestmark = pytest.mark.django_db
HOOK = "https://alerts.example.test/hooks/T0-secret-path"


@pytest.fixture
def channels(settings):
    settings.HEALTH_ALERT_WEBHOOK_URL = HOOK
    settings.HEALTH_ALERT_EMAILS = ["ops@example.com", "oncall@example.com"]
    settings.HUB_PUBLIC_URL = "https://hub.example.com"


@pytest.fixture
def failing(db):
    """Affinity: 7 of 10 calls timed out a minute ago."""
    conn = Connection.objects.create(provider="affinity", name="prod", api_token="t")
    at = timezone.now() - timedelta(minutes=1)
    good = CallRecord(conn.pk, "affinity", "GET", "/", 200, 120, 1, "", "", 10, at)
    timeout = replace(good, status=None, error_class="ProviderUnavailableError", timed_out=True)
    DatabaseCallLogSink().write([good] * 3 + [timeout] * 7)
    return conn


@pytest.fixture
def hook():
    """The alert webhook (a test that expects no call fails on any other URL)."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.post(HOOK, status=200)
        yield rsps


def test_a_failing_connection_is_reported_once_to_each_channel(channels, failing, hook):
    assert health_alerts_send() == 1
    (call,) = hook.calls
    body = json.loads(call.request.body)
    assert body["event"] == "connection.failing"
    assert body["state"] == "failing"
    assert body["reasons"] == ["7 of 10 calls failed in the last 5 minutes."]
    assert body["text"] == (
        "Integration Hub: Affinity · prod is failing. 7 of 10 calls failed in the last 5 minutes."
    )
    assert body["connection"] == {"id": failing.pk, "provider": "affinity", "name": "prod"}
    assert body["url"] == f"https://hub.example.com/connections/{failing.pk}/health/"
    (email,) = mail.outbox
    assert email.subject == "Integration Hub: Affinity · prod is failing"
    assert email.to == ["ops@example.com", "oncall@example.com"]
    assert "7 of 10 calls failed" in email.body and body["url"] in email.body

    for _ in range(3):  # the next minutes: still failing, nothing new is sent
        assert health_alerts_send() == 0
    assert len(hook.calls) == 1 and len(mail.outbox) == 1
    assert HealthAlert.objects.get().alarming


def test_a_recovery_is_reported_once(channels, failing, hook):
    health_alerts_send()
    later = timezone.now() + timedelta(minutes=10)  # the failed calls left the window
    assert health_alerts_send(now=later) == 1
    assert health_alerts_send(now=later) == 0
    assert [json.loads(c.request.body)["event"] for c in hook.calls] == [
        "connection.failing",
        "connection.recovered",
    ]
    assert mail.outbox[-1].subject == "Integration Hub: Affinity · prod has recovered"
    assert len(mail.outbox) == 2


def test_a_healthy_connection_sends_nothing(channels, db, hook):
    Connection.objects.create(provider="asana", name="fine", api_token="t")
    assert health_alerts_send() == 0
    assert not hook.calls and not mail.outbox


def test_a_change_another_worker_took_is_not_reported_again(channels, failing, hook):
    """This worker read the row before the other one flipped it: its update finds
    nothing to change, and it sends nothing."""
    stale = HealthAlert.objects.create(connection=failing, alarming=False)
    HealthAlert.objects.filter(pk=stale.pk).update(alarming=True)  # the other worker
    with mock.patch.object(HealthAlert.objects, "get_or_create", return_value=(stale, False)):
        assert health_alerts_send() == 0
    assert not hook.calls and not mail.outbox


def test_a_failing_channel_is_logged_and_the_other_still_sent(channels, failing, caplog):
    with responses.RequestsMock() as rsps:
        rsps.post(HOOK, body=requests.ConnectionError("refused"))
        assert health_alerts_send() == 1
    assert len(mail.outbox) == 1
    alert = HealthAlert.objects.get()
    assert alert.error == "The alert webhook could not be reached (ConnectionError)."
    assert HOOK not in caplog.text and "secret-path" not in alert.error


def test_the_webhook_answering_an_error_is_kept(channels, failing, settings):
    settings.HEALTH_ALERT_EMAILS = []
    with responses.RequestsMock() as rsps:
        rsps.post(HOOK, status=500)
        health_alerts_send()
    assert HealthAlert.objects.get().error == "The alert webhook answered 500."
    assert not mail.outbox


def _queued_alerts() -> int:
    return sum(1 for r in default_task_backend.results if "health_alerts" in r.task.name)


def test_the_scheduler_queues_the_check_once_a_minute_only_with_a_channel(
    settings, db, monkeypatch
):
    monkeypatch.setattr("integrations.management.commands.run_scheduler.syncs_due", lambda: [])
    default_task_backend.clear()
    settings.HEALTH_ALERT_WEBHOOK_URL, settings.HEALTH_ALERT_EMAILS = "", []
    Command().tick()
    assert _queued_alerts() == 0

    settings.HEALTH_ALERT_EMAILS = ["ops@example.com"]
    scheduler = Command()
    for _ in range(3):
        scheduler.tick()
    assert _queued_alerts() == 1
    later = timezone.now() + timedelta(minutes=3)  # the task ran or was lost
    with mock.patch("django.utils.timezone.now", return_value=later):
        scheduler.tick()
    assert _queued_alerts() == 2


# --- a notification a channel did not take is tried again at a later tick -------------------------


def test_a_webhook_that_failed_is_tried_again_and_the_email_is_not_sent_twice(
    channels, failing, caplog
):
    start = timezone.now()
    with responses.RequestsMock() as rsps:
        rsps.post(HOOK, status=500)
        rsps.post(HOOK, status=200)  # the next call: the hook is back
        assert health_alerts_send(now=start) == 1
        assert "The alert webhook answered 500." in caplog.text
        assert health_alerts_send(now=start + timedelta(seconds=30)) == 0  # not yet
        assert health_alerts_send(now=start + timedelta(minutes=1)) == 1
        assert health_alerts_send(now=start + timedelta(minutes=2)) == 0  # delivered: done
        assert [json.loads(c.request.body)["event"] for c in rsps.calls] == [
            "connection.failing",
            "connection.failing",
        ]
        assert json.loads(rsps.calls[1].request.body)["at"] == start.isoformat()  # the change's
    assert len(mail.outbox) == 1
    alert = HealthAlert.objects.get()
    assert alert.error == "" and alert.pending == [] and alert.retry_at is None


@pytest.mark.parametrize(
    "error", [smtplib.SMTPServerDisconnected("gone"), ConnectionRefusedError(111, "refused")]
)
def test_an_email_that_failed_is_sent_again_and_the_webhook_not_posted_twice(
    channels, failing, hook, error
):
    real_send_mail = send_mail
    answers = iter([error])

    def flaky(*args, **kwargs):
        if failure := next(answers, None):
            raise failure
        return real_send_mail(*args, **kwargs)

    start = timezone.now()
    with mock.patch("integrations.services.health_alerts.send_mail", side_effect=flaky):
        health_alerts_send(now=start)
        assert not mail.outbox
        assert HealthAlert.objects.get().error == (
            f"The alert email could not be sent ({type(error).__name__})."
        )
        health_alerts_send(now=start + timedelta(minutes=1))
    assert len(mail.outbox) == 1 and mail.outbox[0].subject.endswith("prod is failing")
    assert len(hook.calls) == 1
    assert HealthAlert.objects.get().error == ""


SMTP = "django.core.mail.backends.smtp.EmailBackend"


@pytest.mark.parametrize(
    ("settings_of", "error"),
    [
        (  # a ";" for a ",": Django refuses the address before anything is sent
            {"HEALTH_ALERT_EMAILS": ["ops@example.com;oncall@example.com"]},
            "ValueError: Invalid address; only ops@example.com could be parsed",
        ),
        (
            {"EMAIL_USE_TLS": True, "EMAIL_USE_SSL": True},
            "ValueError: EMAIL_USE_TLS/EMAIL_USE_SSL are mutually exclusive",
        ),
        ({"EMAIL_BACKEND": "no.such.EmailBackend"}, "ModuleNotFoundError: No module named 'no'"),
    ],
)
def test_an_email_the_backend_refuses_is_a_failed_try_not_the_end_of_the_run(
    channels, failing, hook, settings, caplog, settings_of, error
):
    """Not only smtplib's errors (OSErrors): a bad address or a misconfigured backend is
    kept and logged like any failed try, the webhook is still sent once, and the email is
    tried again once the setting is fixed."""
    other = Connection.objects.create(provider="recruitee", name="prod", api_token="t",
                                      is_active=False, disabled_reason="401")  # fmt: skip
    settings.EMAIL_BACKEND = SMTP
    for name, value in settings_of.items():
        setattr(settings, name, value)
    start = timezone.now()
    with mock.patch("smtplib.SMTP") as server:
        assert health_alerts_send(now=start) == 2  # both connections reported
        alerts = HealthAlert.objects.filter(connection__in=[failing, other])
        assert {a.connection_id: a.pending for a in alerts} == {
            failing.pk: ["email"], other.pk: ["email"]
        }  # fmt: skip
        sent = f"The alert email could not be sent ({error}"
        assert all(a.error.startswith(sent) for a in alerts)
        assert error in caplog.text and "next try at" in caplog.text
        assert len(hook.calls) == 2

        settings.EMAIL_BACKEND, settings.EMAIL_USE_SSL = SMTP, False
        settings.HEALTH_ALERT_EMAILS = ["ops@example.com", "oncall@example.com"]
        assert health_alerts_send(now=start + timedelta(minutes=1)) == 2
    assert server.return_value.sendmail.call_count == 2
    assert len(hook.calls) == 2  # not posted again
    assert [a.pending for a in HealthAlert.objects.all()] == [[], []]


@pytest.fixture
def switched_off(db):
    """Switched off by the hub: alarming whatever the time."""
    return Connection.objects.create(
        provider="recruitee", name="prod", api_token="t", is_active=False,
        disabled_reason="Recruitee refused the API token (401).",
    )  # fmt: skip


def test_a_channel_that_keeps_failing_is_tried_a_bounded_number_of_times(
    channels, settings, switched_off, caplog
):
    """The webhook never answers: it is tried after 1, 2, 5, 10, 30 and 60 minutes, and
    after that last try the notification is given up, and the log says so."""
    settings.HEALTH_ALERT_EMAILS = []
    start = timezone.now()
    tried_at = []
    with responses.RequestsMock() as rsps:
        rsps.post(HOOK, body=requests.ConnectTimeout("no answer"))
        for minute in range(6 * 60):
            if health_alerts_send(now=start + timedelta(minutes=minute)):
                tried_at.append(minute)
        assert len(rsps.calls) == len(tried_at)
    assert tried_at == [0, 1, 3, 8, 18, 48, 108]
    assert "gave up" in caplog.text.lower()
    alert = HealthAlert.objects.get()
    assert alert.retry_at is None and alert.pending == ["webhook"]


def test_a_notification_whose_worker_died_while_sending_is_sent_later(channels, switched_off, hook):
    """A worker stopped (SystemExit here; a killed one raises nothing) after the change was
    taken: its claim runs out and a later tick sends the notification."""
    start = timezone.now()
    died = mock.patch("integrations.services.health_alerts.send_mail", side_effect=SystemExit)
    with died, pytest.raises(SystemExit):
        health_alerts_send(now=start)
    assert health_alerts_send(now=start + timedelta(minutes=1)) == 0  # the claim still holds
    assert health_alerts_send(now=start + timedelta(minutes=6)) == 1
    assert len(mail.outbox) == 1


def test_a_report_whose_worker_dies_every_time_is_given_up_after_the_last_try(
    channels, settings, switched_off, caplog
):
    """Each try's worker dies mid-send (or hangs past the lease): every claim counts a try,
    so the report is tried 1 + len(RETRY_DELAYS) times, then given up, and the log says so."""
    settings.HEALTH_ALERT_WEBHOOK_URL = ""
    start = timezone.now()
    died = mock.patch("integrations.services.health_alerts.send_mail", side_effect=SystemExit)
    with died as send:
        for minute in range(3 * 60):
            with contextlib.suppress(SystemExit):
                health_alerts_send(now=start + timedelta(minutes=minute))
    assert send.call_count == 7
    assert "did not finish (gave up)" in caplog.text
    alert = HealthAlert.objects.get()
    assert alert.retry_at is None and alert.pending == ["email"] and alert.attempts == 7


def test_a_retry_another_worker_took_is_not_sent_twice(channels, switched_off, settings):
    settings.HEALTH_ALERT_EMAILS = []
    start = timezone.now()
    with responses.RequestsMock() as rsps:
        rsps.post(HOOK, status=503)
        health_alerts_send(now=start)
        stale = HealthAlert.objects.get()  # read by this worker before the other one took it
        HealthAlert.objects.filter(pk=stale.pk).update(retry_at=start + timedelta(minutes=9))
        later = start + timedelta(minutes=2)
        with mock.patch.object(HealthAlert.objects, "get_or_create", return_value=(stale, False)):
            assert health_alerts_send(now=later) == 0
        assert len(rsps.calls) == 1


def test_a_change_replaces_a_report_still_owed(channels, failing, hook, settings):
    """The webhook missed "failing"; the connection recovers before the retry: the channels
    are told it recovered, and "failing" is not sent late."""
    start = timezone.now()
    with mock.patch("integrations.services.health_alerts.send_mail", side_effect=OSError):
        health_alerts_send(now=start)
    assert HealthAlert.objects.get().pending == ["email"]
    later = start + timedelta(minutes=10)  # the failed calls left the window
    assert health_alerts_send(now=later) == 1
    assert [email.subject for email in mail.outbox] == [
        "Integration Hub: Affinity · prod has recovered"
    ]
    assert len(hook.calls) == 2
    assert HealthAlert.objects.get().pending == []
