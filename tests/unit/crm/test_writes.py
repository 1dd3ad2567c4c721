"""Outbox operations (mocked Affinity), forms, and views with their services patched."""

from __future__ import annotations

import json

import pytest
from django import forms
from responses import matchers

from crm.forms import PersonForm, normalize_domain
from crm.models import Organization, Person
from crm.outbox import (
    OrganizationCreate,
    OrganizationUpdate,
    PersonCreate,
    PersonUpdate,
    merge_list,
)
from crm.selectors import DomainMatches, organization_domain_matches
from crm.services import organization_create, person_create
from integrations.http.auth import BasicKeyAuth
from integrations.http.errors import ValidationError
from integrations.live_budget import LiveBudgetSpentError, live_call_spend
from integrations.models import OutboxItem
from integrations.outbox.delivery import outbox_deliver
from integrations.outbox.service import deliver_later

BASE = "https://api.affinity.co"


@pytest.fixture
def api(make_client):
    return make_client("affinity", BASE, auth=BasicKeyAuth("k"))


def _item(payload):
    return OutboxItem(operation="x", payload=payload, submission_key="k")


@pytest.mark.parametrize(
    ("current", "base", "submitted", "expected"),
    [
        ([1, 2], [1, 2], [1, 2, 3], [1, 2, 3]),  # added in the form
        ([1, 2], [1, 2], [1], [1]),  # removed in the form
        ([1, 2, 5], [1, 2], [1, 3], [1, 3, 5]),  # 5 added in Affinity meanwhile: kept
        ([1], [1, 2], [1, 2], [1]),  # 2 removed in Affinity meanwhile, untouched in the form
    ],
)
def test_merge_list(current, base, submitted, expected):
    assert merge_list(current, base, submitted) == expected


def test_update_reads_affinity_first_and_sends_the_complete_person_ids(rsps, api):
    rsps.add(
        "GET", f"{BASE}/organizations/7", json={"id": 7, "name": "Acme", "person_ids": [1, 2, 5]}
    )
    rsps.add(
        "PUT",
        f"{BASE}/organizations/7",
        json={"id": 7, "name": "Acme Inc", "person_ids": [1, 3, 5]},
        match=[
            matchers.json_params_matcher(
                {"person_ids": [1, 3, 5], "name": "Acme Inc", "domain": "acme.io"}
            )
        ],
    )
    payload = {"organization_id": "7", "name": "Acme Inc", "domain": "acme.io",
               "person_ids": [1, 3], "base_person_ids": [1, 2]}  # fmt: skip
    assert OrganizationUpdate().send(api, _item(payload))["person_ids"] == [1, 3, 5]


def test_update_of_a_global_organization_sends_only_the_persons(rsps, api):
    rsps.add(
        "GET",
        f"{BASE}/organizations/7",
        json={"id": 7, "name": "Big", "domain": "big.com", "global": True, "person_ids": []},
    )
    rsps.add(
        "PUT",
        f"{BASE}/organizations/7",
        json={"id": 7, "name": "Big", "global": True, "person_ids": [4]},
        match=[matchers.json_params_matcher({"person_ids": [4]})],
    )
    payload = {
        "organization_id": "7",
        "name": "Big",
        "domain": "big.com",
        "person_ids": [4],
        "base_person_ids": [],
    }
    OrganizationUpdate().send(api, _item(payload))


def test_person_update_keeps_emails_added_in_affinity(rsps, api):
    rsps.add(
        "GET",
        f"{BASE}/persons/3",
        json={"id": 3, "emails": ["a@x.io", "new@x.io"], "organization_ids": [9]},
    )
    rsps.add(
        "PUT",
        f"{BASE}/persons/3",
        json={"id": 3, "first_name": "A", "last_name": "B"},
        match=[matchers.json_params_matcher({"first_name": "A", "last_name": "B",
               "emails": ["b@x.io", "new@x.io"], "organization_ids": [9]})],
    )  # fmt: skip
    payload = {"person_id": "3", "first_name": "A", "last_name": "B", "emails": ["b@x.io"],
               "base_emails": ["a@x.io"], "organization_ids": [9],
               "base_organization_ids": [9]}  # fmt: skip
    PersonUpdate().send(api, _item(payload))


