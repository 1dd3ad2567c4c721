from django.apps import AppConfig


class AtsConfig(AppConfig):
    name = "ats"
    verbose_name = "Recruitee (ATS)"
