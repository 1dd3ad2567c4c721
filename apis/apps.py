from django.apps import AppConfig


class ApisConfig(AppConfig):
    name = "apis"
    verbose_name = "APIs connected from their OpenAPI document"

    def ready(self) -> None:
        # Imported here, not at the top: apps.py loads before the app registry is ready.
        from apis import outbox
        from integrations.outbox.registry import register_operations

        register_operations(*outbox.OPERATIONS)
