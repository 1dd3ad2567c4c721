"""Re-encrypt every stored secret with the first key of FIELD_ENCRYPTION_KEY.

Rotation: put the new key first and keep the old ones after it, run this
command, then remove the old keys. See docs/architecture.md. A secret no configured key
decrypts is saved back as it was, and its row named on stderr.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from integrations.crypto import UnreadableSecret, encrypted_fields


class Command(BaseCommand):
    help = "Re-encrypt every stored secret with the first FIELD_ENCRYPTION_KEY key."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            # Loading decrypts with any configured key, saving encrypts with the first.
            for model, fields in encrypted_fields():
                count, unreadable = 0, []
                for row in model.objects.select_for_update().only("pk", *fields):
                    row.save(update_fields=fields)
                    count += 1
                    if any(isinstance(getattr(row, f), UnreadableSecret) for f in fields):
                        unreadable.append(str(row))
                label = model._meta.verbose_name_plural
                self.stdout.write(f"Re-encrypted the secrets of {count} {label}.")
                if unreadable:
                    self.stderr.write(
                        f"No configured key decrypts the secrets of these {label}, left as "
                        f"stored (put their key back, or enter them again in the admin): "
                        f"{', '.join(unreadable)}."
                    )
