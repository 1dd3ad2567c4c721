"""Re-encrypt every stored secret with the first key of FIELD_ENCRYPTION_KEY.

Rotation: put the new key first and keep the old ones after it, run this
command, then remove the old keys. See docs/architecture.md.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from integrations.crypto import EncryptedTextField


class Command(BaseCommand):
    help = "Re-encrypt every stored secret with the first FIELD_ENCRYPTION_KEY key."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            # Every model with an encrypted field (connections' credentials, webhook
            # endpoints' signing secrets): loading decrypts with any configured key,
            # saving encrypts with the first.
            for model in apps.get_models():
                fields = [f.name for f in model._meta.fields if isinstance(f, EncryptedTextField)]
                if not fields:
                    continue
                count = 0
                for row in model.objects.select_for_update().only("pk", *fields):
                    row.save(update_fields=fields)
                    count += 1
                label = model._meta.verbose_name_plural
                self.stdout.write(f"Re-encrypted the secrets of {count} {label}.")
