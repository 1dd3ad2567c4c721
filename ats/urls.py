from django.urls import path

from ats.views import CANDIDATE_PAGES, OFFER_PAGES, candidate_note_add

app_name = "ats"

urlpatterns = [
    *CANDIDATE_PAGES.urls(),
    path(
        "candidates/<int:pk>/notes/",
        candidate_note_add,
        {"resource": CANDIDATE_PAGES},
        name="candidate_note_add",
    ),
    *OFFER_PAGES.urls(),
]
