from django.urls import path

from projects import views

app_name = "projects"

urlpatterns = [
    path("projects/", views.project_list, name="project_list"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/import/", views.project_import, name="project_import"),
    path(
        "projects/import/example.csv", views.project_import_example, name="project_import_example"
    ),
    path(
        "projects/import/<uuid:token>/", views.project_import_detail, name="project_import_detail"
    ),
    path(
        "projects/import/<uuid:token>/submit/",
        views.project_import_submit,
        name="project_import_submit",
    ),
    path(
        "projects/import/<uuid:token>/progress/",
        views.project_import_progress,
        name="project_import_progress",
    ),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
]
