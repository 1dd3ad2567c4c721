"""The candidate form and the list's filter form."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout
from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from ats.selectors import CANDIDATE_SORTING, CANDIDATE_STATUSES, CandidateFilters, OfferSummary
from ats.services import EDITABLE_FIELDS
from core.forms import EDIT_BASE_SALT, EditFormMixin, ListFilterForm, OutboxFormMixin

MAX_LINES = 20
PHONE_CHARACTERS = set("0123456789+-()./ extEXT#")


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


class LinesField(forms.CharField):
    """A textarea with one value per line; each line is validated on its own."""

    def __init__(self, *, rows: int = 2, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(widget=forms.Textarea(attrs={"rows": rows}), **kwargs)

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        if isinstance(value, list | tuple):
            value = "\n".join(value)
        return list(dict.fromkeys(_lines(super().to_python(value))))

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list | tuple) else value

    def validate(self, value: list[str]) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(value) > MAX_LINES:
            raise ValidationError(f"At most {MAX_LINES} lines, please.")
        errors = [error for line in value for error in self.line_errors(line)]
        if errors:
            raise ValidationError(errors)

    def line_errors(self, line: str) -> list[str]:
        return []


class EmailLinesField(LinesField):
    def line_errors(self, line: str) -> list[str]:
        try:
            EmailValidator()(line)
        except ValidationError:
            return [f"“{line}” is not a valid email address."]
        return []


class PhoneLinesField(LinesField):
    """Phones are kept exactly as typed ("+31 6 1234 5678"); only nonsense is refused."""

    def line_errors(self, line: str) -> list[str]:
        if len(line) > 40 or not any(c.isdigit() for c in line) or set(line) - PHONE_CHARACTERS:
            return [f"“{line}” does not look like a phone number."]
        return []


class UrlLinesField(LinesField):
    def line_errors(self, line: str) -> list[str]:
        try:
            URLValidator(schemes=["http", "https"])(line)
        except ValidationError:
            return [f"“{line}” is not an http(s) web address."]
        return []


class CandidateForm(EditFormMixin):
    """Create or edit a candidate. An edit carries its fields as shown (`base`), so that only
    what the person changed is saved and sent (`EditFormMixin`); a PATCH cannot assign offers
    (recruitee.md §2d), so an edit has no offers field."""

    name = forms.CharField(max_length=300)
    emails = EmailLinesField(help_text="One email address per line.")
    phones = PhoneLinesField(help_text="One phone number per line, e.g. +31 6 1234 5678.")
    social_links = UrlLinesField(
        label="Social links", help_text="One per line, e.g. https://www.linkedin.com/in/…"
    )
    links = UrlLinesField(label="Other links", help_text="Portfolio, website… one per line.")
    cover_letter = forms.CharField(
        required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 6})
    )
    offers = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Assign to offers",
        help_text="The candidate starts in each offer's first stage.",
    )

    # Recruitee's `error_fields` keys (recruitee.md §4) -> this form's fields.
    provider_field_names = {"offer_id": "offers", "placements": "offers", "offers": "offers"}
    edit_fields = EDITABLE_FIELDS

    def __init__(
        self, *args: Any, offer_choices: list[tuple[str, str]] | None = None, editing: bool = False,
        locked: tuple[str, ...] = (), **kwargs: Any,
    ) -> None:  # fmt: skip
        super().__init__(*args, editing=editing, **kwargs)
        shown = _signed_base(self.data) if self.is_bound else {}
        # Not known here: editing them blind would overwrite Recruitee's. A page that showed
        # them (opened before a list sync stored a list row) keeps them, as it showed them.
        for name in (n for n in locked if n not in shown):
            self.fields[name].disabled = True
            self.fields[name].help_text = (
                "Recruitee did not answer, so its current value is unknown here; "
                "this can be edited once it answers."
            )
        if editing:
            del self.fields["offers"]
        else:
            self.fields["offers"].choices = offer_choices or []
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "submission_key",
            *(["base"] if editing else []),
            Field("name", autofocus=True),
            Div(Div("emails", css_class="col-md-6"), Div("phones", css_class="col-md-6"),
                css_class="row"),
            Div(Div("social_links", css_class="col-md-6"), Div("links", css_class="col-md-6"),
                css_class="row"),
            "cover_letter",
            *([] if editing else ["offers"]),
        )  # fmt: skip

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError("A name is required.")
        return name

    def candidate_data(self) -> dict[str, Any]:
        """A create's cleaned values, as `candidate_create` takes them."""
        return {
            name: value for name, value in self.cleaned_data.items() if name != "submission_key"
        }


class CandidateFilterForm(ListFilterForm):
    """Parses the candidate list's query string; anything unknown drops that filter."""

    offer = forms.ChoiceField(required=False)
    stage = forms.ChoiceField(required=False)
    status = forms.ChoiceField(required=False, choices=[("", "Any"), *CANDIDATE_STATUSES.items()])

    def __init__(self, *args: Any, offers: OfferSummary, **kwargs: Any) -> None:
        kwargs.setdefault("sorting", CANDIDATE_SORTING)
        super().__init__(*args, **kwargs)
        self.offers = offers  # the list shows their titles too
        self.fields["offer"].choices = [("", "Any offer"), *offers.choices]
        self.fields["stage"].choices = [("", "Any stage"), *((s, s) for s in offers.stages)]

    def filters(self) -> CandidateFilters:
        data = self.valid_data()
        return CandidateFilters(
            search=data.get("q") or "",
            offer=data.get("offer") or "",
            stage=data.get("stage") or "",
            status=data.get("status") or "",
            sort=self.sort_value(),
        )


class CandidateNoteForm(OutboxFormMixin):
    """A note for a candidate: its text, which the whole team at Recruitee sees."""

    MAX_LENGTH = 10_000
    body = forms.CharField(
        label="Note",
        max_length=MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        error_messages={"required": "write something first."},
    )


def _signed_base(data: Any) -> dict[str, Any]:
    """The values a submitted edit page was shown with (its signed `base`); empty when
    garbled or forged (`EditFormMixin.clean` refuses those)."""
    try:
        base = signing.loads(data.get("base") or "", salt=EDIT_BASE_SALT)
    except signing.BadSignature:
        return {}
    return base if isinstance(base, dict) else {}
