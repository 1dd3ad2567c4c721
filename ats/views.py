"""Candidate and offer pages: their descriptions for `core.resource_views`, and Recruitee's rules.

Recruitee's own rules: the offers feed the candidate filters (offer, stage) and
the placements' titles, so their first sync starts with the candidates'; the
candidate list shows the candidates still waiting to reach Recruitee on top;
an edit can leave Recruitee's fields unknown here disabled; a PATCH cannot
assign offers.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Page
from django.db.models import QuerySet
from django.db.models.fields.json import KT
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from ats import selectors, services
from ats.forms import CandidateFilterForm, CandidateForm, CandidateNoteForm
from ats.models import Candidate, Offer
from ats.outbox import CandidateCreate, CandidateNoteCreate, CandidateUpdate
from ats.sync import CANDIDATES, OFFERS
from ats.templatetags.ats_tags import offer_title, source_label
from core.export import ExportColumn, field_column
from core.forms import ListFilters
from core.pagination import page_number
from core.resource_views import (
    connection_required,
    record_or_404,
    report_write,
    resource_permission_required,
)
from core.resources import ListColumn, ResourcePages, Service
from integrations.models import Connection, OutboxItem
from integrations.outbox.service import SubmissionChanged
from integrations.refresh import Refresh
from integrations.sync.resources import SyncedResource

RECRUITEE = Service(
    name="Recruitee",
    kind="ATS",
    providers=("recruitee",),
    description="Candidates and offers appear here once a Recruitee connection is set up.",
    team="Recruiting",
)


class CandidatePages(ResourcePages):
    service = RECRUITEE
    app, name, path = "ats", "candidate", "candidates"
    model = Candidate
    singular, plural = "Candidate", "Candidates"
    subtitle = "Everyone in your Recruitee pipelines, as last synced."
    list_columns = (
        ListColumn("Name", "name"), ListColumn("Emails", "email"), ListColumn("Phones", "phone"),
        ListColumn("Offers and stage", "offers"), ListColumn("Source", "source"),
        ListColumn("Created", "created"), ListColumn("Last activity", "activity"),
    )  # fmt: skip
    filter_form = CandidateFilterForm
    sorting = selectors.CANDIDATE_SORTING
    # Counting every candidate of a million costs more than showing a page: the count
    # stops this many rows past the page shown ("More than 1,025 candidates"), unless
    # the search index answered (then a few thousand at most, counted exactly).
    count_limit = 1_000
    detail_fields = ("name", "emails", "phones", "social_links", "links", "cover_letter")
    form_class = CandidateForm
    sync_resource = CANDIDATES
    outbox_operations = (CandidateCreate.name, CandidateUpdate.name, CandidateNoteCreate.name)

    def list_rows(self, *, connection: Connection, filters: Any) -> QuerySet[Candidate]:
        return selectors.candidate_list(connection=connection, filters=filters)

    def load_rows(self, pks: list[Any]) -> list[Candidate]:
        return selectors.candidate_rows(pks)

    def first_syncs_needed(self, *, connection: Connection) -> list[SyncedResource]:
        return [] if selectors.offers_exist(connection=connection) else [OFFERS]

    def export_columns(self, *, connection: Connection) -> list[ExportColumn]:
        titles = selectors.offer_titles(connection=connection)

        def offers(candidate: Candidate) -> list[str]:
            return [placement_label(p, titles) for p in candidate.placements.all()]

        return [
            field_column("Recruitee id", "remote_id"), field_column("Name", "name"),
            field_column("Emails", "emails"), field_column("Phones", "phones"),
            ExportColumn("Offers and stage", offers),
            ExportColumn("Source", lambda c: c.referrer or source_label(c.source)),
            field_column("Created", "remote_created_at"),
            field_column("Last activity", "last_activity_at"),
        ]  # fmt: skip

    def filter_form_kwargs(self, *, connection: Connection) -> dict[str, Any]:
        return {"offers": selectors.offer_summary(connection=connection)}

    def list_context(
        self, request: HttpRequest, *, connection: Connection, form: Any, page: Page
    ) -> dict[str, Any]:
        first_page = page_number(request.GET.get("page")) == 1
        waiting = selectors.candidates_waiting(connection=connection) if first_page else []
        return {"waiting": waiting, "offer_titles": form.offers.titles}

    def get_record(self, *, connection: Connection, pk: int) -> Candidate | None:
        return selectors.candidate_get(connection=connection, pk=pk)

    def refresh_from_provider(self, record: Candidate, *, user: Any, editing: bool) -> Refresh:
        return services.candidate_refresh_from_provider(candidate=record, user=user)

    def detail_context(
        self, request: HttpRequest, *, record: Candidate, refresh: Refresh
    ) -> dict[str, Any]:
        return {
            "detail": services.candidate_detail(candidate=record, refresh=refresh),
            "notes": services.candidate_notes(candidate=record, refresh=refresh, user=request.user),
            "note_form": CandidateNoteForm(initial={"body": note_draft_take(request, record.pk)}),
        }

    def form_kwargs(self, *, connection: Connection, record: Candidate | None) -> dict[str, Any]:
        if record is None:
            return {"offer_choices": selectors.offer_choices(connection=connection)}
        full = services.candidate_has_full_copy(record)
        return {"editing": True, "locked": () if full else services.FULL_ONLY_FIELDS}

    def initial(self, record: Candidate) -> dict[str, Any]:
        return services.candidate_form_values(record)

    def create(
        self, request: HttpRequest, *, connection: Connection, form: CandidateForm
    ) -> OutboxItem:
        return services.candidate_create(
            connection=connection,
            data=form.candidate_data(),
            submission_key=form.cleaned_data["submission_key"],
            user=request.user,
        )

    def update(
        self, request: HttpRequest, *, record: Candidate, form: CandidateForm
    ) -> OutboxItem | None:
        return services.candidate_update(
            candidate=record,
            edit=form.edit(),
            submission_key=form.cleaned_data["submission_key"],
            user=request.user,
        )


class OfferPages(ResourcePages):
    service = RECRUITEE
    app, name, path = "ats", "offer", "offers"
    model = Offer
    singular, plural = "Offer", "Offers"
    subtitle = "Jobs and talent pools in Recruitee, as last synced."
    pages = ("list",)  # offers are edited in Recruitee
    list_columns = (
        ListColumn("Title"), ListColumn("Status"), ListColumn("Location"),
        ListColumn("Department"), ListColumn("Candidates", css_class="text-end"),
    )  # fmt: skip
    search = False
    per_page = 100  # a hub has tens or hundreds of offers
    sync_resource = OFFERS

    def list_rows(self, *, connection: Connection, filters: ListFilters) -> QuerySet[Offer]:
        # The raw payload is large (descriptions); only its web address is shown.
        rows = selectors.offer_list(connection=connection).defer("raw")
        return rows.annotate(adminapp_url=KT("raw__adminapp_url"))

    def export_columns(self, *, connection: Connection) -> list[ExportColumn]:
        return [
            field_column("Recruitee id", "remote_id"), field_column("Title", "title"),
            field_column("Kind", "kind"), field_column("Status", "status"),
            field_column("Location", "location"), field_column("Department", "department"),
            field_column("Candidates", "candidates_count"),
        ]  # fmt: skip


def placement_label(placement: Any, titles: dict[str, str]) -> str:
    """ "Engineer: Interview (disqualified)", as the list's offers column reads."""
    label = offer_title(placement.offer_remote_id, titles)
    if placement.stage_name:
        label += f": {placement.stage_name}"
    return label + (" (disqualified)" if placement.is_disqualified else "")


