from django.apps import AppConfig


class AtsConfig(AppConfig):
    name = "ats"
    verbose_name = "Recruitee (ATS)"

    def ready(self) -> None:
        from ats.views import CANDIDATE_PAGES, OFFER_PAGES
        from core.resources import register

        register(CANDIDATE_PAGES, OFFER_PAGES)
