"""Each connection's health: healthy, degraded, failing or switched off, and why.

Read from the per-minute call rollups (never the raw call log), the sync state and
runs, and the outbox. The rules, with their settings:

- **switched off**: the connection is not active (`disabled_reason` says why when
  the hub switched it off after failed logins).
- **failing**: over the last `CONNECTION_HEALTH_WINDOW_MINUTES` (5) the share of
  failed calls is at least `CONNECTION_HEALTH_FAILING_ERROR_RATE` (0.5), counted
  once the window holds `CONNECTION_HEALTH_MIN_CALLS` (5) calls; or a rate-limit
  budget the provider reports (Affinity's per-minute and monthly windows) has less
  than `CONNECTION_HEALTH_BUDGET_FRACTION` (0.1) left.
- **degraded**: the failed share is at least `CONNECTION_HEALTH_DEGRADED_ERROR_RATE`
  (0.1), the latest sync of a resource failed, or writes need attention.
- **healthy** otherwise.

A failed call is a 5xx, a 429, a timeout or another transport failure. 4xx
answers are counted in the rollups but do not make a connection unhealthy: they
are about the request (a refused write, a record gone), and repeated 401/403
already switch the connection off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone

from integrations.models import CallRollup, Connection, OutboxItem, SyncRun, SyncState
from integrations.services.call_rollups import minute_of
from integrations.sync.registry import connection_resources

HEALTHY, DEGRADED, FAILING, SWITCHED_OFF = "healthy", "degraded", "failing", "switched off"
FAILED_CALL_FIELDS = ("errors_5xx", "errors_429", "errors_timeout", "errors_other")
# How far back a monthly budget reading still counts as the current one.
QUOTA_READING_AGE = timedelta(days=1)


@dataclass(frozen=True)
class Budget:
    """What a provider's rate-limit headers last said about one window."""

    window: str  # "per-minute" or "monthly"
    remaining: int
    limit: int | None

    @property
    def fraction(self) -> float | None:
        return self.remaining / self.limit if self.limit else None


@dataclass(frozen=True)
class ConnectionHealth:
    connection: Connection
    state: str  # HEALTHY, DEGRADED, FAILING or SWITCHED_OFF
    reasons: tuple[str, ...]  # why, worst first; empty when healthy
    calls: int  # in the window
    failed_calls: int
    budgets: tuple[Budget, ...]
    last_sync_at: datetime | None
    next_sync_at: datetime | None  # None: switched off, or nothing to sync
    pending_writes: int
    writes_needing_attention: int

    @property
    def error_rate(self) -> float | None:
        return self.failed_calls / self.calls if self.calls else None

    @property
    def alarming(self) -> bool:
        """Failing, or switched off by the hub (not by an administrator): staff's banner."""
        return self.state == FAILING or (
            self.state == SWITCHED_OFF and bool(self.connection.disabled_reason)
        )

    @property
    def needs_a_look(self) -> bool:
        """Worth an alert at the top of the dashboard."""
        return self.alarming or self.state == DEGRADED


def connections_health(*, now: datetime | None = None) -> list[ConnectionHealth]:
    """Every connection's health, in the connections' order."""
    now = now or timezone.now()
    return [connection_health(c, now=now) for c in Connection.objects.order_by("pk")]


