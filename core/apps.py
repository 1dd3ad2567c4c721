from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Hub"

    def ready(self) -> None:
        # Connects the receiver that clears the cached "sandbox in use" flag in every
        # process (a worker saves connections too), not only in those that render pages.
        from core import selectors  # noqa: F401
