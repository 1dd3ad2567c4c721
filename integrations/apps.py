from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        from django.core.signals import request_finished
        from django_tasks.signals import task_finished

        from integrations import checks  # noqa: F401 - registers the system checks
        from integrations.http import call_log

        # Buffered call-log rows are written when a request or a task ends.
        request_finished.connect(call_log.flush, dispatch_uid="integrations.call_log.request")
        task_finished.connect(call_log.flush, dispatch_uid="integrations.call_log.task")
