"""The candidate pages with their services and selectors patched where the views look them up."""

from datetime import UTC, datetime
from unittest import mock

import pytest
from django.contrib.messages import get_messages

from ats.models import Candidate
from ats.services import CandidateDetail
from integrations.models import Connection, OutboxItem
from integrations.providers.recruitee_records import CandidateRecord
from integrations.refresh import Refresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def candidate(connection):
    return Candidate.objects.create(
        connection=connection,
        remote_id="11",
        name="<b>Ada</b>",
        emails=["ada@example.com"],
        phones=["+31 6 1234 5678"],
        search_text="<b>ada</b> ada@example.com",
        initials="AL",
        photo_thumb_url="https://s3.example/ada.png",
        remote_created_at=datetime(2023, 1, 15, tzinfo=UTC),
    )


def _item(status, **fields):
    fields.setdefault("connection", Connection(provider="recruitee"))
    return OutboxItem(pk=1, status=status, **fields)


def test_not_connected_shows_a_setup_link_to_staff(client, staff_user):
    client.force_login(staff_user)
    html = client.get("/candidates/").content.decode()
    assert "Recruitee is not connected" in html
    assert 'href="/admin/integrations/connection/add/?provider=recruitee"' in html


def test_not_connected_tells_others_to_ask(logged_in_client):
    html = logged_in_client.get("/offers/").content.decode()
    assert "Recruitee is not connected" in html and "Ask an administrator" in html


def test_list_escapes_names_and_only_links_http_images(logged_in_client, candidate, monkeypatch):
    monkeypatch.setattr("core.resource_views.sync_bar", lambda **kw: None)
    Candidate.objects.create(
        connection=candidate.connection,
        remote_id="12",
        name="Eve",
        initials="EV",
        photo_thumb_url="javascript:alert(1)",
        search_text="eve",
    )
    html = logged_in_client.get("/candidates/").content.decode()
    assert "&lt;b&gt;Ada&lt;/b&gt;" in html and "<b>Ada</b>" not in html
    assert 'src="https://s3.example/ada.png"' in html
    assert "javascript:alert" not in html
    assert ">EV</span>" in html


def test_list_passes_the_filters_to_the_selector(logged_in_client, connection, monkeypatch):
    monkeypatch.setattr("core.resource_views.sync_bar", lambda **kw: None)
    with mock.patch(
        "ats.views.selectors.candidate_list",
        wraps=__import__("ats.selectors", fromlist=["candidate_list"]).candidate_list,
    ) as listed:
        response = logged_in_client.get(
            "/candidates/", {"q": "ada", "status": "qualified", "sort": "name", "offer": "nope"}
        )
    filters = listed.call_args.kwargs["filters"]
    assert (filters.search, filters.status, filters.sort.value, filters.offer) == (
        "ada",
        "qualified",
        "name",
        "",
    )
    assert "No candidates match these filters." in response.content.decode()
    assert response.context["querystring"] == "q=ada&status=qualified&sort=name"


def test_detail_renders_what_the_service_returns(logged_in_client, candidate):
    record = CandidateRecord(
        id="11",
        name="Ada",
        emails=("ada@example.com",),
        phones=("+31 6 1234 5678",),
        cover_letter="Hi\n<script>x</script>",
        links=("javascript:alert(1)", "https://ada.example"),
    )
    detail = CandidateDetail(
        candidate=candidate,
        record=record,
        placements=[],
        live=False,
        problem="Recruitee did not answer (503: down); this is the synced copy.",
        copy_from=datetime(2023, 1, 1, tzinfo=UTC),
    )
    stale = Refresh(fresh=False, problem=detail.problem)
    with (
        mock.patch(
            "ats.views.services.candidate_refresh_from_provider", return_value=stale
        ) as refresh,
        mock.patch("ats.views.services.candidate_detail", return_value=detail) as shown,
    ):
        html = logged_in_client.get(f"/candidates/{candidate.pk}/").content.decode()
    refresh.assert_called_once_with(candidate=candidate, user=mock.ANY)
    shown.assert_called_once_with(candidate=candidate, refresh=stale)
    assert 'href="mailto:ada@example.com"' in html
    assert 'href="tel:+31612345678"' in html
    assert "Hi<br>&lt;script&gt;x&lt;/script&gt;" in html
    assert 'href="https://ada.example"' in html and 'href="javascript:' not in html
    assert "Recruitee did not answer" in html and "It was read from Recruitee" in html


def test_detail_of_an_unknown_candidate_is_404(logged_in_client, connection):
    assert logged_in_client.get("/candidates/999/").status_code == 404


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (OutboxItem.Status.DONE, "Candidate created in Recruitee."),
        (OutboxItem.Status.PENDING, "Saved — it will be sent to Recruitee as soon as it answers."),
    ],
)
def test_create_redirects_with_a_message(logged_in_client, candidate, status, message):
    item = _item(status, record_id=candidate.pk)
    with mock.patch("ats.views.services.candidate_create", return_value=item) as create:
        response = logged_in_client.post(
            "/candidates/new/",
            {
                "submission_key": "k1",
                "name": "Ada",
                "emails": "a@x.io\nb@y.io",
                "phones": "+31 6 1234 5678",
            },
            follow=True,
        )
    data = create.call_args.kwargs["data"]
    assert create.call_args.kwargs["submission_key"] == "k1"
    assert data["emails"] == ["a@x.io", "b@y.io"] and data["phones"] == ["+31 6 1234 5678"]
    assert response.redirect_chain[-1][0] == f"/candidates/{candidate.pk}/"
    assert message in response.content.decode()


def test_a_refusal_puts_recruitees_messages_on_the_fields(logged_in_client, connection):
    item = _item(
        OutboxItem.Status.FAILED,
        field_errors={
            "name": ["can't be blank"],
            "offer_id": ["is invalid"],
            "base": ["Something else"],
        },
        last_error="Recruitee API 422",
        connection=connection,
    )
    with mock.patch("ats.views.services.candidate_create", return_value=item):
        response = logged_in_client.post(
            "/candidates/new/", {"submission_key": "k2", "name": "Ada"}
        )
    form = response.context["form"]
    assert form.errors["name"] == ["can't be blank"]
    assert form.errors["__all__"] == ["base: Something else"]
    assert form["submission_key"].value() != "k2"  # the corrected form is a new submission


def test_invalid_input_never_reaches_the_service(logged_in_client, connection):
    with mock.patch("ats.views.services.candidate_create") as create:
        response = logged_in_client.post(
            "/candidates/new/",
            {
                "submission_key": "k3",
                "name": " ",
                "emails": "ok@example.com\nnope",
                "phones": "call me",
                "links": "ftp://files.example",
            },
        )
    create.assert_not_called()
    errors = response.context["form"].errors
    assert errors["emails"] == ["“nope” is not a valid email address."]
    assert errors["phones"] == ["“call me” does not look like a phone number."]
    assert errors["links"] == ["“ftp://files.example” is not an http(s) web address."]
    assert "name" in errors


def test_edit_with_no_changes_says_so(logged_in_client, candidate):
    url = f"/candidates/{candidate.pk}/edit/"
    with (
        mock.patch("ats.views.services.candidate_refresh_from_provider"),
        mock.patch("ats.views.services.candidate_update", return_value=None),
    ):
        form = logged_in_client.get(url).context["form"]
        data = {name: form[name].value() for name in form.fields if not form[name].field.disabled}
        response = logged_in_client.post(url, data)
    assert response["Location"] == f"/candidates/{candidate.pk}/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Nothing changed."]
