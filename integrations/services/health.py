"""Each connection's health: healthy, degraded, failing or switched off, and why.

Read from the per-minute call rollups (never the raw call log), the sync state and
runs, and the outbox. The rules, with their settings:

- **switched off**: the connection is not active (`disabled_reason` says why when
  the hub switched it off after failed logins).
- **failing**: a stored secret cannot be decrypted (`Connection.secrets_problem`, and
  its webhook endpoint's `secrets_problem`: the receiver answers its deliveries 503,
  which Affinity retries for 10 hours and Asana for 24 before they stop sending); or
  over the last `CONNECTION_HEALTH_WINDOW_MINUTES` (5) the share of
  failed calls is at least `CONNECTION_HEALTH_FAILING_ERROR_RATE` (0.5), counted
  once the window holds `CONNECTION_HEALTH_MIN_CALLS` (5) calls; or a rate-limit
  budget the provider reports (Affinity's per-minute and monthly windows) has less
  than `CONNECTION_HEALTH_BUDGET_FRACTION` (0.1) left.
- **degraded**: the failed share is at least `CONNECTION_HEALTH_DEGRADED_ERROR_RATE`
  (0.1), the latest sync of a resource failed or could not check some records it did
  not list (`SyncRun.unverified_count`), writes need attention, or webhook events
  received in the last 24 hours failed to apply.
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
from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum
from django.utils import timezone

from integrations.models import (
    CallRollup,
    Connection,
    OutboxItem,
    SyncRun,
    SyncState,
    WebhookDelivery,
)
from integrations.services.call_rollups import minute_of
from integrations.sync.registry import connection_resources

HEALTHY, DEGRADED, FAILING, SWITCHED_OFF = "healthy", "degraded", "failing", "switched off"
FAILED_CALL_FIELDS = ("errors_5xx", "errors_429", "errors_timeout", "errors_other")
# Each budget window: its name, the rollup's remaining and limit columns, and how far
# back a reading still counts (None: the health window; a monthly one, a day).
BUDGET_WINDOWS = (
    ("per-minute", "rate_remaining_min", "rate_limit", None),
    ("monthly", "quota_remaining_min", "quota_limit", timedelta(days=1)),
)
WEBHOOK_EVENTS_WINDOW = timedelta(hours=24)
# A resource's last success, its latest run's status and that run's `unverified_count`.
SyncStateRow = tuple[datetime | None, str | None, int]
NO_SYNC: SyncStateRow = (None, None, 0)


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
class WebhookEvents:
    """The connection's webhook deliveries received in the last 24 hours, and how many
    of them were applied or failed (the rest wait or are being applied)."""

    received: int
    applied: int
    failed: int


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
    webhook_events: WebhookEvents

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


def connections_health(
    connections: QuerySet[Connection] | None = None, *, now: datetime | None = None
) -> list[ConnectionHealth]:
    """The health of `connections` (every one by default), in their pk order.

    Five queries whatever the number of connections: the connections with their newest
    budget readings, the window's call sums, the sync states with each resource's
    latest run, the outbox counts and the webhook deliveries of the last 24 hours; plus
    one for each OpenAPI connection, whose synced resources are the ones an administrator
    switched on (`connection_resources`, `apis.sync.enabled_keys`).
    """
    now = now or timezone.now()
    window_start = now - timedelta(minutes=settings.CONNECTION_HEALTH_WINDOW_MINUTES)
    chosen = list(
        _with_budgets(
            connections if connections is not None else Connection.objects.all(), window_start, now
        )
        .select_related("webhook_endpoint")
        .order_by("pk")
    )
    ids = [c.pk for c in chosen]
    calls = {
        row.pop("connection"): row
        for row in CallRollup.objects.filter(
            connection__in=ids, minute__gte=minute_of(window_start)
        )
        .values("connection")
        .annotate(calls=Sum("calls"), **{name: Sum(name) for name in FAILED_CALL_FIELDS})
        .order_by()
    }
    syncs = _sync_states(ids)
    writes = _counts(
        OutboxItem.objects.filter(connection__in=ids, status__in=OutboxItem.OPEN_STATUSES), "status"
    )
    webhooks = _counts(
        WebhookDelivery.objects.filter(
            connection__in=ids, received_at__gte=now - WEBHOOK_EVENTS_WINDOW
        ),
        "state",
    )
    return [
        _health(
            c,
            now=now,
            calls=calls.get(c.pk, {}),
            syncs=syncs.get(c.pk, {}),
            writes=writes.get(c.pk, {}),
            webhooks=webhooks.get(c.pk, {}),
        )
        for c in chosen
    ]


def connection_health(connection: Connection, *, now: datetime | None = None) -> ConnectionHealth:
    (health,) = connections_health(Connection.objects.filter(pk=connection.pk), now=now)
    return health


def _health(
    connection: Connection,
    *,
    now: datetime,
    calls: dict[str, int | None],
    syncs: dict[str, SyncStateRow],
    writes: dict[str, int],
    webhooks: dict[str, int],
) -> ConnectionHealth:
    """One connection's state and reasons from what `connections_health` read."""
    total = calls.get("calls") or 0
    failed = sum(calls.get(name) or 0 for name in FAILED_CALL_FIELDS)
    budgets = _budgets(connection)
    last_sync_at, next_sync_at, failed_syncs, unchecked = _sync_summary(connection, syncs, now)
    pending = writes.get(OutboxItem.Status.PENDING, 0) + writes.get(OutboxItem.Status.SENDING, 0)
    attention = writes.get(OutboxItem.Status.NEEDS_ATTENTION, 0)
    events = WebhookEvents(
        received=sum(webhooks.values()),
        applied=webhooks.get(WebhookDelivery.State.APPLIED, 0),
        failed=webhooks.get(WebhookDelivery.State.FAILED, 0),
    )

    failing: list[str] = []
    degraded: list[str] = []
    if not connection.is_active:
        state = SWITCHED_OFF
        reasons = [connection.disabled_reason or "Switched off by an administrator."]
    else:
        if connection.secrets_problem:
            failing.append(connection.secrets_problem)
        endpoint = getattr(connection, "webhook_endpoint", None)  # None: it has none
        if endpoint is not None and endpoint.secrets_problem:
            failing.append(endpoint.secrets_problem)
        rate = failed / total if total >= settings.CONNECTION_HEALTH_MIN_CALLS else None
        minutes = settings.CONNECTION_HEALTH_WINDOW_MINUTES
        said = f"{failed} of {total} calls failed in the last {minutes} minutes"
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
        degraded += [
            f"The last sync of {name} could not check {n} record{'s' if n != 1 else ''} it did "
            f"not list (kept as {'it was' if n == 1 else 'they were'})."
            for name, n in unchecked
        ]
        if attention:
            degraded.append(
                f"{attention} write{'s' if attention != 1 else ''} "
                f"need{'' if attention != 1 else 's'} attention."
            )
        if events.failed:
            n = events.failed
            degraded.append(
                f"{n} webhook event{'s' if n != 1 else ''} could not be applied in the last "
                "24 hours (the next sync catches up)."
            )
        state = FAILING if failing else DEGRADED if degraded else HEALTHY
        reasons = failing + degraded
    return ConnectionHealth(
        connection=connection,
        state=state,
        reasons=tuple(reasons),
        calls=total,
        failed_calls=failed,
        budgets=budgets,
        last_sync_at=last_sync_at,
        next_sync_at=next_sync_at if connection.is_active else None,
        pending_writes=pending,
        writes_needing_attention=attention,
        webhook_events=events,
    )