def test_reconciling_a_create_skips_organizations_that_were_there_before(rsps, api):
    found = {
        "organizations": [
            {"id": 1, "name": "Acme", "domain": "acme.io", "domains": ["acme.io"]},  # known before
            {"id": 2, "name": "Acme", "domain": "acme.io", "domains": ["acme.io"], "global": True},
            {"id": 3, "name": "ACME", "domain": "acme.io", "domains": ["acme.io"]},  # ours
            {"id": 4, "name": "Other", "domain": "acme.io", "domains": ["acme.io"]},
        ],
        "next_page_token": None,
    }
    rsps.add(
        "GET",
        f"{BASE}/organizations",
        json=found,
        match=[matchers.query_param_matcher({"term": "acme.io", "page_size": "500"})],
    )
    payload = {"name": "Acme", "domain": "acme.io", "person_ids": [], "existing_ids": ["1"]}
    assert OrganizationCreate().find_existing(api, _item(payload))["id"] == 3
    rsps.replace(
        "GET", f"{BASE}/organizations", json={"organizations": [], "next_page_token": None}
    )
    assert OrganizationCreate().find_existing(api, _item(payload)) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Acme.COM", "acme.com"),
        ("sub.acme.co.uk.", "sub.acme.co.uk"),
        ("", ""),
        ("bücher.de", "bücher.de"),
    ],
)
def test_domains_are_normalized(value, expected):
    assert normalize_domain(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "https://acme.com",
        "acme.com/about",
        "me@acme.com",
        "acme",
        "-acme.com",
        "acme..com",
        "acme.com:8080",
        "a b.com",
    ],
)
def test_urls_and_garbage_are_not_domains(value):
    with pytest.raises(forms.ValidationError):
        normalize_domain(value)


# --- views, with the service patched where the view looks it up ------------------


def test_create_view_says_saved_when_affinity_is_down(logged_in_client, connection, monkeypatch):
    org = Organization.objects.create(connection=connection, name="Acme", sync_status="pending")
    error = "Affinity API 503 (POST /organizations): Service unavailable"
    item = OutboxItem(
        connection=connection,
        status="pending",
        record_id=org.pk,
        submission_key="s",
        last_error=error,
    )
    monkeypatch.setattr(
        "crm.views.selectors.organization_domain_matches", lambda **kw: DomainMatches()
    )
    monkeypatch.setattr("crm.views.services.organization_create", lambda **kw: item)
    page = logged_in_client.post(
        "/organizations/new/",
        {"name": "Acme", "domain": "acme.io", "submission_key": "s"},
        follow=True,
    )
    html = page.content.decode()
    assert (
        "Saved — it will be sent to Affinity as soon as it answers. "
        "Affinity did not answer; we will retry." in html
    )
    assert "POST /organizations" not in html  # staff only
    assert page.request["PATH_INFO"] == f"/organizations/{org.pk}/"


def test_refused_create_puts_affinity_messages_on_fields(logged_in_client, connection, monkeypatch):
    item = OutboxItem(connection=connection, status="failed", submission_key="s",
                      field_errors={"domain": ["domain is taken"]}, last_error="x")  # fmt: skip
    monkeypatch.setattr(
        "crm.views.selectors.organization_domain_matches", lambda **kw: DomainMatches()
    )
    monkeypatch.setattr("crm.views.services.organization_create", lambda **kw: item)
    page = logged_in_client.post(
        "/organizations/new/", {"name": "Acme", "domain": "acme.io", "submission_key": "s"}
    )
    assert page.context["form"].errors["domain"] == ["domain is taken"]
    assert page.context["form"].data["submission_key"] != "s"  # a corrected form is a new write


