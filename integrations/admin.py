"""Admin for connections (credentials write-only); the call log, outbox, sync runs,
possible duplicates and webhook deliveries read-only."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.debug import sensitive_post_parameters

from core.request_limits import body_limit
from integrations.admin_openapi import MAX_UPLOAD_BYTES, OpenApiSourceInline, found_html
from integrations.crypto import UnreadableSecret
from integrations.http.errors import ConfigurationError, IntegrationError
from integrations.models import (
    AuditEntry,
    CallLog,
    Connection,
    DuplicateFlag,
    OutboxItem,
    SyncRun,
    WebhookDelivery,
)
from integrations.models.connection import SECRET_FIELDS
from integrations.openapi import cache as openapi_cache
from integrations.outbox.delivery import outbox_dismiss, outbox_retry, why_not_dismissed
from integrations.outbox.duplicates import duplicate_flag_dismiss
from integrations.services.connections import ConnectionTestResult, connection_test
from integrations.tasks import enqueue_delivery, enqueue_webhook_apply
from integrations.webhooks.apply import delivery_replay
from integrations.webhooks.endpoints import endpoint_for, receiver_url
from integrations.webhooks.subscriptions import (
    subscriptions_supported,
    webhook_subscribe,
    webhook_subscriptions,
    webhook_unsubscribe,
)

_KEEP = "A value is stored and never shown. Leave blank to keep it; type a new value to replace it."
_UNSET = "Not set. Stored encrypted once saved; never shown again."
_UNREADABLE = "A value is stored, but no key in FIELD_ENCRYPTION_KEY decrypts it. Type it again."


class ConnectionForm(forms.ModelForm):
    """Secrets are password inputs that never render the stored value; blank keeps it."""

    api_token = forms.CharField(
        label="API token or key", required=False, widget=forms.PasswordInput(render_value=False)
    )
    oauth_client_secret = forms.CharField(
        label="OAuth client secret",
        required=False,
        widget=forms.PasswordInput(render_value=False),
    )
    clear_secrets = forms.BooleanField(
        label="Clear the stored secrets", required=False, help_text="Removes both secrets."
    )
    webhook_secret = forms.CharField(
        label="Webhook secret",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=(
            "Recruitee: paste the secret its webhook dialog shows. It is added to the "
            "stored ones (the older stay valid during a rotation) and never shown again."
        ),
    )

    class Meta:
        model = Connection
        fields = [
            "provider",
            "name",
            "base_url",
            "api_token",
            "company_id",
            "workspace_id",
            "oauth_client_id",
            "oauth_client_secret",
            "is_active",
            "sync_interval_minutes",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in SECRET_FIELDS:
            self.initial.pop(name, None)  # the stored value never reaches the form
            value = getattr(self.instance, name) if self.instance.pk else ""
            unreadable = isinstance(value, UnreadableSecret)
            self.fields[name].help_text = _UNREADABLE if unreadable else _KEEP if value else _UNSET

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("provider") == "openapi" and not cleaned.get("base_url"):
            # The document's servers may name the real service; the hub calls only the
            # base URL an administrator gave (the sandbox's, a staging server's).
            self.add_error("base_url", "An OpenAPI connection needs the API's base URL.")
        for name in SECRET_FIELDS:
            if cleaned.get("clear_secrets"):
                cleaned[name] = ""
            elif not cleaned.get(name):
                cleaned[name] = getattr(self.instance, name)  # not yet overwritten by the form
        return cleaned


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    form = ConnectionForm
    list_display = [
        "provider",
        "name",
        "status_with_reason",
        "last_verified_at",
        "last_error_short",
        "is_sandbox",
    ]
    list_filter = ["provider", "is_active"]
    actions = ["test_connections", "subscribe_webhooks", "list_webhooks", "remove_webhooks"]
    health_fields = [
        "status",
        "disabled_reason",
        "secrets_problem",
        "last_verified_at",
        "last_error",
        "consecutive_auth_failures",
        "edited_in_admin",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["provider", "name", "base_url", "is_active", "sync_interval_minutes"]}),
        (
            "Credentials and provider settings",
            {
                "fields": [
                    "api_token",
                    "company_id",
                    "workspace_id",
                    "oauth_client_id",
                    "oauth_client_secret",
                    "clear_secrets",
                ]
            },
        ),
        ("Webhooks", {"fields": ["webhook_receiver", "webhook_secret"]}),
        ("Health", {"fields": health_fields}),
    ]
    readonly_fields = [*health_fields, "webhook_receiver"]
    # What a view-only administrator sees instead of the secret fields, which the read-only
    # page would otherwise show decrypted (the form's password inputs are not used there).
    # The receiver URL too: for Affinity, which signs nothing, its token is the only secret.
    masked_fields = {
        "api_token": "api_token_shown",
        "oauth_client_secret": "client_secret_shown",
        "webhook_receiver": "receiver_url_shown",
    }
    form_only_fields = ("clear_secrets", "webhook_secret")

    def get_fieldsets(self, request: HttpRequest, obj: Connection | None = None) -> list[Any]:
        fieldsets = super().get_fieldsets(request, obj)
        if self.has_change_permission(request, obj):
            return fieldsets
        shown = [
            [
                self.masked_fields.get(f, f)
                for f in options["fields"]
                if f not in self.form_only_fields
            ]
            for _title, options in fieldsets
        ]
        return [(t, {**o, "fields": f}) for (t, o), f in zip(fieldsets, shown, strict=True)]

    @admin.display(description="API token or key")
    def api_token_shown(self, obj: Connection) -> str:
        return _stored_or_not(obj.api_token)

    @admin.display(description="OAuth client secret")
    def client_secret_shown(self, obj: Connection) -> str:
        return _stored_or_not(obj.oauth_client_secret)

    @admin.display(description="receiver URL")
    def receiver_url_shown(self, obj: Connection) -> str:
        return "Shown to administrators who may change the connection."

    @method_decorator(sensitive_post_parameters(*SECRET_FIELDS, "webhook_secret"))
    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Error reports and DEBUG pages never show a secret typed into the form."""
        return super().changeform_view(request, *args, **kwargs)

    @admin.display(description="receiver URL")
    def webhook_receiver(self, obj: Connection) -> str:
        """The URL to give the provider, in a read-only box ready to copy, and how."""
        if not obj.pk:
            return "Shown once the connection is saved."
        endpoint = endpoint_for(obj)
        try:
            stored: int | str = len(endpoint.secret_list())
        except ConfigurationError as exc:
            stored = str(exc)
        if obj.provider == "recruitee":
            how = (
                "In Recruitee: Settings > Apps and Plugins > Webhooks > + New webhook. Paste "
                "this URL, choose the candidate events, copy the secret the dialog shows into "
                "“Webhook secret” below and save, then press Test in Recruitee (it must get "
                "200 before Recruitee creates the webhook)."
            )
        elif subscriptions_supported(obj):
            how = (
                "Use the action “Subscribe to webhooks” in the connections list: the hub "
                "registers this URL and keeps the signing secret the provider gives it."
            )
        else:
            how = ""
        return format_html(
            '<input type="text" readonly class="vLargeTextField" value="{}" aria-label="Receiver '
            'URL"><p class="help">{} Signing secrets stored: {}.</p>',
            receiver_url(endpoint),
            how,
            stored,
        )

    # The add and change pages take an uploaded OpenAPI document (Asana's is about 3 MB),
    # more than REQUEST_MAX_BODY_BYTES; the admin copies the cap onto its URL's view.
    @body_limit(MAX_UPLOAD_BYTES + 64 * 1024)
    def add_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().add_view(request, *args, **kwargs)

    @body_limit(MAX_UPLOAD_BYTES + 64 * 1024)
    def change_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().change_view(request, *args, **kwargs)

    def get_inlines(self, request: HttpRequest, obj: Connection | None) -> list[Any]:
        """The document's part on a new connection and on OpenAPI ones."""
        return [OpenApiSourceInline] if obj is None or obj.provider == "openapi" else []

    def save_related(
        self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool
    ) -> None:
        """After the document is saved: say what the hub found in it, and test the connection."""
        super().save_related(request, form, formsets, change)
        connection = form.instance
        if connection.provider != "openapi":
            return
        openapi_cache.forget(connection)
        try:
            model = openapi_cache.connection_document(connection).model
        except ConfigurationError as exc:
            self.message_user(request, f"The OpenAPI document: {exc}", messages.ERROR)
            return
        self.message_user(request, found_html(model), messages.INFO)
        self._report(request, connection_test(connection))  # now that its document is saved

    @admin.display(description="status")
    def status_with_reason(self, obj: Connection) -> str:
        reason = obj.disabled_reason or obj.secrets_problem
        return f"{obj.status}: {reason}" if reason else obj.status

    @admin.display(description="last error")
    def last_error_short(self, obj: Connection) -> str:
        return obj.last_error[:120]

    @admin.display(boolean=True, description="sandbox")
    def is_sandbox(self, obj: Connection) -> bool:
        return obj.is_sandbox

    def save_model(
        self, request: HttpRequest, obj: Connection, form: forms.ModelForm, change: bool
    ) -> None:
        """An administrator's save wins over the environment, and is tested at once."""
        obj.edited_in_admin = True
        if "is_active" in form.changed_data and obj.is_active:
            obj.disabled_reason = ""
            obj.consecutive_auth_failures = 0
        super().save_model(request, obj, form, change)
        if secret := form.cleaned_data.get("webhook_secret"):
            endpoint = endpoint_for(obj)
            endpoint.secret_add(secret)
            endpoint.save(update_fields=["secrets"])
        if obj.provider != "openapi":  # tested by save_related, once its document is saved
            self._report(request, connection_test(obj))

    # Subscribing and removing change the provider's webhooks and the stored secrets.
    @admin.action(
        description="Subscribe to webhooks (where the provider's API allows it)",
        permissions=["change"],
    )
    def subscribe_webhooks(self, request: HttpRequest, queryset: QuerySet[Connection]) -> None:
        for connection in queryset:
            self._webhook_call(request, connection, webhook_subscribe, "subscribed: {}")

    @admin.action(description="List webhook subscriptions")
    def list_webhooks(self, request: HttpRequest, queryset: QuerySet[Connection]) -> None:
        def described(connection: Connection) -> str:
            found = webhook_subscriptions(connection)
            return ", ".join(f"#{s.id} ({'active' if s.active else 'off'})" for s in found)

        for connection in queryset:
            self._webhook_call(request, connection, described, "subscriptions: {}")

    @admin.action(description="Remove webhook subscriptions", permissions=["change"])
    def remove_webhooks(self, request: HttpRequest, queryset: QuerySet[Connection]) -> None:
        for connection in queryset:
            self._webhook_call(request, connection, webhook_unsubscribe, "{} removed")

    def _webhook_call(self, request: HttpRequest, connection: Connection, call, said: str) -> None:
        try:
            result = call(connection)
        except (IntegrationError, ConfigurationError) as exc:
            self.message_user(request, f"{connection}: {exc}", messages.ERROR)
            return
        shown = getattr(result, "id", result)
        self.message_user(request, f"{connection}: {said.format(shown or 'none')}")

    # A test stores its outcome on the connection (last verified, last error) and counts
    # refused logins, which switch the connection off at AUTH_FAILURE_LIMIT.
    @admin.action(description="Test connection", permissions=["change"])
    def test_connections(self, request: HttpRequest, queryset: QuerySet[Connection]) -> None:
        for connection in queryset:
            self._report(request, connection_test(connection))

    def _report(self, request: HttpRequest, result: ConnectionTestResult) -> None:
        level = messages.SUCCESS if result.ok else messages.ERROR
        prefix = "Test passed" if result.ok else "Test failed"
        self.message_user(request, f"{prefix}: {result.message}", level)


