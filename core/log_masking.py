"""The one rule for a secret in a URL: a URL argument named `token` (the webhook
receivers': for Affinity, which signs nothing, it is the only check on a delivery) is
masked wherever the hub writes a path: its request log (core/middleware.py), its traces
(core/tracing.py), Django's own lines about a request, and gunicorn's access log
(core/access_log.py). Nothing here imports models: logging is set up before them."""

import logging

from django.urls import ResolverMatch

MASK = "********"


def masked(text: str, match: ResolverMatch | None) -> str:
    """`text` with the `token` URL argument of `match` (a string), if any, masked."""
    token = match.kwargs.get("token") if match else None
    return text.replace(token, MASK) if isinstance(token, str) and token else text


class MaskedRequestPath(logging.Filter):
    """On `django.request`, whose lines name the path ("Service Unavailable: <path>")."""

    def filter(self, record: logging.LogRecord) -> bool:
        match = getattr(getattr(record, "request", None), "resolver_match", None)
        if match is not None and isinstance(record.args, tuple):
            record.args = tuple(masked(a, match) if isinstance(a, str) else a for a in record.args)
        return True
