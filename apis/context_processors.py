"""The navbar's "APIs" menu: the active connections made from an OpenAPI document."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from apis.pages import ApiResourcePages
from integrations.models import Connection


def connected_apis(request: HttpRequest) -> dict[str, Any]:
    """One query, for users who may see the APIs' records (names only: no document is read)."""
    user = getattr(request, "user", None)
    if user is None or not ApiResourcePages.allows(user, "view"):
        return {}
    index = reverse("apis:index")
    rows = Connection.objects.filter(provider="openapi", is_active=True).order_by("name")
    names = rows.values_list("name", flat=True)
    apis = [{"label": name, "url": f"{index}#api-{name}"} for name in names]
    return {"connected_apis": apis}
