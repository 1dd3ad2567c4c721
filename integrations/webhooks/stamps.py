"""The "changed since" stamp of a connection's resource, for a list to poll.

Each applied webhook change moves `SyncState.changed_at`; a finished sync moves
`last_success_at`. The stamp is the later of the two: one indexed row read, so a
list can ask every few seconds whether to reload itself.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from integrations.models import SyncState


def changes_stamp(*, connection_id: int, resource_key: str) -> datetime | None:
    row = (
        SyncState.objects.filter(connection_id=connection_id, resource=resource_key)
        .values_list("changed_at", "last_success_at")
        .first()
    )
    if row is None:
        return None
    return max((t for t in row if t is not None), default=None)


def changes_touch(*, connection_id: int, resource_key: str) -> None:
    now = timezone.now()
    updated = SyncState.objects.filter(connection_id=connection_id, resource=resource_key).update(
        changed_at=now
    )
    if not updated:
        SyncState.objects.get_or_create(
            connection_id=connection_id, resource=resource_key, defaults={"changed_at": now}
        )
