"""The admin's part of an OpenAPI connection: its document (a URL or an upload) and what
the hub found in it.

Saving reads the document (the upload, else the URL when it is new or changed),
validates it and compiles it before anything is saved: an invalid document is an
error on the form and nothing is stored. The connection's page then lists the
resources with their operations, the ones the client cannot call with why, and
which credential each declared security scheme takes.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from integrations import jsoncodec
from integrations.models import OpenApiSource
from integrations.openapi import cache
from integrations.openapi.client import CompiledApi
from integrations.openapi.errors import DocumentError
from integrations.openapi.model import ApiModel
from integrations.openapi.source import fetch_document, parse_document

MAX_UPLOAD_BYTES = 8 * 1024 * 1024  # Asana's whole API is about 3 MB of YAML

_CREDENTIALS = {
    "bearer": "the API token (sent as a Bearer token)",
    "api_key": "the API token (sent as the key)",
    "basic": "the user name here and the API token as the password",
    "oauth2_client_credentials": "the OAuth client id and secret",
}


class OpenApiSourceForm(forms.ModelForm):
    upload = forms.FileField(
        label="Upload the document",
        required=False,
        help_text="JSON or YAML. It becomes the stored copy (with a URL too, the URL "
        "refreshes it later).",
    )

    class Meta:
        model = OpenApiSource
        fields = ["document_url", "upload", "security_scheme", "basic_username"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        upload = cleaned.get("upload")
        url = (cleaned.get("document_url") or "").strip()
        self.compiled: CompiledApi | None = None
        try:
            if upload is not None:
                if upload.size > MAX_UPLOAD_BYTES:
                    raise DocumentError(f"The file is over {MAX_UPLOAD_BYTES // 2**20} MB.")
                document = parse_document(upload.read(), origin=upload.name)
            elif url and (url != self.instance.document_url or not self.instance.document):
                document = fetch_document(url)
            elif not url and not self.instance.document:
                raise DocumentError("Give the document's URL or upload it.")
            else:
                return cleaned  # the stored copy stays as it is
            self.compiled = cache.compiled_document(document)
        except DocumentError as exc:
            raise forms.ValidationError(f"The document was not saved: {exc}") from exc
        self.document = document
        return cleaned

    def save(self, commit: bool = True) -> OpenApiSource:
        source = super().save(commit=False)
        if self.compiled is not None:
            source.document = jsoncodec.dumps(self.document)
            source.document_sha256 = self.compiled.model.digest
            source.fetched_at = timezone.now()
            source.last_fetch_error = ""
        if commit:
            source.save()
        return source


class OpenApiSourceFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        """An OpenAPI connection is saved only with a document that loaded."""
        super().clean()
        if getattr(self.instance, "provider", "") != "openapi":
            return
        has_document = any(
            getattr(form, "compiled", None) is not None or form.instance.document
            for form in self.forms
        )
        if not has_document:
            raise forms.ValidationError(
                "An OpenAPI connection needs its document: give its URL or upload it."
            )


class OpenApiSourceInline(admin.StackedInline):
    model = OpenApiSource
    form = OpenApiSourceForm
    formset = OpenApiSourceFormSet
    can_delete = False
    min_num = 0
    max_num = 1
    extra = 1
    verbose_name = "OpenAPI document (OpenAPI connections only)"
    readonly_fields = ["found", "fetched_at", "last_fetch_error"]
    fields = [
        "document_url",
        "upload",
        "security_scheme",
        "basic_username",
        "found",
        "fetched_at",
        "last_fetch_error",
    ]

    @admin.display(description="what the hub found")
    def found(self, source: OpenApiSource) -> str:
        if not source.pk or not source.document:
            return "Nothing yet: save to read the document."
        try:
            model = cache.connection_document(source.connection).model
        except DocumentError as exc:
            return f"The stored copy cannot be read: {exc}"
        return found_html(model)


def found_lines(model: ApiModel) -> list[str]:
    """What the document offers, a line each: resources, unsupported operations, auth."""
    lines = [f"{model.title or 'The API'} (OpenAPI {model.spec_version}), "
             f"{len(model.resources)} resources:"]  # fmt: skip
    for resource in model.resources:
        names = ", ".join(op.name for op in resource.operations if op.supported) or "none"
        lines.append(f"{resource.name}: {names}")
    unsupported = model.unsupported
    lines.append(f"{len(unsupported)} operations not supported" + (":" if unsupported else "."))
    lines += [f"{endpoint}: {why}" for endpoint, why in unsupported]
    for scheme in model.security_schemes:
        takes = _CREDENTIALS.get(scheme.kind, f"not supported ({scheme.reason})")
        lines.append(f"Security scheme {scheme.name} ({scheme.kind}): {takes}.")
    if not model.security_schemes:
        lines.append("The document declares no security scheme: no credentials are needed.")
    return lines


def found_html(model: ApiModel) -> str:
    """The lines as HTML, one a line: the admin message after a save, the inline's field."""
    lines = format_html_join(mark_safe("<br>"), "{}", ((line,) for line in found_lines(model)))
    return format_html("<span class='openapi-found'>{}</span>", lines)
