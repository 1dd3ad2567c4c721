"""A candidate edit saved from a page opened before someone else's edit keeps the other change.

Ana and Ben open the same candidate's edit page; Ben saves a change; Ana saves hers. What
Ana left as it was keeps Ben's value, in the local row and at Recruitee (the sandbox; the
PATCH bodies are what the hub sent); the same field changed by both is a conflict shown on
the form, and saving again replaces Ben's value on purpose.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.core import signing

from ats.models import Candidate
from ats.services import FULL_ONLY_FIELDS
from core.forms import EDIT_BASE_SALT
from integrations.models import OutboxItem
from integrations.outbox.delivery import outbox_deliver_due

pytestmark = pytest.mark.django_db


def _new(text: str) -> str:
    """A value no test saved before (the session's sandbox keeps every test's writes)."""
    return (
        text.replace("@", f".{uuid.uuid4().hex[:6]}@")
        if "@" in text
        else f"{text} {uuid.uuid4().hex[:6]}"
    )


def _opened(client, url: str) -> dict[str, Any]:
    """The edit page's form as a browser would send it back untouched."""
    page = client.get(url)
    form = page.context["form"]
    assert f'name="base" value="{form["base"].value()}"' in page.content.decode()
    return {name: form[name].value() or "" for name in form.fields if not form[name].field.disabled}


def _patches(sent) -> list[Any]:
    return [body for method, _, body in sent if method == "PATCH"]


def _at_recruitee(sandbox, remote_id: str) -> dict[str, Any]:
    return sandbox.record("SELECT payload FROM recruitee_candidates WHERE id = ?", (remote_id,))


@pytest.fixture
def url(recruitee, sandbox_clean):
    candidate = Candidate.objects.get(remote_id="6")
    return f"/candidates/{candidate.pk}/edit/"


def test_an_edit_from_a_page_opened_before_another_keeps_the_other_change(
    logged_in_client, url, sandbox_clean, sent
):
    email, name = _new("ben@example.com"), _new("Ana Renamed")
    ana, ben = _opened(logged_in_client, url), _opened(logged_in_client, url)
    logged_in_client.post(url, {**ben, "emails": email})
    sent.clear()
    page = logged_in_client.post(url, {**ana, "name": name}, follow=True)

    assert page.status_code == 200 and "form" not in page.context
    stored = Candidate.objects.get(remote_id="6")
    assert (stored.name, stored.emails) == (name, [email])
    assert _patches(sent) == [{"candidate": {"name": name}}]  # only Ana's change
    remote = _at_recruitee(sandbox_clean, "6")
    assert (remote["name"], remote["emails"]) == (name, [email])


def test_an_edit_saved_while_anothers_is_still_on_its_way_keeps_it(
    logged_in_client, url, sandbox_clean, sent
):
    """Recruitee is down: Ben's change waits in the outbox, and Ana's save keeps it locally,
    sends only her own field, and both land once Recruitee answers."""
    email, name = _new("ben@example.com"), _new("Ana Renamed")
    ana, ben = _opened(logged_in_client, url), _opened(logged_in_client, url)
    sandbox_clean.set_faults("recruitee", error_rate=1, error_statuses=[503])
    logged_in_client.post(url, {**ben, "emails": email})
    logged_in_client.post(url, {**ana, "name": name})

    stored = Candidate.objects.get(remote_id="6")
    assert (stored.name, stored.emails) == (name, [email])
    waiting = OutboxItem.objects.filter(status=OutboxItem.Status.PENDING).order_by("pk")
    assert [item.payload["changes"] for item in waiting] == [{"emails": [email]}, {"name": name}]

    sandbox_clean.reset_faults()
    waiting.update(next_attempt_at=stored.synced_at)
    assert outbox_deliver_due() == 2
    remote = _at_recruitee(sandbox_clean, "6")
    assert (remote["name"], remote["emails"]) == (name, [email])


