"""The dashboard and the health check."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.health import health_report
from core.selectors import dashboard_providers, outbox_needing_attention


def dashboard(request: HttpRequest) -> HttpResponse:
    context = {"providers": dashboard_providers(), "stuck_writes": outbox_needing_attention()}
    return render(request, "core/dashboard.html", context)


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when this process can render pages; 503 naming what stops it (core/health.py)."""
    checks = health_report()
    healthy = all(result == "ok" for result in checks.values())
    body = {"status": "ok" if healthy else "unavailable", **checks}
    return JsonResponse(body, status=200 if healthy else 503)
