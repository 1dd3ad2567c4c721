"""Values every template needs: the hub's version and whether sandbox data is shown."""

from django.conf import settings
from django.http import HttpRequest

from core.selectors import sandbox_in_use


def hub(request: HttpRequest) -> dict[str, object]:
    signed_in = getattr(request, "user", None) is not None and request.user.is_authenticated
    return {
        "hub_version": settings.HUB_VERSION,
        "sandbox_in_use": signed_in and sandbox_in_use(),
    }
