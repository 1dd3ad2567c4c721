from django.urls import path

from integrations.webhooks import views

urlpatterns = [
    path(
        "webhooks/<str:provider>/<str:token>/", views.webhook_receive_view, name="webhook_receive"
    ),
    path(
        "changes/<int:connection_id>/<str:resource_key>/",
        views.changes_stamp_view,
        name="changes_stamp",
    ),
]
