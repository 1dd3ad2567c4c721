from examples.jotter.views import NOTE_PAGES

app_name = "jotter"

urlpatterns = NOTE_PAGES.urls()
