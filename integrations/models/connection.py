"""A connection: one provider account the hub talks to, with encrypted credentials."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from integrations.crypto import EncryptedTextField, UnreadableSecret
from integrations.http.base_url import validate_base_url
from integrations.http.errors import ConfigurationError
from integrations.providers import PROVIDERS, provider_choices

SECRET_FIELDS = ("api_token", "oauth_client_secret")


class Connection(models.Model):
    provider = models.CharField(max_length=32, choices=provider_choices)
    name = models.CharField(max_length=100, default="default")
    base_url = models.CharField(
        "base URL",
        max_length=300,
        blank=True,
        help_text="Leave blank for the provider's real service. https only.",
    )
    # Credentials: encrypted at rest, write-only in the admin, never rendered or logged.
    api_token = EncryptedTextField("API token or key", blank=True)
    oauth_client_secret = EncryptedTextField("OAuth client secret", blank=True)
    # Provider settings (not secret).
    oauth_client_id = models.CharField("OAuth client id", max_length=200, blank=True)
    company_id = models.CharField("company id", max_length=100, blank=True)
    workspace_id = models.CharField("workspace id", max_length=100, blank=True)

    is_active = models.BooleanField("active", default=True)
    sync_interval_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Blank: SYNC_INTERVAL_MINUTES."
    )
    edited_in_admin = models.BooleanField(
        default=False,
        help_text="Set when an administrator saves the row; the environment no longer updates it.",
    )
    last_verified_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    consecutive_auth_failures = models.PositiveIntegerField(default=0)
    disabled_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["provider", "name"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "name"], name="unique_connection_name")
        ]

    def __str__(self) -> str:
        return f"{self.provider_display} · {self.name}"

    @property
    def provider_display(self) -> str:
        provider = PROVIDERS.get(self.provider)
        return provider.display_name if provider else self.provider

    @property
    def effective_base_url(self) -> str:
        provider = PROVIDERS.get(self.provider)
        return self.base_url or (provider.default_base_url if provider else "")

    @property
    def is_sandbox(self) -> bool:
        sandbox = settings.SANDBOX_URL.rstrip("/")
        return bool(sandbox) and self.effective_base_url.startswith(sandbox)

    @property
    def status(self) -> str:
        if self.is_active:
            return "active"
        return "switched off" if self.disabled_reason else "inactive"

    @property
    def readable_secrets(self) -> tuple[str, ...]:
        """The stored secrets that can be decrypted and are set (what to redact)."""
        values = (getattr(self, name) for name in SECRET_FIELDS)
        return tuple(value for value in values if isinstance(value, str) and value)

    @property
    def secrets_problem(self) -> str:
        """Why its stored secrets cannot be used ("" when they can), for people and logs;
        never the secret."""
        unreadable = [
            str(self._meta.get_field(name).verbose_name)
            for name in SECRET_FIELDS
            if isinstance(getattr(self, name), UnreadableSecret)
        ]
        if not unreadable:
            return ""
        return (
            f"The {self} connection's {' and '.join(unreadable)} cannot be decrypted: "
            "FIELD_ENCRYPTION_KEY does not include the key it was encrypted with. Put that "
            "key back in FIELD_ENCRYPTION_KEY, or enter the secret again in the admin."
        )

    def clean(self) -> None:
        if self.base_url:
            try:
                self.base_url = validate_base_url(self.base_url)
            except ConfigurationError as exc:
                raise ValidationError({"base_url": str(exc)}) from exc
