"""Read-only queries about connections and their calls, for pages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db.models import Case, Q, QuerySet, Value, When

from integrations.models import CallLog, Connection


def active_connections(providers: Sequence[str]) -> QuerySet[Connection]:
    """The active connections of `providers`, in that order of preference, oldest first:
    `.first()` is the one pages use; as a subquery it keeps a check to one query."""
    preference = Case(*(When(provider=p, then=Value(i)) for i, p in enumerate(providers)))
    return Connection.objects.filter(provider__in=providers, is_active=True).order_by(
        preference, "pk"
    )


def provider_connection(provider: str) -> Connection | None:
    """The first active connection of `provider`, or None."""
    return active_connections([provider]).first()


# The call log's status classes (`forms.STATUS_CLASSES`), as [low, high) ranges.
STATUS_RANGES = {
    "2xx": (200, 300),
    "3xx": (300, 400),
    "4xx": (400, 500),
    "429": (429, 430),
    "5xx": (500, 600),
}


def call_log_search(
    *,
    connection: Connection | None = None,
    method: str = "",
    status: str = "",
    error: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    q: str = "",
) -> QuerySet[CallLog]:
    """Call log rows matching the call log page's filters, newest first.

    Each filter keeps to an index: (connection, created_at), created_at, and the
    partial index of failed calls (`calllog_failed_idx`), whose condition (an error
    class) is stated word for word, since SQLite uses a partial index only when the
    query states its condition. Every call without a 2xx answer has an error class
    (`ApiClient._attempt` records the error it raised).
    """
    calls = CallLog.objects.select_related("connection").order_by("-created_at")
    if connection is not None:
        calls = calls.filter(connection=connection)
    if method:
        calls = calls.filter(method=method)
    if (status and status != "2xx") or error:
        calls = calls.filter(~Q(error_class=""))
    if status == "none":
        calls = calls.filter(status__isnull=True)
    elif status:
        low, high = STATUS_RANGES[status]
        calls = calls.filter(status__gte=low, status__lt=high)
        if status == "4xx":
            calls = calls.exclude(status=429)
    if error and error != "any":
        calls = calls.filter(error_class=error)
    if since is not None:
        calls = calls.filter(created_at__gte=since)
    if until is not None:
        calls = calls.filter(created_at__lt=until)
    if q:
        calls = calls.filter(Q(path__icontains=q) | Q(request_id=q))
    return calls
