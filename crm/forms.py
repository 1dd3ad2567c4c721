"""Forms for Affinity organizations and persons (crispy, Bootstrap 5).

Linked records are chosen from the synced ones with a search box; the form
receives their Affinity ids and checks each against the synced table.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.validators import validate_email

from core.forms import EditFormMixin

DOMAIN_RE = re.compile(
    r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$"
)
GLOBAL_REASON = (
    "This is a global organization from Affinity's own dataset: "
    "Affinity does not allow changing its name or domain."
)


def normalize_domain(value: str) -> str:
    """`Acme.COM.` -> `acme.com`; a URL, an email or anything that is not a host name is refused."""
    domain = value.strip().lower().rstrip(".")
    if not domain:
        return ""
    if any(mark in domain for mark in ("://", "/", "@", "?", "#", " ", ":")):
        raise forms.ValidationError(
            "Enter a domain name such as acme.com, not a URL or an email address."
        )
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_domain = ""
    if not DOMAIN_RE.match(ascii_domain):
        raise forms.ValidationError("Enter a valid domain name such as acme.com.")
    return domain


class RemoteIdsField(forms.Field):
    """Affinity ids of linked records, sent as repeated values (checkboxes)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[str]:
        values = value if isinstance(value, list | tuple) else [value] if value else []
        ids = [str(v).strip() for v in values if str(v).strip()]
        if not all(i.isdigit() and len(i) < 19 for i in ids):
            raise forms.ValidationError("Choose from the list.")
        return list(dict.fromkeys(ids))


def _ids_text(value: str) -> list[str]:
    return [i for i in (value or "").split(",") if i.strip().isdigit()]


class _LinkedFormMixin(forms.Form):
    """Checks that chosen ids belong to synced records of this connection."""

    links_field = ""

    def __init__(self, *args: Any, choices: Callable[[list[str]], Any], **kwargs: Any) -> None:
        self.choices = choices  # ids -> the synced records with those ids
        super().__init__(*args, **kwargs)

    def chosen(self) -> list[Any]:
        """The records to show as chosen: the submitted ones, else the initial ones."""
        value = self.data.getlist(self.links_field) if self.is_bound else None
        ids = value if value is not None else self.initial.get(self.links_field, [])
        ids = [str(i) for i in ids if str(i).isdigit()]
        found = {r.remote_id: r for r in self.choices(ids)}
        return [found[i] for i in ids if i in found]

    def clean_links(self) -> list[str]:
        ids = self.cleaned_data.get(self.links_field) or []
        known = {r.remote_id for r in self.choices(ids)}
        if missing := [i for i in ids if i not in known]:
            raise forms.ValidationError(f"Unknown or not yet synced: {', '.join(missing[:5])}.")
        return ids


class OrganizationForm(_LinkedFormMixin, EditFormMixin):
    links_field = "persons"
    provider_field_names = {"person_ids": "persons"}
    edit_fields = ("name", "domain")

    name = forms.CharField(max_length=300)
    domain = forms.CharField(
        max_length=253, required=False, help_text="A domain name such as acme.com, not a URL."
    )
    persons = RemoteIdsField(required=False)
    base_person_ids = forms.CharField(required=False, widget=forms.HiddenInput)
    create_anyway = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, is_global: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.is_global = is_global
        if is_global:
            for name in ("name", "domain"):
                self.fields[name].disabled = True
                self.fields[name].help_text = GLOBAL_REASON

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("This field is required.")
        return name

    def clean_domain(self) -> str:
        return normalize_domain(self.cleaned_data.get("domain") or "")

    def clean_persons(self) -> list[str]:
        return self.clean_links()

    def clean_base_person_ids(self) -> list[str]:
        return _ids_text(self.cleaned_data.get("base_person_ids", ""))


class PersonForm(_LinkedFormMixin, EditFormMixin):
    links_field = "organizations"
    provider_field_names = {"organization_ids": "organizations", "email": "emails"}
    edit_fields = ("first_name", "last_name")

    first_name = forms.CharField(max_length=200)
    last_name = forms.CharField(max_length=200)
    emails = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line; the first is the primary email. "
        "Affinity allows only one person per email address.",
    )
    organizations = RemoteIdsField(required=False)
    base_emails = forms.CharField(required=False, widget=forms.HiddenInput)
    base_organization_ids = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_first_name(self) -> str:
        return _required_text(self.cleaned_data["first_name"])

    def clean_last_name(self) -> str:
        return _required_text(self.cleaned_data["last_name"])

    def clean_emails(self) -> list[str]:
        emails = [e.strip() for e in re.split(r"[\s,;]+", self.cleaned_data["emails"]) if e.strip()]
        bad = []
        for email in emails:
            try:
                validate_email(email)
            except forms.ValidationError:
                bad.append(email)
        if bad:
            raise forms.ValidationError(f"Not a valid email address: {', '.join(bad[:3])}")
        return list(dict.fromkeys(emails))

    def clean_organizations(self) -> list[str]:
        return self.clean_links()

    def clean_base_emails(self) -> list[str]:
        return [e for e in (self.cleaned_data.get("base_emails") or "").split("\n") if e.strip()]

    def clean_base_organization_ids(self) -> list[str]:
        return _ids_text(self.cleaned_data.get("base_organization_ids", ""))


def _required_text(value: str) -> str:
    text = " ".join(value.split())
    if not text:
        raise forms.ValidationError("This field is required.")
    return text
