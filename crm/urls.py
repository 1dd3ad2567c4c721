from django.urls import path

from crm import views
from crm.views import ORGANIZATION_PAGES, PERSON_PAGES

app_name = "crm"

organizations = {"resource": ORGANIZATION_PAGES}
persons = {"resource": PERSON_PAGES}

urlpatterns = [
    path(
        "organizations/search/",
        views.organization_search,
        organizations,
        name="organization_search",
    ),
    path(
        "organizations/choices/",
        views.organization_choices,
        organizations,
        name="organization_choices",
    ),
    path(
        "organizations/affinity/<int:remote_id>/",
        views.organization_remote,
        organizations,
        name="organization_remote",
    ),
    path("persons/choices/", views.person_choices, persons, name="person_choices"),
    *ORGANIZATION_PAGES.urls(),
    *PERSON_PAGES.urls(),
]
