from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Projects"

    def ready(self) -> None:
        # Imported here, not at the top: apps.py loads before the app registry is
        # ready, and these modules import models.
        from integrations.outbox.registry import register_operations
        from integrations.sync.registry import register_resources
        from projects import outbox, sync

        register_resources(*sync.RESOURCES)
        register_operations(*outbox.OPERATIONS)
