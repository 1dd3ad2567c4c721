"""/apis/ (the connected APIs) and each resource's generated pages under
/apis/<connection>/<resource>/."""

from django.urls import path

from apis import views

app_name = "apis"

_RESOURCE = "<str:connection>/<str:resource>"
_RECORD = f"{_RESOURCE}/<str:record_id>"

urlpatterns = [
    path("apis/", views.api_index, name="index"),
    path(f"apis/{_RESOURCE}/", views.resource_list, name="resource_list"),
    path(f"apis/{_RESOURCE}/new/", views.resource_create, name="resource_create"),
    path(f"apis/{_RECORD}/", views.resource_detail, name="resource_detail"),
    path(f"apis/{_RECORD}/edit/", views.resource_edit, name="resource_edit"),
    path(f"apis/{_RECORD}/delete/", views.resource_delete, name="resource_delete"),
]
