"""Going back to where a person came from, only ever to a page of the hub."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def redirect_back(request: HttpRequest, back: str | None, fallback: str) -> HttpResponseRedirect:
    """A redirect to `back` (a `next` field, the Referer) if it is a URL of this host,
    else to `fallback` (a URL name): input never sends anyone to another site."""
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect(fallback)
