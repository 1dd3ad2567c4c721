"""Re-encrypt every stored secret with the first key of FIELD_ENCRYPTION_KEY.

Rotation: put the new key first and keep the old ones after it, run this
command, then remove the old keys. See docs/architecture.md.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from integrations.models import Connection
from integrations.models.connection import SECRET_FIELDS


class Command(BaseCommand):
    help = "Re-encrypt all stored connection secrets with the first FIELD_ENCRYPTION_KEY key."

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        with transaction.atomic():
            # Loading decrypts with any configured key; saving encrypts with the first.
            for connection in Connection.objects.select_for_update():
                connection.save(update_fields=list(SECRET_FIELDS))
                count += 1
        self.stdout.write(f"Re-encrypted the secrets of {count} connections.")
