"""The integrations app's models, one module per concern, re-exported here."""

from integrations.models.audit import AuditEntry
from integrations.models.call_log import CallLog
from integrations.models.call_rollup import CallRollup, CallRollupHour
from integrations.models.call_totals import CallTotals
from integrations.models.connection import Connection
from integrations.models.duplicates import DuplicateFlag
from integrations.models.health_alert import HealthAlert
from integrations.models.openapi import OpenApiSource
from integrations.models.outbox import OutboxItem
from integrations.models.synced import SyncRun, SyncState
from integrations.models.webhooks import WebhookApplyQueue, WebhookDelivery, WebhookEndpoint

__all__ = [
    "AuditEntry",
    "CallLog",
    "CallRollup",
    "CallRollupHour",
    "CallTotals",
    "Connection",
    "DuplicateFlag",
    "HealthAlert",
    "OpenApiSource",
    "OutboxItem",
    "SyncRun",
    "SyncState",
    "WebhookApplyQueue",
    "WebhookDelivery",
    "WebhookEndpoint",
]