# --- Affinity's refusals, read from the structured error ---------------------------


def test_a_refusal_about_an_email_that_names_no_field_goes_on_the_emails(rsps, api):
    taken = "A person with the email ada@x.io already exists"
    rsps.add("POST", f"{BASE}/persons", status=422, json={"message": taken})
    payload = {"first_name": "Ada", "last_name": "L", "emails": ["ada@x.io"]}
    with pytest.raises(ValidationError) as refused:
        PersonCreate().send(api, _item(payload))
    assert refused.value.field_errors == {"emails": [taken]}
    assert refused.value.message == taken and refused.value.status == 422


def test_a_refusal_naming_its_field_or_not_about_emails_is_left_as_affinity_gave_it(rsps, api):
    rsps.add("GET", f"{BASE}/persons/3", json={"id": 3, "emails": [], "organization_ids": []})
    rsps.add("PUT", f"{BASE}/persons/3", status=422, json={"message": "first_name is too long"})
    payload = {"person_id": "3", "first_name": "A" * 300, "last_name": "B", "emails": [],
               "base_emails": [], "organization_ids": [], "base_organization_ids": []}  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        PersonUpdate().send(api, _item(payload))
    assert refused.value.field_errors == {}
    named = {"errors": [{"param": "emails", "message": "email is taken"}]}
    rsps.add("POST", f"{BASE}/persons", status=422, json=named)
    with pytest.raises(ValidationError) as refused:
        PersonCreate().send(api, _item({"first_name": "A", "last_name": "B", "emails": []}))
    assert refused.value.field_errors == {"emails": ["email is taken"]}


def test_the_person_form_does_not_guess_a_field_from_the_shown_sentence():
    """The shown sentence is formatted for people (and for staff carries the path and
    request id): the form puts a field-less refusal on top, whatever its words."""
    form = PersonForm({"first_name": "A", "last_name": "B", "submission_key": "s"}, choices=list)
    assert form.is_valid()
    form.add_provider_errors({}, "Affinity refused the data: Email address taken. Reference: x.")
    assert form.non_field_errors() == [
        "Affinity refused the data: Email address taken. Reference: x."
    ]
    assert "emails" not in form.errors


def _affinity_pages(kind: str, records: list[dict], page_size: int):
    """`GET /{kind}?term=` as Affinity pages it: `page_size` at most, then the token."""

    def answer(request):
        offset = int(request.params.get("page_token") or 0)
        size = min(int(request.params["page_size"]), page_size)
        more = offset + size < len(records)
        body = {kind: records[offset : offset + size],
                "next_page_token": str(offset + size) if more else None}  # fmt: skip
        return 200, {}, json.dumps(body)

    return answer


def test_reconciling_a_create_reads_every_page_of_the_search(rsps, api):
    """The term also matches Affinity's global organizations (affinity.md): the one this
    write made can be past the first page, and a lookup that stops there sends it again."""
    globals_first = [
        {"id": n, "name": f"Acme {n}", "domain": f"acme{n}.io", "domains": [f"acme{n}.io"],
         "global": True}
        for n in range(10, 260)
    ]  # fmt: skip
    ours = {"id": 900, "name": "Acme", "domain": "acme.io", "domains": ["acme.io"]}
    rsps.add_callback(
        "GET", f"{BASE}/organizations",
        callback=_affinity_pages("organizations", [*globals_first, ours], page_size=100),
    )  # fmt: skip
    payload = {"name": "Acme", "domain": "acme.io", "person_ids": [], "existing_ids": []}
    assert OrganizationCreate().find_existing(api, _item(payload))["id"] == 900


