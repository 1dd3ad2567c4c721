from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Projects"

    def ready(self) -> None:
        from core.resources import register
        from projects.views import PROJECT_PAGES

        register(PROJECT_PAGES)