def _stored_or_not(secret: str) -> str:
    return "A value is stored and never shown." if secret else "Not set."


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the hub writes itself: administrators look, they do not edit."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ReferenceSearch(admin.ModelAdmin):
    """The search box finds a row by the reference pages show people (`outbox #12`, `#12`, `12`)."""

    reference_pattern = re.compile(r"^\s*(?:outbox|sync run)?\s*#?\s*(\d{1,18})\s*$", re.I)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        if match := self.reference_pattern.match(search_term):
            return queryset.filter(pk=int(match.group(1))), False
        return super().get_search_results(request, queryset, search_term)


@admin.register(CallLog)
class CallLogAdmin(ReadOnlyAdmin):
    """Rows are written by the client and removed by `prune_history`."""

    list_display = [
        "created_at",
        "connection",
        "method",
        "path",
        "status",
        "duration_ms",
        "attempt",
        "error_class",
        "response_bytes",
        "request_id",
    ]
    list_filter = ["provider", "method", "error_class"]
    search_fields = ["path", "request_id"]
    list_select_related = ["connection"]
    date_hierarchy = "created_at"


@admin.register(OutboxItem)
class OutboxItemAdmin(ReferenceSearch, ReadOnlyAdmin):
    list_display = [
        "created_at", "summary", "connection", "status", "attempts", "next_attempt_at",
        "unknown_since", "remote_id", "last_error",
    ]  # fmt: skip
    list_filter = ["status", ("unknown_since", admin.EmptyFieldListFilter), "operation"]
    search_fields = ["summary", "remote_id", "last_error"]
    list_select_related = ["connection"]
    date_hierarchy = "created_at"
    actions = ["retry_now", "dismiss"]

    def has_write_permission(self, request: HttpRequest) -> bool:
        """The rows are read-only, but retrying or dismissing acts on a write: the change
        right."""
        return request.user.has_perm("integrations.change_outboxitem")

    @admin.action(description="Retry the selected writes now", permissions=["write"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[OutboxItem]) -> None:
        retried = 0
        for item in queryset.filter(
            status__in=[OutboxItem.Status.PENDING, OutboxItem.Status.NEEDS_ATTENTION]
        ):
            if outbox_retry(item):  # not a write only a person can check (the outbox page)
                enqueue_delivery(item)
                retried += 1
        self.message_user(request, f"{retried} write(s) will be sent again now.")

    @admin.action(description="Dismiss selected writes", permissions=["write"])
    def dismiss(self, request: HttpRequest, queryset: QuerySet[OutboxItem]) -> None:
        """As the outbox page's "Dismiss" (`outbox_dismiss`), for each selected row; one
        that is not stuck or refused is left as it is, and the message says why."""
        dismissed, refused = 0, Counter[str]()
        for item in queryset:
            if outbox_dismiss(item, user=request.user):
                dismissed += 1
            else:
                refused[why_not_dismissed(item)] += 1
        if not refused:
            self.message_user(request, f"{dismissed} write(s) dismissed: they will not be sent.")
            return
        reasons = ", ".join(f"{n} ({why})" for why, n in refused.most_common())
        self.message_user(
            request,
            f"{dismissed} write(s) dismissed: they will not be sent. {refused.total()} not "
            f"dismissed, nothing changed for them: {reasons}.",
            messages.WARNING,
        )


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The audit trail: who created, changed or deleted what, from which page, and what
    the provider answered; what arrived by sync or webhook."""

    list_display = [
        "created_at", "action", "record_label", "record_type", "who", "source", "page",
        "outcome", "answer",
    ]  # fmt: skip
    list_filter = ["action", "source", "outcome", "record_type", "connection"]
    search_fields = ["record_label", "record_id", "page", "answer", "user__username"]
    list_select_related = ["connection", "user"]
    date_hierarchy = "created_at"
    readonly_fields = ["changes_shown"]

    @admin.display(description="who")
    def who(self, entry: AuditEntry) -> str:
        return entry.who

    @admin.display(description="changes")
    def changes_shown(self, entry: AuditEntry) -> str:
        return "; ".join(f"{c['field']}: {c['old']!r} → {c['new']!r}" for c in entry.changes)


@admin.register(SyncRun)
class SyncRunAdmin(ReferenceSearch, ReadOnlyAdmin):
    list_display = [
        "created_at", "resource", "connection", "mode", "status", "pages", "processed",
        "created_count", "updated_count", "deleted_count", "duration", "error",
    ]  # fmt: skip
    list_filter = ["status", "mode", "resource"]
    search_fields = ["error"]
    list_select_related = ["connection"]
    date_hierarchy = "created_at"

    @admin.display(description="duration")
    def duration(self, run: SyncRun) -> str:
        seconds = run.duration_seconds
        return "—" if seconds is None else f"{seconds:.1f} s"


@admin.register(DuplicateFlag)
class DuplicateFlagAdmin(ReadOnlyAdmin):
    """Written by the sync's duplicate check; people dismiss flags on the dashboard or here."""

    list_display = [
        "detected_at", "identity_kind", "identity_value", "record_type", "connection",
        "copies", "checked_at", "closed_at", "dismissed_at", "dismissed_by",
    ]  # fmt: skip
    list_filter = [
        "record_type",
        "identity_kind",
        ("closed_at", admin.EmptyFieldListFilter),
        ("dismissed_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["identity_value"]
    list_select_related = ["connection", "dismissed_by"]
    date_hierarchy = "detected_at"
    actions = ["dismiss"]

    @admin.display(description="copies")
    def copies(self, obj: DuplicateFlag) -> int:
        return len(obj.record_ids)

    def has_dismiss_permission(self, request: HttpRequest) -> bool:
        """The rows are read-only, but a dismissal quiets a flag: the change right."""
        return request.user.has_perm("integrations.change_duplicateflag")

    @admin.action(description="Mark the selected flags “not a duplicate”", permissions=["dismiss"])
    def dismiss(self, request: HttpRequest, queryset: QuerySet[DuplicateFlag]) -> None:
        flags = list(queryset.filter(dismissed_at=None))
        for flag in flags:
            duplicate_flag_dismiss(flag=flag, user=request.user)
        self.message_user(request, f"{len(flags)} flag(s) marked “not a duplicate”.")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    """The events page: recent deliveries with their state; replay applies one again."""

    list_display = [
        "received_at", "provider", "connection", "state", "attempts", "summary", "error_short",
        "applied_at",
    ]  # fmt: skip
    list_filter = ["state", "provider"]
    search_fields = ["summary", "error", "dedupe_key"]
    list_select_related = ["connection"]
    date_hierarchy = "received_at"
    actions = ["replay"]
    fields = [
        "received_at", "provider", "connection", "state", "attempts", "next_attempt_at",
        "summary", "error", "applied_at", "dedupe_key", "headers", "body_text",
    ]  # fmt: skip
    readonly_fields = fields

    @admin.display(description="error")
    def error_short(self, obj: WebhookDelivery) -> str:
        return obj.error[:120]

    @admin.display(description="body")
    def body_text(self, obj: WebhookDelivery) -> str:
        return bytes(obj.body).decode("utf-8", "replace")

    def has_replay_permission(self, request: HttpRequest) -> bool:
        """The rows are read-only, but replaying changes their state: the change right."""
        return request.user.has_perm("integrations.change_webhookdelivery")

    @admin.action(
        description="Replay the selected deliveries (apply them again)", permissions=["replay"]
    )
    def replay(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        deliveries = list(queryset)
        for delivery in deliveries:
            delivery_replay(delivery)
        enqueue_webhook_apply()
        self.message_user(request, f"{len(deliveries)} delivery(ies) will be applied again.")
