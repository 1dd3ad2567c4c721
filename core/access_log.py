"""gunicorn's access log (`--logger-class core.access_log.AccessLog`, docs/deploy.md), with
the secrets a URL carries masked by the rules of core/log_masking.py."""

from datetime import timedelta

from gunicorn.glogging import Logger

from core.log_masking import masked
from integrations.http.redaction import redact_query

# The fields that hold a query alone, without its "?".
_QUERY_ATOMS = frozenset({"q", "{query_string}e"})


class AccessLog(Logger):
    """Masks a receiver's token and secret query values in every field of a line: the
    request line, the path, the query, and any header or environ value a format may
    show (the Referer)."""

    def atoms(self, resp: object, req: object, environ: dict, request_time: timedelta) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        return {name: _masked_atom(name, value) for name, value in atoms.items()}


def _masked_atom(name: str, value: object) -> object:
    if not isinstance(value, str):
        return value
    return redact_query(value) if name in _QUERY_ATOMS else masked(value)
