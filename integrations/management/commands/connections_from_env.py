"""Create or update one default connection per provider from settings (the environment).

Idempotent. A provider without complete real credentials gets a connection to
the sandbox when SANDBOX_URL is set. A row an administrator has edited is
left alone: the admin wins over the environment.

With SANDBOX_URL set it also connects the sandbox's JSONPlaceholder as an
OpenAPI connection named `jsonplaceholder` (its document stored from
`sandbox/documents/`, so nothing is fetched), so the APIs menu works at once.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from integrations import jsoncodec
from integrations.models import Connection, OpenApiSource
from integrations.openapi.cache import compiled_document
from integrations.openapi.source import document_digest, read_file
from integrations.providers import PROVIDERS, ConnectionConfig, Provider
from integrations.sandbox.jsonplaceholder import DOCUMENTS

DEFAULT_NAME = "default"
SANDBOX_API = "jsonplaceholder"  # the OpenAPI connection to the sandbox's JSONPlaceholder
_FIELDS = (
    "base_url",
    "api_token",
    "company_id",
    "workspace_id",
    "oauth_client_id",
    "oauth_client_secret",
)


def desired_values(provider: Provider) -> tuple[dict[str, str] | None, str]:
    """The default connection's values from settings (or the sandbox), and where they came from."""
    values = dict.fromkeys(_FIELDS, "")
    for field, setting in provider.settings_names.items():
        values[field] = (getattr(settings, setting, "") or "").strip()
    values["base_url"] = values["base_url"] or provider.default_base_url
    missing = provider.missing(ConnectionConfig(provider.name, DEFAULT_NAME, **values))
    if not missing:
        return values, "environment"
    if settings.SANDBOX_URL:
        sandbox = dict.fromkeys(_FIELDS, "")
        sandbox["workspace_id"] = values["workspace_id"]
        sandbox["base_url"] = settings.SANDBOX_URL.rstrip("/") + provider.sandbox_path
        sandbox.update(provider.sandbox_credentials)
        return sandbox, "sandbox"
    return None, "not configured (missing: " + "; ".join(missing) + ")"


class Command(BaseCommand):
    help = "Create or update the default connection of each provider from the environment."

    def handle(self, *args: Any, **options: Any) -> None:
        for provider in PROVIDERS.values():
            if not provider.environment_default:
                continue
            self.stdout.write(f"{provider.display_name}: {self._apply(provider)}")
        if settings.SANDBOX_URL:
            self.stdout.write(f"OpenAPI {SANDBOX_API}: {self._apply_sandbox_api()}")

    def _apply_sandbox_api(self) -> str:
        """The sandbox's JSONPlaceholder and the document we wrote for it."""
        base_url = settings.SANDBOX_URL.rstrip("/") + "/jsonplaceholder"
        connection, created = Connection.objects.get_or_create(
            provider="openapi", name=SANDBOX_API, defaults={"base_url": base_url}
        )
        if connection.edited_in_admin:
            return "kept as edited in the admin"
        document = read_file(DOCUMENTS / "jsonplaceholder.json")
        digest = document_digest(document)
        stored = OpenApiSource.objects.filter(connection=connection, document_sha256=digest)
        if not created and connection.base_url == base_url and stored.exists():
            return "unchanged (sandbox)"
        compiled_document(document, digest=digest)  # validated, as the admin does
        connection.base_url = base_url
        connection.save()
        OpenApiSource.objects.update_or_create(
            connection=connection,
            defaults={"document": jsoncodec.dumps(document), "document_url": "",
                      "document_sha256": digest, "fetched_at": timezone.now()},
        )  # fmt: skip
        return "created (sandbox)" if created else "updated (sandbox)"

    def _apply(self, provider: Provider) -> str:
        values, source = desired_values(provider)
        if values is None:
            return source
        connection = Connection.objects.filter(provider=provider.name, name=DEFAULT_NAME).first()
        if connection is None:
            Connection.objects.create(provider=provider.name, name=DEFAULT_NAME, **values)
            return f"created from the {source}"
        if connection.edited_in_admin:
            return "kept as edited in the admin"
        changed = [name for name, value in values.items() if getattr(connection, name) != value]
        if not changed:
            return f"unchanged ({source})"
        for name in changed:
            setattr(connection, name, values[name])
        # New credentials deserve a new chance after an automatic switch-off.
        connection.is_active, connection.disabled_reason = True, ""
        connection.consecutive_auth_failures = 0
        connection.save()
        return f"updated from the {source}"
