"""Form pieces every create and update form shares."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core import signing

from core.sorting import Sort, Sorting


class OutboxFormMixin(forms.Form):
    """A hidden submission key, so a double submit or a reload writes once,
    and a way to put the provider's validation messages on the right fields."""

    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    # Provider field name -> form field name, where they differ.
    provider_field_names: dict[str, str] = {}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4().hex)

    def add_provider_errors(self, field_errors: dict[str, list[str]], fallback: str) -> None:
        """Show each provider message on its field; what matches no field goes on top."""
        for provider_name, messages in field_errors.items():
            name = self.provider_field_names.get(provider_name, provider_name)
            target = name if name in self.fields and name != "submission_key" else None
            for message in messages:
                text = message if target else f"{provider_name}: {message}"
                self.add_error(target, text)
        if not field_errors:
            self.add_error(None, fallback)
        self._renew_submission_key()  # the corrected form is a new submission

    def show_changed_submission(self, *, creating: bool) -> None:
        """Its submission key was used by a write with other values (`SubmissionChanged`:
        Back, a field changed, submitted again): say so over the person's values, kept,
        with a new key, so submitting them again is a new write."""
        again = "create a new record with them" if creating else "save them"
        self.add_error(None, SUBMISSION_CHANGED.format(again=again))
        self._renew_submission_key()

    def _renew_submission_key(self) -> None:
        self.data = self.data.copy()
        self.data["submission_key"] = uuid.uuid4().hex


SUBMISSION_CHANGED = (
    "This form was already submitted with different values (the outbox shows what "
    "became of them). Nothing was saved or sent now; your values are kept below. "
    "Submit again to {again}."
)


EDIT_BASE_SALT = "core.forms.edit-base"
STALE_PAGE = (
    "This page's copy of the record could not be read. Reload the page and make your change again."
)


class EditConflict(Exception):
    """An edit changed fields that someone else changed too, to other values, since its
    page was opened: nothing was saved or sent."""

    def __init__(self, *, fields: list[str], changed: list[str], stored: dict[str, Any]) -> None:
        super().__init__(f"changed by someone else: {', '.join(fields)}")
        self.fields = fields  # the fields both changed
        self.changed = changed  # every field the person changed
        self.stored = stored  # every compared field's value as stored now


class EditBreaksRule(Exception):
    """An edit merged over the record as stored now (`Edit.merged`) breaks a rule: a
    change someone else saved since the page was opened (`others`) and the person's own
    (say a new start after the end they chose) are fine alone, not together. Nothing was
    saved or sent."""

    def __init__(
        self,
        *,
        problems: dict[str, list[str]],
        changed: list[str],
        others: list[str],
        stored: dict[str, Any],
    ) -> None:
        super().__init__(f"breaks a rule: {', '.join(problems)}")
        self.problems = problems  # {field: [messages]}, as the form's own checks give them
        self.changed = changed  # every field the person changed
        self.others = others  # the fields someone else changed since the page was opened
        self.stored = stored  # every compared field's value as stored now


@dataclass(frozen=True)
class Edit:
    """What a person's edit asks, field by field: the values its page was rendered with
    (`base`) and the ones sent (`mine`), in the record's terms."""

    base: dict[str, Any]
    mine: dict[str, Any]
    # Fields sent back exactly as the page showed them: left alone, whatever the form's
    # tidying (spaces squeezed, CRLF line breaks) makes of them.
    untouched: frozenset[str] = frozenset()

    @property
    def changed(self) -> list[str]:
        """The fields the person changed."""
        return [
            name
            for name, value in self.mine.items()
            if name not in self.untouched and value != self.base.get(name)
        ]

    def merged(self, stored: Mapping[str, Any]) -> dict[str, Any]:
        """The fields to write over the record as `stored` now (read in the write's
        transaction): those the person changed. A field the person left as it was keeps
        its stored value, so a change someone else saved meanwhile survives.

        Raises `EditConflict` when a field the person changed was changed meanwhile to
        another value (the same value on both sides is no conflict)."""
        current = {name: stored[name] for name in self.mine}
        conflicts = [
            name for name in self.changed if current[name] not in (self.base[name], self.mine[name])
        ]
        if conflicts:
            raise EditConflict(fields=conflicts, changed=self.changed, stored=current)
        return {name: self.mine[name] for name in self.changed}

    def breaks_rule(
        self, stored: Mapping[str, Any], problems: dict[str, list[str]]
    ) -> EditBreaksRule:
        """The refusal of this edit, whose merge over the record as `stored` now breaks
        the rules in `problems` (to raise in the write's transaction, rolling it back)."""
        current = {name: stored[name] for name in self.mine}
        changed = self.changed
        others = [n for n in self.mine if n not in changed and current[n] != self.base.get(n)]
        return EditBreaksRule(problems=problems, changed=changed, others=others, stored=current)


