"""Forms of the hub's own pages."""

from __future__ import annotations

from typing import Any

from django import forms

from integrations.http.errors import IntegrationError
from integrations.models import Connection

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")
# The status filter's classes, as the rollups count them (429 apart from the other 4xx).
STATUS_CLASSES = {
    "2xx": "2xx",
    "3xx": "3xx",
    "4xx": "4xx (not 429)",
    "429": "429 rate limited",
    "5xx": "5xx",
    "none": "No answer",
}


def error_class_names() -> list[str]:
    """Every error class a call can end with: the client records the class's name."""
    found, todo = set(), [IntegrationError]
    while todo:
        cls = todo.pop()
        found.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return sorted(found)


class CallLogFilterForm(forms.Form):
    """The call log page's filters, read from the query string; every one is optional."""

    connection = forms.ModelChoiceField(
        queryset=Connection.objects.order_by("provider", "name"),
        required=False,
        empty_label="Every connection",
    )
    method = forms.ChoiceField(required=False)
    status = forms.ChoiceField(required=False)
    error = forms.ChoiceField(required=False, label="Error class")
    since = forms.DateTimeField(
        required=False,
        label="From",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    until = forms.DateTimeField(
        required=False,
        label="Until",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    q = forms.CharField(
        required=False,
        max_length=200,
        label="Path or request id",
        strip=True,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = [("", "Any method"), *((m, m) for m in METHODS)]
        self.fields["status"].choices = [("", "Any status"), *STATUS_CLASSES.items()]
        self.fields["error"].choices = [
            ("", "Any outcome"),
            ("any", "Any error"),
            *((name, name) for name in error_class_names()),
        ]
        for field in self.fields.values():
            kind = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = f"{kind} {kind}-sm"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since >= until:
            self.add_error("until", "“Until” must be later than “From”.")
        return data
