from django.apps import AppConfig
from django.core.signals import request_finished
from django_tasks.signals import task_finished

from integrations.http import call_log


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        # Imported here, not at the top: apps.py loads before the app registry is
        # ready, and these modules import models.
        from integrations import checks  # noqa: F401 - registers the system checks
        from integrations.services.call_log_sink import DatabaseCallLogSink

        call_log.install_sink(DatabaseCallLogSink())
        # Buffered call-log rows are written when a request or a task ends.
        request_finished.connect(call_log.flush, dispatch_uid="integrations.call_log.request")
        task_finished.connect(call_log.flush, dispatch_uid="integrations.call_log.task")
