"""Values every template needs: the hub's version, whether sandbox data is shown, and
(for staff) the connections that are failing."""

from django.conf import settings
from django.http import HttpRequest

from core.selectors import failing_connections, sandbox_in_use


def hub(request: HttpRequest) -> dict[str, object]:
    signed_in = getattr(request, "user", None) is not None and request.user.is_authenticated
    return {
        "hub_version": settings.HUB_VERSION,
        "sandbox_in_use": signed_in and sandbox_in_use(),
        "failing_connections": failing_connections() if signed_in and request.user.is_staff else [],
    }
