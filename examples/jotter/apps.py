from django.apps import AppConfig


class JotterConfig(AppConfig):
    name = "examples.jotter"
    label = "jotter"
    verbose_name = "Jotter (example)"

    def ready(self) -> None:
        # Imported here, not at the top: apps.py loads before the app registry is
        # ready, and these modules import models.
        from core.resources import register
        from examples.jotter import outbox, sync
        from examples.jotter.views import NOTE_PAGES
        from integrations.outbox.registry import register_operations
        from integrations.sync.registry import register_resources

        register_resources(*sync.RESOURCES)
        register_operations(*outbox.OPERATIONS)
        register(NOTE_PAGES)
