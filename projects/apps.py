from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Projects"

    def ready(self) -> None:
        # Imported here, not at the top: apps.py loads before the app registry is
        # ready, and these modules import models.
        from core.resources import register
        from integrations.outbox.registry import register_operations
        from integrations.sync.registry import register_resources
        from projects import outbox, sync
        from projects.views import PROJECT_PAGES

        register_resources(*sync.RESOURCES)
        register_operations(*outbox.OPERATIONS)
        register(PROJECT_PAGES)