def edit_base(values: dict[str, Any]) -> str:
    """An edit form's hidden `base`: `values` (the compared fields as shown) signed."""
    return signing.dumps({name: _json_safe(v) for name, v in values.items()}, salt=EDIT_BASE_SALT)


class EditFormMixin(OutboxFormMixin):
    """An edit form that carries the values it was rendered with (`base`, hidden), so that
    saving it changes only what the person changed (`Edit.merged`), not what someone
    else saved after the page was opened.

    `base` is signed JSON of the `edit_fields` as the page showed them (`base_values()`):
    the browser sends it back, and a garbled or forged one is a form error. A form built
    without `editing` (a create) has no base field.
    """

    base = forms.CharField(widget=forms.HiddenInput, required=False)

    # The fields compared, named as on the record; a disabled field never changes.
    edit_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        if not editing:
            del self.fields["base"]

    def compared_fields(self) -> list[str]:
        return [n for n in self.edit_fields if n in self.fields and not self.fields[n].disabled]

    def base_values(self) -> dict[str, Any]:
        """The compared fields' values as shown: the form's initial ones."""
        return {name: self.initial.get(name) for name in self.compared_fields()}

    def get_initial_for_field(self, field: forms.Field, field_name: str) -> Any:
        if field_name == "base":
            return edit_base(self.base_values())
        return super().get_initial_for_field(field, field_name)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in self.compared_fields():
            if isinstance(data.get(name), str):  # a browser sends a textarea's breaks as CRLF
                data[name] = data[name].replace("\r\n", "\n")
        if self.editing:
            try:
                base = signing.loads(self.data.get("base") or "", salt=EDIT_BASE_SALT)
            except signing.BadSignature:
                base = None
            if not isinstance(base, dict) or set(base) != set(self.compared_fields()):
                raise forms.ValidationError(STALE_PAGE, code="stale_page")
            data["base"] = base
        return data

    def edit(self) -> Edit:
        """The valid form's edit, in the record's terms (a form whose fields are not the
        record's overrides it)."""
        base = self.cleaned_data["base"]
        mine = {name: self.cleaned_data[name] for name in base}
        return Edit(base=base, mine=mine, untouched=self.untouched())

    def untouched(self) -> frozenset[str]:
        """The compared fields whose submitted text is the text the page showed for them
        (the base as its field renders it), line breaks and outer spaces aside."""
        base = self.cleaned_data["base"]
        return frozenset(
            name
            for name in base
            if _as_sent(self[name].data) == _as_sent(self.fields[name].prepare_value(base[name]))
        )

    def show_conflict(self, conflict: EditConflict) -> None:
        """Say which fields someone else changed and to what; show their values as stored
        now where the person left them as they were, and take the stored values as the new
        base, so that saving again deliberately replaces the other change."""
        self._take_stored(conflict.stored, changed=conflict.changed)
        for name in conflict.fields:
            now = self._shown(name, conflict.stored[name])
            self.add_error(
                name,
                f"Changed by someone else since you opened this page: now “{now}”. "
                "Save again to replace it.",
            )

    def show_broken_rule(self, broken: EditBreaksRule) -> None:
        """Say that nothing was saved, which rule the edit over the record as stored now
        breaks and what someone else changed meanwhile; show the stored values where the
        person changed nothing and take them as the new base, so that correcting the
        person's change and saving again is judged against them."""
        self._take_stored(broken.stored, changed=broken.changed)
        self.add_error(
            None, "Nothing was saved: your change, over the record as stored now, breaks a rule."
        )
        for name in broken.others:
            now = self._shown(name, broken.stored[name])
            self.add_error(
                name, f"Changed by someone else since you opened this page: now “{now}”."
            )
        for name, messages in broken.problems.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)

    def _take_stored(self, stored: dict[str, Any], *, changed: list[str]) -> None:
        """Show `stored` in the fields not in `changed`, and make it the new base."""
        self.data = self.data.copy()
        for name, value in stored.items():
            if name in changed:
                continue
            if getattr(self.fields[name].widget, "allow_multiple_selected", False):
                self.data.setlist(name, [str(v) for v in value or ()])
            else:
                self.data[name] = self._data_of(name, value)
        self.data["base"] = edit_base(stored)

    def _data_of(self, name: str, value: Any) -> str:
        """`value` as field `name`'s submitted text: the field's own way where it has one
        (one line per item, for instance), else `_as_data`'s."""
        prepared = self.fields[name].prepare_value(value)
        return prepared if isinstance(prepared, str) else _as_data(value)

    def _shown(self, name: str, value: Any) -> str:
        text = _as_data(value)
        labels = dict(getattr(self.fields[name], "choices", None) or ())
        return str(labels.get(text) or text) or "empty"


