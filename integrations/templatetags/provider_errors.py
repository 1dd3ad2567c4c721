"""`{{ run|sync_error_for:request.user }}`, `{{ item|outbox_error_for:request.user }}`.

Every template that shows why a provider call failed goes through these, so
non-staff users read a plain sentence and a reference (`integrations.shown_errors`).
"""

from __future__ import annotations

from typing import Any

from django import template

from integrations.models import OutboxItem, SyncRun
from integrations.shown_errors import outbox_error, sync_run_error

register = template.Library()


@register.filter
def sync_error_for(run: SyncRun, user: Any) -> str:
    return sync_run_error(run).for_user(user)


@register.filter
def outbox_error_for(item: OutboxItem, user: Any) -> str:
    return outbox_error(item).for_user(user)