def test_a_cover_letter_still_on_its_way_is_a_conflict_for_an_older_page(
    logged_in_client, url, sandbox_clean
):
    """Recruitee is down: Ben's cover letter waits in the outbox (Recruitee's copy still has
    the old one), and Ana's letter from an older page is a conflict, not a silent
    replacement of Ben's."""
    bens, anas = _new("Dear Ben"), _new("Dear Ana")
    ana, ben = _opened(logged_in_client, url), _opened(logged_in_client, url)
    sandbox_clean.set_faults("recruitee", error_rate=1, error_statuses=[503])
    logged_in_client.post(url, {**ben, "cover_letter": bens})
    page = logged_in_client.post(url, {**ana, "cover_letter": anas})

    assert page.context["form"].errors["cover_letter"] == [
        f"Changed by someone else since you opened this page: now “{bens}”. "
        "Save again to replace it."
    ]
    waiting = OutboxItem.objects.filter(status=OutboxItem.Status.PENDING)
    assert [item.payload["changes"] for item in waiting] == [{"cover_letter": bens}]
    # A new page shows Ben's letter, the one on its way.
    assert _opened(logged_in_client, url)["cover_letter"] == bens


def test_an_edit_from_a_page_opened_before_a_list_sync_saves(
    logged_in_client, url, sandbox_clean, sent
):
    """A list sync stores a list row (no cover letter, links, social links) and Recruitee is
    down at the save, so the hub cannot read those fields now: the page's copy of them,
    signed with the others, is still this page's, and the person's edit saves, their own
    cover letter included (only what they changed is sent)."""
    name, letter = _new("Ana Renamed"), _new("Dear Ana")
    ana = _opened(logged_in_client, url)
    candidate = Candidate.objects.get(remote_id="6")
    list_row = {k: v for k, v in candidate.raw.items() if k not in FULL_ONLY_FIELDS}
    Candidate.objects.filter(pk=candidate.pk).update(raw=list_row)
    sandbox_clean.set_faults("recruitee", error_rate=1, error_statuses=[503])
    page = logged_in_client.post(url, {**ana, "name": name, "cover_letter": letter}, follow=True)

    assert "form" not in page.context, page.context["form"].errors
    assert Candidate.objects.get(remote_id="6").name == name
    waiting = OutboxItem.objects.get(status=OutboxItem.Status.PENDING)
    assert waiting.payload["changes"] == {"name": name, "cover_letter": letter}

    sandbox_clean.reset_faults()
    OutboxItem.objects.update(next_attempt_at=candidate.synced_at)
    assert outbox_deliver_due() == 1
    remote = _at_recruitee(sandbox_clean, "6")
    assert (remote["name"], remote["cover_letter"]) == (name, letter)


def test_the_same_field_changed_by_both_is_a_conflict_and_saving_again_replaces_it(
    logged_in_client, url, sandbox_clean, sent
):
    bens, anas, name = (
        [_new("ben@example.com"), _new("shared@example.com")],
        _new("ana@example.com"),
        _new("Ben Named"),
    )
    ana, ben = _opened(logged_in_client, url), _opened(logged_in_client, url)
    logged_in_client.post(url, {**ben, "emails": "\n".join(bens), "name": name})
    writes = OutboxItem.objects.count()
    sent.clear()

    page = logged_in_client.post(url, {**ana, "emails": anas})

    form = page.context["form"]
    assert form.errors["emails"] == [
        f"Changed by someone else since you opened this page: now “{bens[0]}, {bens[1]}”. "
        "Save again to replace it."
    ]
    assert "name" not in form.errors
    assert f"now “{bens[0]}, {bens[1]}”" in page.content.decode()
    assert _patches(sent) == [] and OutboxItem.objects.count() == writes  # nothing sent
    assert Candidate.objects.get(remote_id="6").emails == bens
    # The page now shows Ben's name (Ana left it as it was) and her own emails.
    assert (form["name"].value(), form["emails"].value()) == (name, anas)

    again = {name: form[name].value() or "" for name in form.fields}
    logged_in_client.post(url, again)

    stored = Candidate.objects.get(remote_id="6")
    assert (stored.name, stored.emails) == (name, [anas])
    assert _patches(sent) == [{"candidate": {"emails": [anas]}}]
    assert _at_recruitee(sandbox_clean, "6")["emails"] == [anas]


