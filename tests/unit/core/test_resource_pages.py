"""The shared resource pages (core.resources, core.resource_views): what every provider's
pages get from one description."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib import messages
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.cache import SessionStore
from django.http import HttpResponse
from django.test import RequestFactory
from django_tasks import default_task_backend

from ats.models import Candidate, Offer
from ats.sync import CANDIDATES, OFFERS
from ats.views import CANDIDATE_PAGES, OFFER_PAGES, RECRUITEE
from core import resources
from core.forms import ListFilterForm, OutboxFormMixin
from core.resource_views import after_write, connection_required, report_write, sync_bar
from core.resources import ResourcePages, Service
from core.sorting import Column, Sorting
from integrations.models import Connection, OutboxItem, SyncRun
from integrations.sync.service import start_first_sync, sync_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def recruitee(db):
    return Connection.objects.create(
        provider="recruitee",
        name="test",
        base_url="https://api.recruitee.com",
        company_id="1",
        api_token="tok",
    )


@pytest.fixture(autouse=True)
def _no_queued_tasks():
    default_task_backend.clear()
    yield
    default_task_backend.clear()


def _request(user=None):
    request = RequestFactory().post("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request.user = user
    return request


LEVELS = {
    messages.SUCCESS: "success", messages.ERROR: "error", messages.WARNING: "warning",
    messages.INFO: "info",
}  # fmt: skip


def _said(request) -> list[tuple[str, str]]:
    return [(LEVELS[m.level], str(m)) for m in get_messages(request)]


class _Form(OutboxFormMixin):
    name = forms.CharField()


def _item(status, **fields):
    return OutboxItem(pk=1, status=status, connection=Connection(provider="recruitee"), **fields)


# --- report a write -------------------------------------------------------------------


def test_a_confirmed_write_is_a_success_message(user):
    request = _request(user)
    assert report_write(request, _item(OutboxItem.Status.DONE), form=None, done="Created.")
    assert _said(request) == [("success", "Created.")]


def test_a_write_needing_attention_is_an_error_with_the_shown_error(user):
    request = _request(user)
    item = _item(OutboxItem.Status.NEEDS_ATTENTION, last_error="Recruitee API 500", attempts=5)
    assert report_write(request, item, form=None, done="Created.")
    [(level, text)] = _said(request)
    assert level == "error"
    assert text.startswith("Saved, but sending it needs attention. Recruitee did not take it")


def test_a_refused_write_puts_the_providers_messages_on_the_form_and_says_nothing(user):
    request = _request(user)
    form = _Form({"submission_key": "k", "name": "Ada"})
    assert form.is_valid()
    item = _item(
        OutboxItem.Status.FAILED, field_errors={"name": ["is taken"]}, last_error="API 422"
    )
    assert not report_write(request, item, form=form, done="Created.")
    assert form.errors["name"] == ["is taken"]
    assert form["submission_key"].value() != "k"
    assert _said(request) == []


def test_a_refused_write_without_a_form_says_so_as_an_error(user):
    request = _request(user)
    item = _item(OutboxItem.Status.FAILED, field_errors={}, last_error="API 422")
    assert not report_write(request, item, form=None, done="Deleted.")
    assert _said(request) == [
        ("error", "It was not sent. Recruitee refused the data. Reference: outbox #1.")
    ]


def test_a_pending_write_says_when_it_goes_and_why_not_yet(user):
    request = _request(user)
    assert report_write(request, _item(OutboxItem.Status.PENDING), form=None, done="Created.")
    item = _item(OutboxItem.Status.PENDING, last_error="Recruitee API 503", attempts=1)
    assert report_write(request, item, form=None, done="Created.")
    first, second = _said(request)
    waiting = "Saved — it will be sent to Recruitee as soon as it answers."
    assert first == ("warning", waiting)
    assert second[0] == "warning" and second[1].startswith(waiting + " ")
    assert len(second[1]) > len(waiting) + 1  # the shown error follows


# --- connection required and the not-connected page -----------------------------------


class _Pages(ResourcePages):
    service = Service(name="Project tool", kind="Projects", providers=("projecttool", "asana"))
    app, name, path = "ats", "thing", "things"
    model = Candidate
    singular, plural = "Thing", "Things"
    subtitle = "Things from somewhere."


def test_without_a_connection_the_page_names_the_providers_and_the_view_never_runs(user):
    ran = []
    view = connection_required(lambda request, **kw: ran.append(kw) or HttpResponse("ran"))
    html = view(_request(user), resource=_Pages()).content.decode()
    assert ran == []
    assert "No project tool is connected" in html and "Things from somewhere." in html
    assert "Ask an administrator to connect Project tool." in html


def test_with_a_connection_the_view_gets_it(user):
    connection = Connection.objects.create(provider="asana", name="a", api_token="t")
    got = []
    view = connection_required(lambda request, **kw: got.append(kw) or HttpResponse("ran"))
    assert view(_request(user), resource=_Pages()).content == b"ran"
    assert got[0]["connection"] == connection


def test_the_not_connected_page_names_one_provider_and_links_staff_to_add_it(client, staff_user):
    client.force_login(staff_user)
    html = client.get("/offers/").content.decode()
    assert "Recruitee is not connected" in html
    assert 'href="/admin/integrations/connection/add/?provider=recruitee"' in html


# --- a GET never writes behind a read-sounding name -----------------------------------


def _runs() -> list[str]:
    return sorted(SyncRun.objects.values_list("resource", flat=True))


def test_the_first_visit_of_an_empty_list_queues_its_first_sync_and_the_offers(
    logged_in_client, recruitee
):
    assert logged_in_client.get("/candidates/").status_code == 200
    assert _runs() == sorted([CANDIDATES.key, OFFERS.key])
    assert len(default_task_backend.results) == 2
    logged_in_client.get("/candidates/")
    logged_in_client.get("/offers/")
    assert len(default_task_backend.results) == 2  # they ran (or wait): not again


def test_a_list_with_records_never_starts_a_sync(logged_in_client, recruitee):
    Candidate.objects.create(connection=recruitee, remote_id="1", name="Ada")
    Offer.objects.create(connection=recruitee, remote_id="9", title="Cook")
    logged_in_client.get("/candidates/")
    logged_in_client.get("/offers/")
    assert _runs() == [] and default_task_backend.results == []


def test_a_switched_off_connection_never_starts_a_sync(recruitee):
    recruitee.is_active = False
    recruitee.save()
    assert not start_first_sync(connection=recruitee, resource=CANDIDATES).queued
    assert _runs() == []


def test_the_first_sync_is_queued_once(recruitee):
    first = start_first_sync(connection=recruitee, resource=CANDIDATES)
    assert first.queued and first.run == SyncRun.objects.get()
    assert start_first_sync(connection=recruitee, resource=CANDIDATES).queued is False
    assert len(default_task_backend.results) == 1


def test_the_sync_bar_shows_a_first_sync_another_request_queued_meanwhile(recruitee):
    """This request read the bar (no run yet); another request queued the first sync before
    this one tried: the bar shows that run, not "never synced" until a reload."""
    status = sync_status(connection=recruitee, resource=CANDIDATES)
    other = start_first_sync(connection=recruitee, resource=CANDIDATES).run
    bar = sync_bar(connection=recruitee, resource=CANDIDATE_PAGES, status=status, listed=False)
    assert bar.run == other and other is not None
    assert SyncRun.objects.filter(resource=CANDIDATES.key).count() == 1


def test_the_detail_page_refreshes_by_name(logged_in_client, recruitee, monkeypatch):
    from integrations.refresh import Refresh

    candidate = Candidate.objects.create(connection=recruitee, remote_id="1", name="Ada")
    asked = []
    monkeypatch.setattr(
        "ats.views.services.candidate_refresh_from_provider",
        lambda **kw: asked.append(kw["candidate"].pk) or Refresh(fresh=False, problem="Down."),
    )
    html = logged_in_client.get(f"/candidates/{candidate.pk}/").content.decode()
    assert asked == [candidate.pk] and "Down." in html


# --- the description and the registry -------------------------------------------------


def test_a_description_makes_its_pages_urls_names_and_templates():
    names = [p.name for p in CANDIDATE_PAGES.urls()]
    assert names == [
        "candidate_list", "candidate_create", "candidate_detail", "candidate_edit",
        "candidate_export_csv", "candidate_export_xlsx",
        "candidate_export", "candidate_export_download",
        "candidate_bulk", "candidate_bulk_result",
    ]  # fmt: skip
    assert CANDIDATE_PAGES.url("export_csv") == "/candidates/export.csv"
    assert CANDIDATE_PAGES.url("detail", 7) == "/candidates/7/"
    assert CANDIDATE_PAGES.template("edit") == "ats/candidate_form.html"


def test_a_delete_page_is_opt_in_and_its_hooks_say_why_not_and_what_was_done(recruitee):
    class Deletable(_Pages):
        pages = (*resources.PAGES, "delete")

    assert "thing_delete" not in [p.name for p in _Pages().urls()]
    assert "thing_delete" in [p.name for p in Deletable().urls()]
    assert Deletable().template("delete") == "ats/thing_confirm_delete.html"
    unsent = Candidate(connection=recruitee, name="Ada", remote_id=None)
    assert Deletable().delete_blocked(unsent) == "This thing can be deleted once Recruitee has it."
    sent = Candidate(connection=recruitee, name="Ada", remote_id=5)
    assert Deletable().delete_blocked(sent) == ""
    assert (
        Deletable().deleted(record="Ada", provider="Recruitee")
        == "Thing “Ada” deleted in Recruitee."
    )
    with pytest.raises(NotImplementedError, match="Deletable must implement delete"):
        Deletable().delete(_request(), record=sent, form=None)


def test_the_registry_groups_the_apps_resources_by_service_in_app_order():
    grouped = [(s.name, [r.plural for r in rs]) for s, rs in resources.services()]
    assert grouped == [
        ("Recruitee", ["Candidates", "Offers"]),
        ("Affinity", ["Organizations", "Persons"]),
        ("Project tool", ["Projects"]),
    ]
    assert resources.for_model("ats.Candidate") is CANDIDATE_PAGES
    assert resources.for_model("ats.Offer") is None  # offers have no page of their own
    with pytest.raises(ValueError, match="registered twice"):
        resources.register(CANDIDATE_PAGES)
    assert RECRUITEE.not_connected == "Recruitee is not connected"


def test_a_filter_form_keeps_valid_filters_and_drops_the_rest():
    sorting = Sorting(columns={"name": Column(["name"])}, default="name")
    form = ListFilterForm({"q": "ada", "sort": "-bogus"}, sorting=sorting)
    assert form.filtered and form.filters().search == "ada"
    assert form.querystring() == "q=ada&sort=name"  # an unknown sort is the default one
    assert form.querystring(sort=False) == "q=ada"
    assert not ListFilterForm({"sort": "-name"}, sorting=sorting).filtered


def test_each_description_names_outbox_operations_and_a_sync_resource_that_exist():
    from integrations.outbox.registry import operations
    from integrations.sync.registry import resources as sync_resources

    known_operations, known_syncs = operations(), sync_resources()
    for resource in resources.registered():
        for name in resource.outbox_operations:
            assert known_operations[name].record_model == resource.model._meta.label
        if resource.sync_resource is not None:
            assert known_syncs[resource.sync_resource.key] is resource.sync_resource


def test_a_list_rows_link_made_from_its_prefix_is_the_records_page():
    listed = [r for r in resources.registered() if {"list", "detail"} <= set(r.pages)]
    for resource in listed:
        assert resource.detail_url_prefix() + "42/" == resource.url("detail", 42)
    assert len(listed) == 4  # candidates, organizations, persons, projects


def test_the_candidate_pages_need_a_connection_like_the_list(logged_in_client):
    for url in ("/candidates/1/", "/candidates/new/", "/candidates/1/edit/"):
        assert "Recruitee is not connected" in logged_in_client.get(url).content.decode()


def test_the_navbar_lists_each_registered_list_page_in_registration_order(logged_in_client):
    nav = logged_in_client.get("/outbox/").content.decode().split("</nav>")[0]
    listed = [r for r in resources.registered() if "list" in r.pages]
    positions = [nav.index(f'href="{r.url("list")}">{r.plural}</a>') for r in listed]
    assert positions == sorted(positions) and len(listed) == 5  # candidates … projects
    assert 'aria-current="page"' not in nav  # the outbox is not a resource's list


def test_the_navbar_marks_the_list_being_shown(logged_in_client):
    nav = logged_in_client.get("/offers/").content.decode().split("</nav>")[0]
    assert 'aria-current="page" href="/offers/">Offers</a>' in nav


def test_after_a_write_a_resource_without_a_detail_page_goes_to_the_outbox(recruitee):
    offer = Offer.objects.create(connection=recruitee, remote_id="7", title="Chef")
    item = OutboxItem(pk=1, status=OutboxItem.Status.DONE, connection=recruitee)
    item.record_id = offer.pk
    assert after_write(OFFER_PAGES, item)["Location"] == "/outbox/"


def test_the_pages_use_the_first_active_connection_in_provider_order():
    """Projects: the generic tool's connection before Asana's, the oldest first, and an
    inactive one never (one query: it is also the stamp's subquery)."""
    from projects.views import PROJECT_PAGES

    def make(provider: str, name: str, **fields) -> Connection:
        return Connection.objects.create(provider=provider, name=name, **fields)

    assert PROJECT_PAGES.connection() is None
    asana = make("asana", "asana")
    assert PROJECT_PAGES.connection() == asana
    make("projecttool", "off", is_active=False)
    assert PROJECT_PAGES.connection() == asana
    tool = make("projecttool", "tool")
    make("projecttool", "second tool")
    assert PROJECT_PAGES.connection() == tool