def test_reconciling_a_person_reads_every_page_of_the_search(rsps, api):
    namesakes = [
        {"id": n, "first_name": "Ann", "last_name": "Smith", "emails": [f"ann{n}@x.io"]}
        for n in range(10, 160)
    ]
    ours = {"id": 900, "first_name": "Ann", "last_name": "Smith", "emails": []}
    rsps.add_callback(
        "GET", f"{BASE}/persons",
        callback=_affinity_pages("persons", [*namesakes, ours], page_size=100),
    )  # fmt: skip
    payload = {"first_name": "Ann", "last_name": "Smith", "emails": [], "organization_ids": []}
    assert PersonCreate().find_existing(api, _item(payload))["id"] == 900


def test_a_create_without_a_domain_is_not_taken_for_a_namesake_seen_before(rsps, api, connection):
    """Without a domain the lookup goes by the name: an organization of that name the hub
    had synced before the create is not the one the lost answer made (taking it would drop
    the person's create and its persons)."""
    Organization.objects.create(connection=connection, name="Acme Labs", remote_id="5")
    with deliver_later():
        item = organization_create(
            connection=connection, name="Acme Labs", domain="", person_ids=["3"],
            existing_ids=[], submission_key="k",
        )  # fmt: skip
    namesake = {"id": 5, "name": "Acme Labs", "domain": None, "domains": []}
    rsps.add(
        "GET",
        f"{BASE}/organizations",
        json={"organizations": [namesake], "next_page_token": None},
    )
    assert OrganizationCreate().find_existing(api, item) is None


def test_a_person_without_an_email_is_not_taken_for_a_namesake_seen_before(rsps, api, connection):
    Person.objects.create(connection=connection, first_name="Ann", last_name="Smith", remote_id="5")
    with deliver_later():
        item = person_create(
            connection=connection, first_name="Ann", last_name="Smith", emails=[],
            organization_ids=["7"], submission_key="k",
        )  # fmt: skip
    namesake = {"id": 5, "first_name": "Ann", "last_name": "Smith", "emails": []}
    rsps.add("GET", f"{BASE}/persons", json={"persons": [namesake], "next_page_token": None})
    assert PersonCreate().find_existing(api, item) is None


def test_a_create_confirmed_after_a_webhook_copied_it_leaves_one_organization(rsps, connection):
    """The answer was lost; Affinity's webhook brought the new organization in as a synced
    row meanwhile; the lookup then confirms the create: the person's row becomes that
    organization and the copy goes, instead of the row failing on the copy's remote id
    and staying 'waiting for Affinity' next to it for good."""
    with deliver_later():
        item = organization_create(
            connection=connection, name="Acme", domain="acme.io", person_ids=[],
            existing_ids=[], submission_key="k",
        )  # fmt: skip
    OutboxItem.objects.filter(pk=item.pk).update(unknown_since=item.created_at, attempts=1)
    Organization.objects.create(
        connection=connection, name="Acme", domain="acme.io", domains=["acme.io"],
        remote_id="900",
    )  # fmt: skip
    ours = {"id": 900, "name": "Acme", "domain": "acme.io", "domains": ["acme.io"]}
    rsps.add(
        "GET", f"{BASE}/organizations", json={"organizations": [ours], "next_page_token": None}
    )

    delivered = outbox_deliver(item.pk, background=False)

    assert delivered.status == OutboxItem.Status.DONE
    assert list(Organization.objects.values_list("pk", "remote_id")) == [(item.record_id, "900")]


# --- the domain check before a create ----------------------------------------------

_PAGE_TWO = "eyJwYXJhbXMiOnsidGVybSI6ImFjbWUuaW8ifSwicGFnZV9zaXplIjo1MDAsIm9mZnNldCI6NTAwfQ=="


def _namesakes(start, count):
    """Organizations the term matches (a name or another domain holding it), not the domain."""
    return [
        {"id": n, "name": f"Acme {n}", "domain": f"acme.io.{n}.example",
         "domains": [f"acme.io.{n}.example"], "global": True}
        for n in range(start, start + count)
    ]  # fmt: skip