def connection_health(connection: Connection, *, now: datetime | None = None) -> ConnectionHealth:
    now = now or timezone.now()
    window_start = now - timedelta(minutes=settings.CONNECTION_HEALTH_WINDOW_MINUTES)
    rollups = CallRollup.objects.filter(connection=connection)
    sums = rollups.filter(minute__gte=minute_of(window_start)).aggregate(
        calls=Sum("calls"), **{name: Sum(name) for name in FAILED_CALL_FIELDS}
    )
    calls = sums["calls"] or 0
    failed = sum(sums[name] or 0 for name in FAILED_CALL_FIELDS)
    budgets = _budgets(rollups, window_start, now)
    last_sync_at, next_sync_at = _sync_times(connection, now)
    failed_syncs = _failed_syncs(connection)
    writes = OutboxItem.objects.filter(connection=connection).aggregate(
        pending=Count(
            "pk", filter=Q(status__in=[OutboxItem.Status.PENDING, OutboxItem.Status.SENDING])
        ),
        attention=Count("pk", filter=Q(status=OutboxItem.Status.NEEDS_ATTENTION)),
    )

    failing: list[str] = []
    degraded: list[str] = []
    if not connection.is_active:
        state = SWITCHED_OFF
        reasons = [connection.disabled_reason or "Switched off by an administrator."]
    else:
        rate = failed / calls if calls >= settings.CONNECTION_HEALTH_MIN_CALLS else None
        minutes = settings.CONNECTION_HEALTH_WINDOW_MINUTES
        said = f"{failed} of {calls} calls failed in the last {minutes} minutes"
        if rate is not None and rate >= settings.CONNECTION_HEALTH_FAILING_ERROR_RATE:
            failing.append(said + ".")
        elif rate is not None and rate >= settings.CONNECTION_HEALTH_DEGRADED_ERROR_RATE:
            degraded.append(said + ".")
        for budget in budgets:
            fraction = budget.fraction
            if fraction is not None and fraction < settings.CONNECTION_HEALTH_BUDGET_FRACTION:
                failing.append(
                    f"{connection.provider_display}'s {budget.window} budget is nearly spent: "
                    f"{budget.remaining:,} of {budget.limit:,} calls left."
                )
        degraded += [f"The last sync of {name} failed." for name in failed_syncs]
        if writes["attention"]:
            n = writes["attention"]
            degraded.append(
                f"{n} write{'s' if n != 1 else ''} need{'' if n != 1 else 's'} attention."
            )
        state = FAILING if failing else DEGRADED if degraded else HEALTHY
        reasons = failing + degraded
    return ConnectionHealth(
        connection=connection,
        state=state,
        reasons=tuple(reasons),
        calls=calls,
        failed_calls=failed,
        budgets=budgets,
        last_sync_at=last_sync_at,
        next_sync_at=next_sync_at if connection.is_active else None,
        pending_writes=writes["pending"],
        writes_needing_attention=writes["attention"],
    )


def _budgets(rollups, window_start: datetime, now: datetime) -> tuple[Budget, ...]:
    """The newest reading of each window: per-minute within the health window, monthly
    within a day."""
    found = []
    for window, remaining, limit, since in (
        ("per-minute", "rate_remaining_min", "rate_limit", window_start),
        ("monthly", "quota_remaining_min", "quota_limit", now - QUOTA_READING_AGE),
    ):
        row = (
            rollups.filter(minute__gte=minute_of(since))
            .exclude(**{f"{remaining}__isnull": True})
            .order_by("-minute")
            .values_list(remaining, limit)
            .first()
        )
        if row is not None:
            found.append(Budget(window, row[0], row[1]))
    return tuple(found)


def _sync_times(connection: Connection, now: datetime) -> tuple[datetime | None, datetime | None]:
    """The last successful sync of any resource, and when the scheduler next syncs one
    (`syncs_due`'s rule: the interval after the last success; now if never synced)."""
    keys = [r.key for r in connection_resources(connection)]
    if not keys:
        return None, None
    done = dict(
        SyncState.objects.filter(connection=connection, resource__in=keys).values_list(
            "resource", "last_success_at"
        )
    )
    interval = timedelta(minutes=connection.sync_interval_minutes or settings.SYNC_INTERVAL_MINUTES)
    successes = [done.get(key) for key in keys]
    last = max((s for s in successes if s), default=None)
    upcoming = min((s + interval if s else now) for s in successes)
    return last, max(upcoming, now)


def _failed_syncs(connection: Connection) -> list[str]:
    """The resources whose latest run failed (one indexed query per resource)."""
    failed = []
    for resource in connection_resources(connection):
        latest = (
            SyncRun.objects.filter(connection=connection, resource=resource.key)
            .order_by("-created_at")
            .values_list("status", flat=True)
            .first()
        )
        if latest == SyncRun.Status.FAILED:
            failed.append(resource.label)
    return failed
