from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = "Affinity (CRM)"

    def ready(self) -> None:
        from core.resources import register
        from crm.views import ORGANIZATION_PAGES, PERSON_PAGES

        register(ORGANIZATION_PAGES, PERSON_PAGES)
