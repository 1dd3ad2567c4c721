"""The candidate and offer pages against the sandbox: sync, list, search, filter, detail, writes."""

import uuid

import pytest

from ats.models import Candidate, Offer, Placement
from integrations import live_budget
from integrations.models import OutboxItem
from integrations.models.synced import SyncStatus
from integrations.outbox.delivery import outbox_deliver_due

pytestmark = pytest.mark.django_db


def _unique(prefix="Zed"):
    return f"{prefix} Tester{uuid.uuid4().hex[:6]}"


def _post(client, data, key=None):
    body = {
        "submission_key": key or uuid.uuid4().hex,
        "name": "",
        "emails": "",
        "phones": "",
        "social_links": "",
        "links": "",
        "cover_letter": "",
        **data,
    }
    return client.post("/candidates/new/", body)


def test_the_list_shows_the_synced_candidates(recruitee, logged_in_client, sandbox_clean):
    assert Candidate.objects.filter(is_deleted=False).count() == sandbox_clean.count(
        "recruitee_candidates"
    )
    newest = Candidate.objects.order_by("-remote_created_at").first()
    response = logged_in_client.get("/candidates/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Last synced" in html
    assert f'href="/candidates/{newest.pk}/"' in html
    # Placements got their stage names from the offers' pipelines.
    assert Placement.objects.exclude(stage_name="").count() == Placement.objects.count() > 0


def test_search_finds_by_email_and_by_name(recruitee, logged_in_client):
    someone = Candidate.objects.exclude(emails=[]).order_by("pk")[3]
    email = someone.emails[0]
    page = logged_in_client.get("/candidates/", {"q": email.upper()}).context["page_obj"]
    assert [c.pk for c in page] == [someone.pk]
    by_name = logged_in_client.get("/candidates/", {"q": someone.name.split()[0]})
    listed = by_name.context["page_obj"]
    assert someone.pk in [c.pk for c in listed] or listed.paginator.count > len(listed)


def test_filters_by_offer_stage_and_qualification(recruitee, logged_in_client):
    placement = Placement.objects.exclude(stage_name="").select_related("candidate").first()
    response = logged_in_client.get(
        "/candidates/", {"offer": placement.offer_remote_id, "stage": placement.stage_name}
    )
    listed = [row.pk for row in response.context["page_obj"]]
    rows = Candidate.objects.filter(pk__in=listed).prefetch_related("placements")
    assert listed and all(
        any(
            p.offer_remote_id == placement.offer_remote_id and p.stage_name == placement.stage_name
            for p in c.placements.all()
        )
        for c in rows
    )
    disqualified = logged_in_client.get("/candidates/", {"status": "disqualified"})
    assert all(c.pk for c in disqualified.context["page_obj"])
    expected = Candidate.objects.filter(is_disqualified=True, is_deleted=False).count()
    assert disqualified.context["page_obj"].paginator.count == expected  # exact: under 1,025
    # Pagination links keep the filters.
    assert "status=disqualified" in disqualified.context["querystring"]


def test_offers_page_links_to_their_candidates(recruitee, logged_in_client):
    offer = Offer.objects.order_by("pk").first()
    html = logged_in_client.get("/offers/").content.decode()
    assert offer.title in html
    assert f'href="/candidates/?offer={offer.remote_id}"' in html


def test_detail_fetches_the_full_candidate_live(recruitee, logged_in_client, sandbox_clean):
    # The sandbox gives every 3rd candidate a LinkedIn link; list items never carry it.
    candidate = Candidate.objects.get(remote_id="3")
    assert "social_links" not in candidate.raw
    response = logged_in_client.get(f"/candidates/{candidate.pk}/")
    html = response.content.decode()
    assert response.context["detail"].live
    assert "https://www.linkedin.com/in/" in html
    candidate.refresh_from_db()
    assert "social_links" in candidate.raw  # the local copy is refreshed


def test_detail_shows_the_synced_copy_when_recruitee_is_down(
    recruitee, logged_in_client, sandbox_clean
):
    candidate = Candidate.objects.get(remote_id="4")
    sandbox_clean.set_faults("recruitee", error_rate=1, error_statuses=[503])
    response = logged_in_client.get(f"/candidates/{candidate.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert not response.context["detail"].live
    assert "Recruitee did not answer" in html and "It was read from Recruitee" in html
    assert candidate.name.replace("'", "&#x27;") in html or candidate.name in html


def test_create_sends_the_candidate_and_redirects_to_it(
    recruitee, logged_in_client, sandbox_clean, sent
):
    before = sandbox_clean.count("recruitee_candidates")
    offer = Offer.objects.filter(status="published").first()
    name = _unique()
    response = _post(
        logged_in_client,
        {
            "name": name,
            "emails": "a@example.com\nb@example.org",
            "phones": "+31 6 1234 5678",
            "offers": [offer.remote_id],
            "cover_letter": "Hello\n<b>there</b>",
        },
    )
    candidate = Candidate.objects.get(name=name)
    assert response.status_code == 302
    assert response["Location"] == f"/candidates/{candidate.pk}/"
    assert sandbox_clean.count("recruitee_candidates") == before + 1
    assert candidate.sync_status == SyncStatus.SYNCED and candidate.remote_id
    assert candidate.phones == ["+31 6 1234 5678"]
    assert ("POST", "candidates") in [(m, p) for m, p, _ in sent]
    body = next(j for m, p, j in sent if m == "POST")
    assert body["offers"] == [int(offer.remote_id)]
    assert body["candidate"]["emails"] == ["a@example.com", "b@example.org"]
    assert list(candidate.placements.values_list("offer_remote_id", flat=True)) == [offer.remote_id]
    page = logged_in_client.get(response["Location"]).content.decode()
    assert "mailto:b@example.org" in page and "+31 6 1234 5678" in page
    assert "Hello<br>&lt;b&gt;there&lt;/b&gt;" in page


def test_a_double_submit_creates_one_candidate(recruitee, logged_in_client, sandbox_clean):
    before = sandbox_clean.count("recruitee_candidates")
    data = {"name": _unique(), "emails": "twice@example.com"}
    first = _post(logged_in_client, data, key="same-key")
    second = _post(logged_in_client, data, key="same-key")
    assert first["Location"] == second["Location"]
    assert sandbox_clean.count("recruitee_candidates") == before + 1
    assert Candidate.objects.filter(name=data["name"]).count() == 1


def test_edit_patches_only_what_changed(recruitee, logged_in_client, sandbox_clean, sent):
    candidate = Candidate.objects.get(remote_id="6")
    form = logged_in_client.get(f"/candidates/{candidate.pk}/edit/").context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data["phones"] = "+44 20 7946 0958"
    sent.clear()
    response = logged_in_client.post(f"/candidates/{candidate.pk}/edit/", data)
    assert response.status_code == 302
    patches = [j for m, _, j in sent if m == "PATCH"]
    assert patches == [{"candidate": {"phones": ["+44 20 7946 0958"]}}]
    stored = sandbox_clean.record("SELECT payload FROM recruitee_candidates WHERE id = 6")
    assert stored["phones"] == ["+44 20 7946 0958"]


def test_editing_while_recruitee_is_down_never_blanks_what_only_recruitee_knows(
    recruitee, logged_in_client, sandbox_clean, sent
):
    candidate = Candidate.objects.get(remote_id="7")  # synced from a list page: no links
    sandbox_clean.set_faults("recruitee", error_rate=1, error_statuses=[503], methods=["GET"])
    form = logged_in_client.get(f"/candidates/{candidate.pk}/edit/").context["form"]
    assert form.fields["links"].disabled and form.fields["cover_letter"].disabled
    sandbox_clean.reset_faults()
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(phones="+49 30 123456", links="https://overwrite.example.com")
    sent.clear()
    logged_in_client.post(f"/candidates/{candidate.pk}/edit/", data)
    patches = [j for m, _, j in sent if m == "PATCH"]
    assert patches == [{"candidate": {"phones": ["+49 30 123456"]}}]


def test_recruitee_down_saves_pending_then_the_worker_delivers(
    recruitee, logged_in_client, sandbox_clean
):
    before = sandbox_clean.count("recruitee_candidates")
    sandbox_clean.set_faults("recruitee", error_rate=1, error_statuses=[503])
    name = _unique("Pending")
    response = _post(logged_in_client, {"name": name, "emails": "pending@example.com"})
    candidate = Candidate.objects.get(name=name)
    assert response["Location"] == f"/candidates/{candidate.pk}/"
    page = logged_in_client.get(response["Location"]).content.decode()
    assert "Saved — it will be sent to Recruitee as soon as it answers." in page
    assert "Pending" in page
    assert candidate.sync_status == SyncStatus.PENDING
    assert sandbox_clean.count("recruitee_candidates") == before

    sandbox_clean.reset_faults()
    OutboxItem.objects.update(next_attempt_at=candidate.synced_at)
    assert outbox_deliver_due() == 1
    candidate.refresh_from_db()
    assert candidate.sync_status == SyncStatus.SYNCED and candidate.remote_id
    assert sandbox_clean.count("recruitee_candidates") == before + 1
    found = logged_in_client.get("/candidates/", {"q": name.lower()}).context["page_obj"]
    assert [row.pk for row in found] == [candidate.pk]


def test_a_422_lands_on_the_offers_field(recruitee, logged_in_client, sandbox_clean):
    # An offer the hub still lists but Recruitee no longer has: Recruitee answers 422.
    Offer.objects.create(connection=recruitee, remote_id="99999", title="Gone job")
    before = sandbox_clean.count("recruitee_candidates")
    response = _post(logged_in_client, {"name": _unique(), "offers": ["99999"]})
    assert response.status_code == 200
    assert response.context["form"].errors["offers"] == ["is invalid"]
    assert sandbox_clean.count("recruitee_candidates") == before
    assert not Candidate.objects.filter(remote_id=None).exists()


def test_a_timeout_after_the_post_landed_does_not_duplicate(
    recruitee, logged_in_client, sandbox_clean
):
    before = sandbox_clean.count("recruitee_candidates")
    sandbox_clean.set_faults("recruitee", drop_after_rate=1, methods=["POST"], max_faults=1)
    name = _unique("Dropped")
    _post(logged_in_client, {"name": name, "emails": "dropped@example.com"})
    item = OutboxItem.objects.get(summary=f"Create candidate {name}")
    assert item.status == OutboxItem.Status.PENDING and item.outcome_unknown
    assert sandbox_clean.count("recruitee_candidates") == before + 1  # it did land

    OutboxItem.objects.update(next_attempt_at=item.created_at)
    assert outbox_deliver_due() == 1
    item.refresh_from_db()
    assert item.status == OutboxItem.Status.DONE
    assert sandbox_clean.count("recruitee_candidates") == before + 1  # and only once
    candidate = Candidate.objects.get(name=name)
    assert candidate.remote_id == item.remote_id


def test_detail_shows_the_synced_copy_once_the_live_budget_is_spent(
    recruitee, logged_in_client, settings, monkeypatch
):
    settings.LIVE_CALLS_PER_USER_PER_MINUTE = 1
    monkeypatch.setattr(live_budget, "now", lambda: 1_800_000_000.0 + 50)
    candidate = Candidate.objects.get(remote_id="3")
    assert logged_in_client.get(f"/candidates/{candidate.pk}/").context["detail"].live
    response = logged_in_client.get(f"/candidates/{candidate.pk}/")
    assert not response.context["detail"].live
    html = response.content.decode()
    assert "Live data from Recruitee is paused for 10 seconds" in html
    assert "This is the synced copy." in html
    edit = logged_in_client.get(f"/candidates/{candidate.pk}/edit/").content.decode()
    assert "Live data from Recruitee is paused for 10 seconds" in edit


def test_a_note_added_in_the_hub_is_at_recruitee_and_on_the_page(logged_in_client, recruitee):
    candidate = Candidate.objects.filter(connection=recruitee).exclude(remote_id=None).first()

    page = logged_in_client.post(
        f"/candidates/{candidate.pk}/notes/",
        {"body": "Met at the fair.", "submission_key": uuid.uuid4().hex},
        follow=True,
    )

    assert "Note added in Recruitee." in [str(m) for m in page.context["messages"]]
    assert "Met at the fair." in page.content.decode()  # read back from the sandbox
