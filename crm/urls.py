from django.urls import path

from crm import views

app_name = "crm"

urlpatterns = [
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/new/", views.organization_create, name="organization_create"),
    path("organizations/search/", views.organization_search, name="organization_search"),
    path("organizations/choices/", views.organization_choices, name="organization_choices"),
    path(
        "organizations/affinity/<int:remote_id>/",
        views.organization_remote,
        name="organization_remote",
    ),
    path("organizations/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("organizations/<int:pk>/edit/", views.organization_update, name="organization_update"),
    path("organizations/<int:pk>/delete/", views.organization_delete, name="organization_delete"),
    path("persons/", views.person_list, name="person_list"),
    path("persons/new/", views.person_create, name="person_create"),
    path("persons/choices/", views.person_choices, name="person_choices"),
    path("persons/<int:pk>/", views.person_detail, name="person_detail"),
    path("persons/<int:pk>/edit/", views.person_update, name="person_update"),
]
