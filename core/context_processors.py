"""Values every template needs: the hub's version."""

from django.conf import settings
from django.http import HttpRequest


def hub(request: HttpRequest) -> dict[str, object]:
    return {"hub_version": settings.HUB_VERSION}
