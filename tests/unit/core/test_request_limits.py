"""Oversized request bodies get a 413 page before anything reads them, and change nothing."""

from __future__ import annotations

import pytest
import responses
from axes.models import AccessAttempt
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ats.models import Candidate
from core.request_limits import RequestBodyLimitMiddleware, body_limit
from integrations.models import Connection, OutboxItem

pytestmark = pytest.mark.django_db
FORM = "application/x-www-form-urlencoded"


@pytest.fixture(autouse=True)
def no_provider_calls():
    with responses.RequestsMock(assert_all_requests_are_fired=False):
        yield


@pytest.fixture
def recruitee(db):
    return Connection.objects.create(
        provider="recruitee", name="t", base_url="https://api.recruitee.com", company_id="1",
        api_token="x",
    )  # fmt: skip


def _body(size: int) -> bytes:
    return b"username=alice&password=" + b"x" * size


def test_the_login_page_refuses_a_large_body_and_counts_nothing(client, user):
    response = client.post("/accounts/login/", _body(20 * 1024), content_type=FORM)
    assert response.status_code == 413
    html = response.content.decode()
    assert "This page accepts at most 16.0\xa0KB at once" in html and "Nothing was saved" in html
    assert 'data-testid="too-large"' in html and "navbar" in html  # the app's layout
    assert not AccessAttempt.objects.exists()
    # An ordinary login still works.
    ok = client.post("/accounts/login/", {"username": "alice", "password": "correct-horse-42"})
    assert ok.status_code == 302


@pytest.mark.parametrize("path", ["/admin/login/", "/candidates/new/", "/projects/import/"])
def test_anonymous_bodies_get_the_tight_cap_everywhere(client, path):
    response = client.post(path, _body(20 * 1024), content_type=FORM)
    assert response.status_code == 413


def test_a_signed_in_form_over_the_cap_is_refused_and_creates_nothing(logged_in_client, recruitee):
    data = b"name=Ann&emails=ann%40example.com&cover_letter=" + b"x" * (1024 * 1024)
    response = logged_in_client.post("/candidates/new/", data, content_type=FORM)
    assert response.status_code == 413
    assert "This page accepts at most 1.0\xa0MB" in response.content.decode()
    assert not Candidate.objects.exists() and not OutboxItem.objects.exists()


def test_a_signed_in_form_under_the_cap_reaches_the_view(logged_in_client, recruitee):
    response = logged_in_client.post("/candidates/new/", {"name": "x" * 100_000})
    assert response.status_code == 200  # the form again, with its own errors


def test_too_many_fields_or_files_get_the_413_page(logged_in_client, recruitee):
    Connection.objects.create(
        provider="projecttool", name="t", base_url="https://pm.example.test", api_token="x"
    )
    fields = "&".join(f"f{n}=1" for n in range(600))
    response = logged_in_client.post("/candidates/new/", fields, content_type=FORM)
    assert response.status_code == 413
    assert "more fields or files than this page accepts" in response.content.decode()
    files = {
        "file": SimpleUploadedFile("a.csv", b"name\nA\n"),
        "other": SimpleUploadedFile("b.csv", b"name\nB\n"),
    }
    assert logged_in_client.post("/projects/import/", files).status_code == 413


def test_a_malformed_content_length_is_a_bad_request_not_a_500(user):
    response = Client().generic(
        "POST", "/accounts/login/", b"username=alice&password=correct-horse-42",
        content_type=FORM, CONTENT_LENGTH="not-a-number",
    )  # fmt: skip
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("public", "cap", "size", "signed_in", "refused"),
    [
        (True, 1024, 2048, True, True),  # tighter than the default
        (True, 1024, 1000, True, False),
        (True, 64 * 1024, 32 * 1024, False, False),  # a public receiver: its own cap
        (False, 64 * 1024, 32 * 1024, False, True),  # anonymous on a private page: 16 KB
        (False, 4 * 1024 * 1024, 3 * 1024 * 1024, True, False),  # looser than the default
    ],
)
def test_a_view_sets_its_own_cap(rf, user, public, cap, size, signed_in, refused):
    @body_limit(cap)
    def view(request):
        raise AssertionError("not reached")

    view = login_not_required(view) if public else view
    request = rf.post("/hook", b"x" * size, content_type="application/json")
    request.user = user if signed_in else AnonymousUser()
    response = RequestBodyLimitMiddleware(view).process_view(request, view, (), {})
    assert (response is not None and response.status_code == 413) is refused
