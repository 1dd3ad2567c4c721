"""The dashboard, the health check and /favicon.ico."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST, require_safe

from core.health import health_report
from core.redirects import redirect_back
from core.resources import for_model
from core.selectors import (
    connections_health_for,
    dashboard_providers,
    duplicates_open,
    outbox_needing_attention,
    outbox_refused_later,
)
from integrations.models import DuplicateFlag
from integrations.outbox.duplicates import duplicate_flag_dismiss


@login_not_required
@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers and tools ask for /favicon.ico whatever the page links: the SVG icon
    `base.html` links (its hashed name, so it is cached for good)."""
    return redirect(static("img/favicon.svg"), permanent=True)


def dashboard(request: HttpRequest) -> HttpResponse:
    duplicates, duplicates_count = duplicates_open(request.user)
    health = connections_health_for(request.user)
    context = {
        "providers": dashboard_providers(request.user),
        "connections_health": health,
        "connection_alerts": [h for h in health if h.needs_a_look],
        "health_window_minutes": settings.CONNECTION_HEALTH_WINDOW_MINUTES,
        "stuck_writes": outbox_needing_attention(request.user),
        "refused_writes": outbox_refused_later(request.user),
        "duplicates": duplicates,
        "duplicates_count": duplicates_count,
    }
    return render(request, "core/dashboard.html", context)


@require_POST
def duplicate_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    """A person says the copies are not duplicates: the flag stays quiet until a new copy."""
    flag = get_object_or_404(DuplicateFlag, pk=pk)
    resource = for_model(flag.record_type)
    if resource is None or not resource.allows(request.user, "change"):
        raise PermissionDenied("You may not change these records.")
    duplicate_flag_dismiss(flag=flag, user=request.user)
    messages.success(request, f"Marked the records with {flag.identity_label} as not duplicates.")
    return redirect_back(request, request.POST.get("next"), "core:dashboard")


@login_not_required
@never_cache
@require_safe  # GET, and HEAD for checkers that send it (HAProxy's httpchk)
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when this process can render pages; 503 naming what stops it (core/health.py)."""
    checks = health_report()
    healthy = all(result == "ok" for result in checks.values())
    body = {"status": "ok" if healthy else "unavailable", **checks}
    return JsonResponse(body, status=200 if healthy else 503)
