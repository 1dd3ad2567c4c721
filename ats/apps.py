from django.apps import AppConfig


class AtsConfig(AppConfig):
    name = "ats"
    verbose_name = "Recruitee (ATS)"

    def ready(self) -> None:
        # Imported here, not at the top: apps.py loads before the app registry is
        # ready, and these modules import models.
        from ats import outbox, sync
        from ats.views import CANDIDATE_PAGES, OFFER_PAGES
        from core.resources import register
        from integrations.outbox.registry import register_operations
        from integrations.sync.registry import register_resources

        register_resources(*sync.RESOURCES)
        register_operations(*outbox.OPERATIONS)
        register(CANDIDATE_PAGES, OFFER_PAGES)