def test_a_list_field_the_person_left_shows_the_stored_lines_after_a_conflict(
    logged_in_client, url
):
    """Ben's two phones come back as two lines, so saving again keeps both."""
    phones, name = ["+31 6 1111 1111", "+31 6 2222 2222"], _new("Ben")
    ana, ben = _opened(logged_in_client, url), _opened(logged_in_client, url)
    logged_in_client.post(url, {**ben, "phones": "\n".join(phones), "name": name})
    form = logged_in_client.post(url, {**ana, "name": _new("Ana")}).context["form"]
    assert form["phones"].value() == "\n".join(phones)
    logged_in_client.post(url, {name: form[name].value() or "" for name in form.fields})
    assert Candidate.objects.get(remote_id="6").phones == phones


def test_both_changing_a_field_to_the_same_value_is_no_conflict(logged_in_client, url):
    email = _new("same@example.com")
    ana, ben = _opened(logged_in_client, url), _opened(logged_in_client, url)
    logged_in_client.post(url, {**ben, "emails": email})
    page = logged_in_client.post(url, {**ana, "emails": email}, follow=True)
    assert "form" not in page.context
    assert Candidate.objects.get(remote_id="6").emails == [email]


@pytest.mark.parametrize("base", ["", "garbled", "eyJuYW1lIjoiQWRhIn0:1x:forged"])
def test_a_garbled_or_forged_base_is_a_form_error_and_changes_nothing(
    logged_in_client, url, sent, base
):
    name = _new("Ana")
    data = {**_opened(logged_in_client, url), "name": name, "base": base}
    writes = OutboxItem.objects.count()
    sent.clear()
    page = logged_in_client.post(url, data)
    assert page.status_code == 200
    assert "Reload the page and make your change again." in page.content.decode()
    assert Candidate.objects.get(remote_id="6").name != name
    assert _patches(sent) == [] and OutboxItem.objects.count() == writes


def test_a_base_of_another_forms_fields_is_refused(logged_in_client, url):
    """Signed by the hub, but the organization edit's: not this page's copy."""
    other = signing.dumps({"name": "Acme", "domain": "acme.io"}, salt=EDIT_BASE_SALT)
    name = _new("Ana")
    data = {**_opened(logged_in_client, url), "name": name, "base": other}
    assert "Reload the page" in logged_in_client.post(url, data).content.decode()
    assert Candidate.objects.get(remote_id="6").name != name


def test_a_double_submit_of_the_edit_writes_once(logged_in_client, url, sent):
    name = _new("Ana")
    data = {**_opened(logged_in_client, url), "name": name}
    writes = OutboxItem.objects.count()
    sent.clear()
    logged_in_client.post(url, data)
    logged_in_client.post(url, data)
    assert OutboxItem.objects.count() == writes + 1
    assert _patches(sent) == [{"candidate": {"name": name}}]


def test_a_cover_letter_sent_back_with_a_browsers_line_breaks_is_unchanged(
    logged_in_client, url, sandbox_clean, sent
):
    """A browser sends a textarea's lines back with CRLF: that is no change, so saving a new
    name neither sends the letter again nor calls someone else's letter a conflict."""
    letter, name = _new("Dear team,\nHello"), _new("Ana")
    crlf = letter.replace("\n", "\r\n")
    logged_in_client.post(url, {**_opened(logged_in_client, url), "cover_letter": crlf})
    assert _at_recruitee(sandbox_clean, "6")["cover_letter"] == letter
    sent.clear()
    logged_in_client.post(
        url, {**_opened(logged_in_client, url), "cover_letter": crlf, "name": name}
    )
    assert _patches(sent) == [{"candidate": {"name": name}}]