def _json_safe(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def _as_sent(value: Any) -> Any:
    """A field's value as a browser sends it back: text (a list, each item's), with LF line
    breaks and no outer spaces."""
    if isinstance(value, list | tuple):
        return [_as_sent(item) for item in value]
    text = "" if value is None else str(value)
    return text.replace("\r\n", "\n").strip()


def _as_data(value: Any) -> str:
    """A value as a form field's submitted text."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


class ConfirmForm(OutboxFormMixin):
    """A confirmation page's form (a delete): only the submission key, so a double
    submit or a reload sends the write once."""


@dataclass(frozen=True)
class ListFilters:
    """What a list without filters of its own is asked for: a search and a sort."""

    search: str = ""
    sort: Sort | None = None  # None: the list's default order


class ListFilterForm(forms.Form):
    """Parses a list's query string (`?q=…&sort=…` plus a subclass's filters).

    Anything invalid drops that filter, not the others. A subclass adds its fields
    and returns its own filters dataclass from `filters()`.
    """

    q = forms.CharField(required=False, max_length=200)
    sort = forms.CharField(required=False, max_length=200)  # a synced API list: field names

    def __init__(self, *args: Any, sorting: Sorting | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sorting = sorting

    def valid_data(self) -> dict[str, Any]:
        """The non-empty fields that are valid."""
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v}

    def sort_value(self) -> Sort | None:
        """The sort asked for (the default when none or an unknown one); None if unsortable."""
        return self.sorting.parse(self.valid_data().get("sort")) if self.sorting else None

    def filters(self) -> Any:
        return ListFilters(search=self.valid_data().get("q") or "", sort=self.sort_value())

    @property
    def filtered(self) -> bool:
        """Whether anything but the order narrows the list (the "Clear filters" link)."""
        return any(name != "sort" for name in self.valid_data())

    def querystring(self, *, sort: bool = True) -> str:
        """The active filters as a query string (without the page), for pagination links;
        without the sort, for the column headings that change it."""
        data = self.valid_data()
        asked = data.pop("sort", None)
        if sort and asked and (value := self.sort_value()) and value.value:
            data["sort"] = value.value  # as understood: "-bogus" becomes the default
        return urlencode(data)
