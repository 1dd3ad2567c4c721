"""One apply task queued at a time, however many deliveries arrive (models.WebhookApplyQueue).

A receiver calls `apply_queue_claim()` in the transaction that stores its delivery
and queues the task only when it returns True; the task calls `apply_queue_release()`
before it looks for work. Every stored delivery is therefore seen by a task that
starts after it was committed. Should queuing fail after the flag was set, the
scheduler's sweep of deliveries left unapplied queues the task again.
"""

from __future__ import annotations

from django.db import connections, router

from integrations.models import WebhookApplyQueue

ROW = 1


def apply_queue_claim() -> bool:
    """Mark a task as queued; True when none was (the caller queues one).

    One statement, as every verified delivery runs it inside its transaction: the row
    is created queued, or flipped from not queued, and the count of rows written says
    which happened (0: a task is queued already). Two ORM queries (an UPDATE, then
    whether the row exists) cost a fifth of a receiver's request."""
    db = connections[router.db_for_write(WebhookApplyQueue)]
    table = db.ops.quote_name(WebhookApplyQueue._meta.db_table)
    pk, queued = db.ops.quote_name("id"), db.ops.quote_name("queued")
    sql = (
        f"INSERT INTO {table} ({pk}, {queued}) VALUES (%s, %s) ON CONFLICT ({pk}) "  # noqa: S608 - names from the model
        f"DO UPDATE SET {queued} = %s WHERE {table}.{queued} = %s"
    )
    with db.cursor() as cursor:
        cursor.execute(sql, [ROW, True, True, False])
        return cursor.rowcount == 1


def apply_queue_release() -> None:
    WebhookApplyQueue.objects.filter(pk=ROW).update(queued=False)
