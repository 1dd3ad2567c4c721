"""The hub's own background work that belongs to no provider (integrations/tasks.py has
the syncs and deliveries), run by the same `manage.py db_worker`."""

from __future__ import annotations

from django_tasks import task

from core.export import export_write


@task()
def list_export_task(export_id: str) -> str:
    """Write a list export too large for a request (core.export.export_request)."""
    return export_write(export_id)
