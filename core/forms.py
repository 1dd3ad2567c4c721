"""Form pieces every create and update form shares."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms

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
        # A new key: the corrected form is a new submission.
        self.data = self.data.copy()
        self.data["submission_key"] = uuid.uuid4().hex


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
    sort = forms.CharField(required=False, max_length=40)

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
        if sort and asked and (value := self.sort_value()):
            data["sort"] = value.value  # as understood: "-bogus" becomes the default
        return urlencode(data)
