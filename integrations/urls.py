from django.urls import include, path

from integrations import views

app_name = "integrations"

urlpatterns = [
    path("sync/<int:connection_id>/<str:resource_key>/start/", views.sync_start, name="sync_start"),
    path("sync/runs/<int:pk>/", views.sync_run, name="sync_run"),
    path("sync/runs/<int:pk>/panel/", views.sync_run_panel, name="sync_run_panel"),
    path(
        "sync/<int:connection_id>/<str:resource_key>/history/",
        views.sync_history,
        name="sync_history",
    ),
    path("outbox/", views.outbox_list, name="outbox"),
    path("outbox/<int:pk>/retry/", views.outbox_retry_view, name="outbox_retry"),
    path("outbox/<int:pk>/send-again/", views.outbox_send_again_view, name="outbox_send_again"),
    path("outbox/<int:pk>/dismiss/", views.outbox_dismiss_view, name="outbox_dismiss"),
    path("", include("integrations.webhooks.urls")),
    path("connections/<int:pk>/health/", views.connection_health_page, name="connection_health"),
    path("metrics", views.metrics, name="metrics"),
    path("calls/", views.call_log_list, name="call_log"),
    path("calls/<int:pk>/", views.call_log_detail, name="call_detail"),
]
