"""Login throttling: after LOGIN_FAILURE_LIMIT failures for a username or from an
address, logging in is refused for LOGIN_LOCKOUT_MINUTES, with a page that says when."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db.models import F

from tests.unit.test_foundation import ROOT, _production_env

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-42"  # the `user` fixture's (alice)
APP_LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


def _login(client, username, password, *, address="10.0.0.1", path=APP_LOGIN, **headers):
    return client.post(
        path, {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    )


def _fail(client, times, *, username="alice", address="10.0.0.1", path=APP_LOGIN, **headers):
    for _ in range(times):
        response = _login(client, username, "wrong-password", address=address, path=path, **headers)
        assert response.status_code in (200, 429)  # the form again, or the lockout page


def _logged_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def _locked(response) -> bool:
    return response.status_code == 429 and b"Too many failed logins" in response.content


def test_four_failures_still_let_the_right_password_in(client, user):
    _fail(client, 4)
    assert _logged_in(_login(client, "alice", PASSWORD))


def test_five_failures_for_one_username_lock_it_from_every_address(client, user):
    for n in range(5):
        _fail(client, 1, address=f"10.0.1.{n}")
    response = _login(client, "alice", PASSWORD, address="10.0.2.99")
    assert _locked(response) and "_auth_user_id" not in client.session


def test_five_failures_from_one_address_lock_every_username_there(client, user):
    for n in range(5):
        _fail(client, 1, username=f"guess{n}", address="10.0.3.1")
    assert _locked(_login(client, "alice", PASSWORD, address="10.0.3.1"))
    assert _logged_in(_login(client, "alice", PASSWORD, address="10.0.3.2"))


def test_the_admin_login_is_throttled_and_shares_the_count(client, staff_user):
    _fail(client, 3, username="root", path=ADMIN_LOGIN)
    _fail(client, 2, username="root", path=APP_LOGIN)
    response = _login(client, "root", PASSWORD, path=ADMIN_LOGIN)
    assert _locked(response)
    assert 'href="/admin/login/"' in response.content.decode()
    assert _locked(_login(client, "root", PASSWORD, path=APP_LOGIN))


def test_a_successful_login_resets_the_count(client, user):
    _fail(client, 4)
    assert _logged_in(_login(client, "alice", PASSWORD))
    client.logout()
    _fail(client, 4)
    assert _logged_in(_login(client, "alice", PASSWORD))


def test_the_lock_lifts_after_the_lockout_minutes(client, user):
    _fail(client, 5)
    assert _locked(_login(client, "alice", PASSWORD))
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))
    assert _logged_in(_login(client, "alice", PASSWORD))


def test_the_page_says_when_to_try_again_in_the_apps_layout(client, user, settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=30)
    _fail(client, 5)
    response = _login(client, "alice", PASSWORD)
    html = response.content.decode()
    assert response.status_code == 429
    assert "Try again in 30 minutes, after " in html
    assert 'data-testid="locked-out"' in html and "navbar" in html  # base.html, not bare text
    assert 'href="/accounts/login/"' in html


def test_the_limits_are_configurable(client, user, settings):
    settings.AXES_FAILURE_LIMIT = 2
    _fail(client, 2)
    assert _locked(_login(client, "alice", PASSWORD))


def test_the_environment_sets_both_limits():
    env = _production_env(LOGIN_FAILURE_LIMIT="3", LOGIN_LOCKOUT_MINUTES="40")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import config.settings as s; print(s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["3", "0:40:00"]


def test_a_forged_forwarded_for_header_does_not_escape_the_address_limit(client, user):
    for n in range(5):
        _fail(client, 1, username=f"guess{n}", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert _locked(_login(client, "alice", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.77"))


def test_behind_the_proxy_the_address_it_appended_counts(client, user, settings):
    settings.BEHIND_TLS_PROXY = True
    for n in range(5):  # the client forges the first entry; the proxy appends the real one
        _fail(
            client, 1, username=f"guess{n}", address="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.7",
        )  # fmt: skip
    forged = "192.0.2.99, 198.51.100.7"
    assert _locked(_login(client, "alice", PASSWORD, HTTP_X_FORWARDED_FOR=forged))
    other = _login(client, "alice", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert _logged_in(other)  # another client behind the same proxy
