"""OutboxItem.bulk_key: the bulk action a row is one write of, indexed, so the bulk result
page's poll reads that action's rows through an index (a `submission_key` prefix scanned
the whole outbox on SQLite). The rows of bulk actions made before have the bulk key only
in their `submission_key` (`<uuid>-<pk>`, core.bulk.row_key); it is copied over once.
"""

import uuid

from django.db import migrations, models

# core.bulk.row_key of a BulkForm key (a UUID as str() writes it) and a record's pk.
BULK_ROW_KEY = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-[0-9]+$"
BATCH = 1000  # rows read and written at a time, so a large outbox is never all in memory


def copy_bulk_keys(apps, schema_editor):
    OutboxItem = apps.get_model("integrations", "OutboxItem")
    rows = OutboxItem.objects.filter(submission_key__regex=BULK_ROW_KEY).only("submission_key")
    batch = []
    for item in rows.iterator(chunk_size=BATCH):
        item.bulk_key = uuid.UUID(item.submission_key[:36])
        batch.append(item)
        if len(batch) == BATCH:
            OutboxItem.objects.bulk_update(batch, ["bulk_key"])
            batch.clear()
    OutboxItem.objects.bulk_update(batch, ["bulk_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0012_health_alert_retries"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxitem",
            name="bulk_key",
            field=models.UUIDField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="outboxitem",
            index=models.Index(
                condition=models.Q(("bulk_key__isnull", False)),
                fields=["bulk_key", "created_by"],
                name="outbox_bulk_rows",
            ),
        ),
        migrations.RunPython(copy_bulk_keys, migrations.RunPython.noop, elidable=True),
    ]
