from ats.views import CANDIDATE_PAGES, OFFER_PAGES

app_name = "ats"

urlpatterns = [*CANDIDATE_PAGES.urls(), *OFFER_PAGES.urls()]
