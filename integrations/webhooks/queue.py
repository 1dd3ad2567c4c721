"""One apply task queued at a time, however many deliveries arrive (models.WebhookApplyQueue).

A receiver calls `apply_queue_claim()` in the transaction that stores its delivery
and queues the task only when it returns True; the task calls `apply_queue_release()`
before it looks for work. Every stored delivery is therefore seen by a task that
starts after it was committed. Should queuing fail after the flag was set, the
scheduler's sweep of deliveries left unapplied queues the task again.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from integrations.models import WebhookApplyQueue

ROW = 1


def apply_queue_claim() -> bool:
    """Mark a task as queued; True when none was (the caller queues one)."""
    if WebhookApplyQueue.objects.filter(pk=ROW, queued=False).update(queued=True):
        return True
    if WebhookApplyQueue.objects.filter(pk=ROW).exists():
        return False
    try:
        with transaction.atomic():
            WebhookApplyQueue.objects.create(pk=ROW, queued=True)
    except IntegrityError:  # another receiver created it first, and queues the task
        return False
    return True


def apply_queue_release() -> None:
    WebhookApplyQueue.objects.filter(pk=ROW).update(queued=False)
