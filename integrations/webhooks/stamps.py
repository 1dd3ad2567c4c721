"""The "changed since" stamp of a connection's resource, for a list to poll.

Each applied webhook change moves `SyncState.changed_at`; a finished sync moves
`last_success_at`. The stamp is the later of the two: one indexed row read (the
`sync_state_unique` index), so a list can ask every few seconds whether to reload itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db.models import Subquery
from django.utils import timezone

from integrations.models import SyncState
from integrations.selectors import active_connections


def changes_stamp(
    *, connection_id: int, resource_key: str, pages_of: Sequence[str] | None = None
) -> datetime | None:
    """The stamp, or None if nothing changed yet. With `pages_of` (a service's providers)
    only the connection those pages use has one, checked in the same query: any other
    connection answers None, as one that never changed, so it gives nothing away."""
    rows = SyncState.objects.filter(connection_id=connection_id, resource=resource_key)
    if pages_of is not None:
        shown = active_connections(pages_of).values("pk")[:1]
        rows = rows.filter(connection_id=Subquery(shown))
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
