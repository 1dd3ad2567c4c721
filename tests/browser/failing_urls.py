"""The app's URLs and one that fails, for the server error page's test."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from config.urls import urlpatterns as app_urlpatterns


@login_not_required
def fail(request):
    raise RuntimeError("a bug, for the test")


urlpatterns = [path("fail/", fail), *app_urlpatterns]
