"""The "changed since" stamp of a connection's resource, for a list to poll.

Each applied webhook change moves `SyncState.changed_at`; a finished sync moves
`last_success_at`. The stamp is the later of the two: one indexed row read (the
`sync_state_unique` index), so a list can ask every few seconds whether to reload itself.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from integrations.models import Connection, SyncState


def changes_stamp(
    *, connection_id: int, resource_key: str, shown: QuerySet[Connection] | None = None
) -> datetime | None:
    """The stamp, or None if nothing changed yet. With `shown` (the connections whose
    pages the asker may see, `core.resources.connections_shown`) only those have one,
    checked in the same query: any other connection answers None, as one that never
    changed, so it gives nothing away."""
    rows = SyncState.objects.filter(connection_id=connection_id, resource=resource_key)
    if shown is not None:
        rows = rows.filter(connection_id__in=shown.values("pk"))
    row = rows.values_list("changed_at", "last_success_at").first()
    return None if row is None else stamp_of(*row)


def stamp_of(changed_at: datetime | None, last_success_at: datetime | None) -> datetime | None:
    """The stamp of a `SyncState`'s two times: the later one, None if neither is set."""
    return max((t for t in (changed_at, last_success_at) if t is not None), default=None)


def changes_touch(*, connection_id: int, resource_key: str) -> None:
    now = timezone.now()
    updated = SyncState.objects.filter(connection_id=connection_id, resource=resource_key).update(
        changed_at=now
    )
    if not updated:
        SyncState.objects.get_or_create(
            connection_id=connection_id, resource=resource_key, defaults={"changed_at": now}
        )
