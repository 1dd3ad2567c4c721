"""The rules for a secret in a URL. Secret-looking query values are masked by the call
log's rule (integrations/http/redaction.py). And the token segment of a webhook receiver's path
(`/webhooks/<provider>/<token>/`; for Affinity, which signs nothing, it is the only check
on a delivery) is masked wherever the hub writes a path: its request log
(core/middleware.py), its traces (core/tracing.py), Django's own lines about a request,
and gunicorn's access log (core/access_log.py).

The rule goes by the path's shape, not by what the URL resolved to, so every form of it
is masked: without the trailing slash (APPEND_SLASH's redirect), with more after it, or a
404 for a wrong token (a mistyped real one). It is the rule of the nginx `map` in
docs/deploy.md. Nothing here imports models: logging is set up before them."""

import logging
import re

from integrations.http.redaction import redact_query

MASK = "********"
# The segment after /webhooks/<provider>/, up to the next /, ?, #, space or quote.
_RECEIVER_TOKEN = re.compile(r"(/webhooks/[^/?#\s\"]+/)[^/?#\s\"]+")
# A URL's query, up to a fragment, a space or a quote.
_QUERY = re.compile(r"\?([^#\s\"]*)")


def masked(text: str) -> str:
    """`text` (a path, a URL, a request line) with any receiver token and the value of
    any secret-looking query parameter masked."""
    text = _QUERY.sub(lambda match: f"?{redact_query(match.group(1))}", text)
    return _RECEIVER_TOKEN.sub(rf"\g<1>{MASK}", text)


class MaskedRequestPath(logging.Filter):
    """On `django.request`, whose lines name the path ("Service Unavailable: <path>")."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(masked(a) if isinstance(a, str) else a for a in record.args)
        return True
