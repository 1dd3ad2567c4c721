from django.apps import AppConfig
from django.conf import settings


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Hub"

    def ready(self) -> None:
        # Connects the receiver that clears the cached "sandbox in use" flag in every
        # process (a worker saves connections too), not only in those that render pages.
        from core import selectors  # noqa: F401

        if settings.OTEL_ENABLED:
            from core.tracing import tracing_setup

            tracing_setup()