def _with_budgets(
    connections: QuerySet[Connection], window_start: datetime, now: datetime
) -> QuerySet[Connection]:
    """The connections with each window's newest reading (remaining and limit of one
    row): per-minute within the health window, monthly within a day."""
    annotations = {}
    for window, remaining, limit, since in BUDGET_WINDOWS:
        newest = CallRollup.objects.filter(
            connection=OuterRef("pk"),
            minute__gte=minute_of(window_start if since is None else now - since),
            **{f"{remaining}__isnull": False},
        ).order_by("-minute")
        annotations[f"budget_{window}_remaining"] = Subquery(newest.values(remaining)[:1])
        annotations[f"budget_{window}_limit"] = Subquery(newest.values(limit)[:1])
    return connections.annotate(**annotations)


def _budgets(connection: Connection) -> tuple[Budget, ...]:
    found = []
    for window, _remaining, _limit, _since in BUDGET_WINDOWS:
        remaining = getattr(connection, f"budget_{window}_remaining")
        if remaining is not None:
            found.append(Budget(window, remaining, getattr(connection, f"budget_{window}_limit")))
    return tuple(found)


def _counts(rows: QuerySet, field: str) -> dict[int, dict[str, int]]:
    """Rows counted by connection and `field`."""
    counts: dict[int, dict[str, int]] = {}
    for connection_id, value, n in (
        rows.values_list("connection", field).annotate(n=Count("pk")).order_by()
    ):
        counts.setdefault(connection_id, {})[value] = n
    return counts


def _sync_states(ids: list[int]) -> dict[int, dict[str, SyncStateRow]]:
    """Each connection's resources: the last success, the latest run's status and the
    unlisted records it could not check. (The engine makes a resource's state before its
    first run, so every run has one.)"""
    latest = SyncRun.objects.filter(
        connection=OuterRef("connection"), resource=OuterRef("resource")
    ).order_by("-created_at")
    states: dict[int, dict[str, SyncStateRow]] = {}
    for connection_id, resource, success, status, unverified in (
        SyncState.objects.filter(connection__in=ids)
        .annotate(
            latest=Subquery(latest.values("status")[:1]),
            unverified=Subquery(latest.values("unverified_count")[:1]),
        )
        .values_list("connection", "resource", "last_success_at", "latest", "unverified")
    ):
        states.setdefault(connection_id, {})[resource] = (success, status, unverified or 0)
    return states


def _sync_summary(
    connection: Connection, states: dict[str, SyncStateRow], now: datetime
) -> tuple[datetime | None, datetime | None, list[str], list[tuple[str, int]]]:
    """The last successful sync of any resource, when the scheduler next syncs one
    (`syncs_due`'s rule: the interval after the last success; now if never synced), the
    resources whose latest run failed, and those whose latest run could not check some
    unlisted records (with how many)."""
    synced = connection_resources(connection)
    if not synced:
        return None, None, [], []
    successes = [states.get(r.key, NO_SYNC)[0] for r in synced]
    interval = timedelta(minutes=connection.sync_interval_minutes or settings.SYNC_INTERVAL_MINUTES)
    last = max((s for s in successes if s), default=None)
    upcoming = min((s + interval if s else now) for s in successes)
    failed = [r.label for r in synced if states.get(r.key, NO_SYNC)[1] == SyncRun.Status.FAILED]
    unchecked = [(r.label, n) for r in synced if (n := states.get(r.key, NO_SYNC)[2])]
    return last, max(upcoming, now), failed, unchecked
