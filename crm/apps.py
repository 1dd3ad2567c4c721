from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = "Affinity (CRM)"

    def ready(self) -> None:
        # Imported here, not at the top: apps.py loads before the app registry is
        # ready, and these modules import models.
        from core.resources import register
        from crm import outbox, sync
        from crm.views import ORGANIZATION_PAGES, PERSON_PAGES
        from integrations.outbox.registry import register_operations
        from integrations.sync.registry import register_resources

        register_resources(*sync.RESOURCES)
        register_operations(*outbox.OPERATIONS)
        register(ORGANIZATION_PAGES, PERSON_PAGES)
