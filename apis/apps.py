from django.apps import AppConfig


class ApisConfig(AppConfig):
    name = "apis"
    verbose_name = "APIs connected from their OpenAPI document"

    def ready(self) -> None:
        # Imported here, not at the top: apps.py loads before the app registry is ready.
        from apis import outbox, sync
        from apis.pages import ApiResourcePages
        from core.resources import register_generated
        from integrations.outbox.registry import register_operations
        from integrations.sync.registry import register_family

        register_operations(*outbox.OPERATIONS)
        register_family(sync.FAMILY)
        register_generated("openapi", ApiResourcePages)