def test_the_domain_check_reads_past_the_first_page(rsps, connection, user):
    """Affinity's search matches part of a name or domain and includes its global
    organizations: the one with this very domain can be on page 2 (affinity.md §2)."""
    ours = {"id": 900, "name": "Acme", "domain": "acme.io", "domains": ["acme.io"],
            "global": False, "crunchbase_uuid": None}  # fmt: skip
    first = {"term": "acme.io", "page_size": "500"}
    rsps.add(
        "GET", f"{BASE}/organizations",
        json={"organizations": _namesakes(10, 500), "next_page_token": _PAGE_TWO},
        match=[matchers.query_param_matcher(first)],
    )  # fmt: skip
    rsps.add(
        "GET", f"{BASE}/organizations",
        json={"organizations": [ours], "next_page_token": None},
        match=[matchers.query_param_matcher({**first, "page_token": _PAGE_TWO})],
    )  # fmt: skip
    matches = organization_domain_matches(connection=connection, domain="acme.io", user=user)
    assert matches.found and [r.id for r in matches.remote] == [900]
    assert not matches.unchecked


def test_the_domain_check_says_when_it_stopped_before_the_end(rsps, connection, user, monkeypatch):
    """Past `DOMAIN_CHECK_LIMIT` records read the check stops; it must not pass for
    "no organization has this domain"."""
    monkeypatch.setattr("crm.selectors.DOMAIN_CHECK_LIMIT", 600)
    rsps.add_callback(
        "GET", f"{BASE}/organizations",
        callback=_affinity_pages("organizations", _namesakes(10, 1500), page_size=500),
    )  # fmt: skip
    matches = organization_domain_matches(connection=connection, domain="acme.io", user=user)
    assert not matches.found and matches.unchecked
    assert len(rsps.calls) == 2  # it did not read the rest


def test_each_page_of_the_domain_check_spends_a_live_call(rsps, connection, user, settings):
    """The check's every page is a call on Affinity's shared quota: a person whose minute's
    live calls run out mid-check is told so, and no page past the budget is asked for."""
    settings.LIVE_CALLS_PER_USER_PER_MINUTE = 2
    rsps.add_callback(
        "GET", f"{BASE}/organizations",
        callback=_affinity_pages("organizations", _namesakes(10, 1500), page_size=500),
    )  # fmt: skip
    matches = organization_domain_matches(connection=connection, domain="acme.io", user=user)
    assert len(rsps.calls) == 2
    assert "paused" in matches.error and not matches.found
    with pytest.raises(LiveBudgetSpentError):
        live_call_spend(user=user, provider="Affinity")


def test_a_domain_check_that_stopped_early_asks_before_creating(
    logged_in_client, connection, monkeypatch
):
    monkeypatch.setattr(
        "crm.views.selectors.organization_domain_matches",
        lambda **kw: DomainMatches(unchecked=True),
    )
    created = []
    monkeypatch.setattr("crm.views.services.organization_create", lambda **kw: created.append(kw))
    page = logged_in_client.post(
        "/organizations/new/", {"name": "Acme", "domain": "acme.io", "submission_key": "s"}
    )
    html = page.content.decode()
    assert not created
    assert "could not check every one" in html and "Create anyway" in html


def test_a_match_read_before_affinity_failed_is_still_shown(rsps, connection, user):
    ours = {"id": 900, "name": "Acme", "domain": "acme.io", "domains": ["acme.io"]}
    rsps.add(
        "GET", f"{BASE}/organizations",
        json={"organizations": [ours], "next_page_token": _PAGE_TWO},
        match=[matchers.query_param_matcher({"term": "acme.io", "page_size": "500"})],
    )  # fmt: skip
    rsps.add("GET", f"{BASE}/organizations", status=401, body="")
    matches = organization_domain_matches(connection=connection, domain="acme.io", user=user)
    assert [r.id for r in matches.remote] == [900] and matches.error