NOTE_CHANGED = (
    "This note form was already submitted once with a different note. Nothing was added "
    "now: write the note again on the page below to add it."
)
CANDIDATE_PAGES = CandidatePages()
OFFER_PAGES = OfferPages()


@require_POST
@resource_permission_required("change")
@connection_required
def candidate_note_add(
    request: HttpRequest, pk: int, *, resource: ResourcePages, connection: Connection
) -> HttpResponse:
    """Add a note to a candidate (through the outbox), then back to the candidate."""
    candidate = record_or_404(resource, connection, pk)
    if not candidate.remote_id:
        messages.info(request, "Notes can be added once Recruitee has this candidate.")
        return redirect(resource.url_name("detail"), pk=pk)
    form = CandidateNoteForm(request.POST)
    if not form.is_valid():
        for problem in form.errors.get("body", []):
            messages.error(request, f"The note was not added: {problem}")
        note_draft_keep(request, pk, form.data.get("body", ""))
        return redirect(resource.url_name("detail"), pk=pk)
    try:
        item = services.candidate_note_add(
            candidate=candidate,
            body=form.cleaned_data["body"],
            submission_key=form.cleaned_data["submission_key"],
            user=request.user,
        )
    except SubmissionChanged:
        messages.error(request, NOTE_CHANGED)
        note_draft_keep(request, pk, form.cleaned_data["body"])
    else:
        report_write(request, item, form=None, done="Note added in Recruitee.")
    return redirect(resource.url_name("detail"), pk=pk)


NOTE_DRAFT_KEY = "ats:note-draft:{pk}"


def note_draft_keep(request: HttpRequest, pk: int, text: str) -> None:
    """A refused note's text, for the candidate page the person is sent back to (one
    view, like a message): a refusal loses nothing typed."""
    if text.strip():
        request.session[NOTE_DRAFT_KEY.format(pk=pk)] = text[: CandidateNoteForm.MAX_LENGTH]


def note_draft_take(request: HttpRequest, pk: int) -> str:
    return request.session.pop(NOTE_DRAFT_KEY.format(pk=pk), "")
