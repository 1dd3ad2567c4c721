from django.urls import path

from core import views

app_name = "core"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path(
        "duplicates/<int:pk>/not-a-duplicate/",
        views.duplicate_dismiss,
        name="duplicate_dismiss",
    ),
]
