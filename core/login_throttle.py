"""What django-axes needs from the hub: the client's address and the lockout page.

Axes counts failed logins (settings: `AXES_*`, from LOGIN_FAILURE_LIMIT and
LOGIN_LOCKOUT_MINUTES) per username and per address, on every login that goes
through `django.contrib.auth.authenticate`: the app's and the admin's.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def client_ip_address(request: HttpRequest) -> str:
    """The address a login attempt comes from.

    Behind the TLS proxy (DJANGO_BEHIND_TLS_PROXY) it is the last X-Forwarded-For
    entry, the one the proxy appended: entries before it are whatever the client
    sent. Otherwise it is REMOTE_ADDR, so a client setting the header itself never
    escapes the per-address limit.
    """
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
        try:
            return str(ipaddress.ip_address(forwarded))
        except ValueError:
            pass  # no usable header: the proxy's own address stands for the client
    return request.META.get("REMOTE_ADDR", "")


def locked_out_response(
    request: HttpRequest, response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """A page in the app's layout saying when logging in works again (429)."""
    cool_off = settings.AXES_COOLOFF_TIME
    context = {
        "minutes": int(cool_off.total_seconds() // 60),
        "until": timezone.localtime(timezone.now() + cool_off),
        "login_url": request.path,
    }
    return render(request, "registration/locked_out.html", context, status=429)
