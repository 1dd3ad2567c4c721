"""Candidate and offer pages: parse the request, call one selector or service, render."""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from ats import selectors, services
from ats.forms import CandidateFilterForm, CandidateForm
from ats.models import Candidate
from ats.sync import CANDIDATES, OFFERS
from core.pagination import page_number, paginate
from core.selectors import duplicates_of
from integrations.models import Connection, OutboxItem
from integrations.outbox.service import waiting_message
from integrations.selectors import provider_connection
from integrations.shown_errors import outbox_error
from integrations.sync.service import list_sync_status

PROVIDER = "recruitee"
PER_PAGE = 25
# Counting every candidate of a million costs more than showing a page: the count
# stops this many rows past the page shown ("More than 1,025 candidates").
COUNT_LIMIT = 1_000


@require_GET
def candidate_list(request: HttpRequest) -> HttpResponse:
    connection = provider_connection(PROVIDER)
    if connection is None:
        return render(request, "ats/not_connected.html", {"title": "Candidates"})
    offers = selectors.offer_summary(connection=connection)
    filter_form = CandidateFilterForm(
        request.GET, offer_choices=offers.choices, stages=offers.stages
    )
    filters = filter_form.filters()
    rows = selectors.candidate_list(connection=connection, filters=filters)
    asked = page_number(request.GET.get("page"))
    page = paginate(rows, asked, PER_PAGE, count_limit=COUNT_LIMIT, load=selectors.candidate_rows)
    context = {
        "page_obj": page,
        "asked": asked,
        "past_end": asked > page.number,
        "filters": filters,
        "filter_form": filter_form,
        "filtered": replace(filters, sort=None) != selectors.CandidateFilters(),
        "waiting": selectors.candidates_waiting(connection=connection) if asked == 1 else [],
        "offer_titles": offers.titles,
        "querystring": filter_form.querystring(),
        "sorting": selectors.CANDIDATE_SORTING,
        "sort": filters.sort,
        "sort_query": filter_form.querystring(sort=False),
        "sync": _sync_bar(
            connection, offers_synced=bool(offers.titles), listed=page.paginator.count > 0
        ),
    }
    return render(request, "ats/candidate_list.html", context)


@require_GET
def candidate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    connection = _connection_or_404()
    candidate = _candidate_or_404(connection, pk)
    detail = services.candidate_refresh(candidate=candidate, user=request.user)
    context = {"detail": detail, "duplicates": duplicates_of(candidate)}
    return render(request, "ats/candidate_detail.html", context)


@require_http_methods(["GET", "POST"])
def candidate_create(request: HttpRequest) -> HttpResponse:
    connection = _connection_or_404()
    choices = selectors.offer_choices(connection=connection)
    form = CandidateForm(request.POST or None, offer_choices=choices)
    if request.method == "POST" and form.is_valid():
        item = services.candidate_create(
            connection=connection,
            data=form.candidate_data(),
            submission_key=form.cleaned_data["submission_key"],
            user=request.user,
        )
        if response := _after_write(request, form, item, done="Candidate created in Recruitee."):
            return response
    return render(request, "ats/candidate_form.html", {"form": form, "candidate": None})


@require_http_methods(["GET", "POST"])
def candidate_edit(request: HttpRequest, pk: int) -> HttpResponse:
    connection = _connection_or_404()
    candidate = _candidate_or_404(connection, pk)
    if candidate.remote_id is None:
        messages.warning(request, "This candidate can be edited once Recruitee has it.")
        return redirect("ats:candidate_detail", pk=candidate.pk)
    problem = ""
    if request.method == "GET":  # edit the freshest copy
        problem = services.candidate_refresh(candidate=candidate, user=request.user).problem
    initial = services.candidate_form_values(candidate)
    locked = () if services.candidate_has_full_copy(candidate) else services.FULL_ONLY_FIELDS
    form = CandidateForm(request.POST or None, initial=initial, editing=True, locked=locked)
    if request.method == "POST" and form.is_valid():
        item = services.candidate_update(
            candidate=candidate,
            data=form.candidate_data(),
            submission_key=form.cleaned_data["submission_key"],
            user=request.user,
        )
        if item is None:
            messages.info(request, "Nothing changed.")
            return redirect("ats:candidate_detail", pk=candidate.pk)
        if response := _after_write(request, form, item, done="Candidate updated in Recruitee."):
            return response
    context = {"form": form, "candidate": candidate, "problem": problem}
    return render(request, "ats/candidate_form.html", context)


@require_GET
def offer_list(request: HttpRequest) -> HttpResponse:
    connection = provider_connection(PROVIDER)
    if connection is None:
        return render(request, "ats/not_connected.html", {"title": "Offers"})
    offers = list(selectors.offer_list(connection=connection).defer("raw"))
    sync = list_sync_status(connection=connection, resource=OFFERS, has_records=bool(offers))
    return render(request, "ats/offer_list.html", {"offers": offers, "sync": sync})


# --- helpers -----------------------------------------------------------------------


def _after_write(
    request: HttpRequest, form: CandidateForm, item: OutboxItem, *, done: str
) -> HttpResponse | None:
    """Redirect after a write the outbox took; None to show the form again with errors."""
    if item.status == OutboxItem.Status.FAILED:
        form.add_provider_errors(item.field_errors or {}, outbox_error(item).for_user(request.user))
        return None
    if item.status == OutboxItem.Status.DONE:
        messages.success(request, done)
    elif item.status == OutboxItem.Status.NEEDS_ATTENTION:
        shown = outbox_error(item).for_user(request.user)
        messages.error(request, f"Saved, but sending it needs attention. {shown}")
    else:
        messages.warning(request, waiting_message(item))
    if item.record_id and Candidate.objects.filter(pk=item.record_id).exists():
        return redirect("ats:candidate_detail", pk=item.record_id)
    return redirect("outbox")


def _sync_bar(connection: Connection, *, offers_synced: bool, listed: bool):
    # The offers feed the filters and the placements' titles: sync them on first visit too.
    if not offers_synced:
        list_sync_status(connection=connection, resource=OFFERS, has_records=False)
    return list_sync_status(
        connection=connection,
        resource=CANDIDATES,
        has_records=listed or selectors.candidates_exist(connection=connection),
    )


def _connection_or_404() -> Connection:
    connection = provider_connection(PROVIDER)
    if connection is None:
        raise Http404("Recruitee is not connected.")
    return connection


def _candidate_or_404(connection: Connection, pk: int) -> Candidate:
    candidate = selectors.candidate_get(connection=connection, pk=pk)
    if candidate is None:
        raise Http404("No such candidate.")
    return candidate
