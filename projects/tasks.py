"""Background work of the projects app (django-tasks)."""

from __future__ import annotations

from django_tasks import default_task_backend, task

from projects.import_delivery import import_batch_send


@task()
def project_import_send_task(batch_id: int) -> str:
    """Send an import's rows; when the provider asks to wait, run again then."""
    retry_at = import_batch_send(batch_id)
    if retry_at is None:
        return "sent"
    if default_task_backend.supports_defer:
        project_import_send_task.using(run_after=retry_at).enqueue(batch_id=batch_id)
        return f"waiting until {retry_at.isoformat()}"
    return "waiting for the scheduler"  # due rows are also delivered by the scheduler
