from django.urls import path

from projects import views
from projects.views import PROJECT_PAGES

app_name = "projects"

# The import's own views take the description too (connection_required reads it).
IMPORT = {"resource": PROJECT_PAGES}

urlpatterns = [
    *PROJECT_PAGES.urls(),
    path("projects/import/", views.project_import, IMPORT, name="project_import"),
    path(
        "projects/import/example.csv",
        views.project_import_example,
        IMPORT,
        name="project_import_example",
    ),
    path(
        "projects/import/<uuid:token>/",
        views.project_import_detail,
        IMPORT,
        name="project_import_detail",
    ),
    path(
        "projects/import/<uuid:token>/submit/",
        views.project_import_submit,
        IMPORT,
        name="project_import_submit",
    ),
    path(
        "projects/import/<uuid:token>/progress/",
        views.project_import_progress,
        IMPORT,
        name="project_import_progress",
    ),
]
