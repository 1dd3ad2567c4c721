"""gunicorn's access log (`--logger-class core.access_log.AccessLog`, docs/deploy.md), with
the secret a URL carries masked by the rule of the app's own request log (core/log_masking.py)."""

from datetime import timedelta

from gunicorn.glogging import Logger

from core.log_masking import masked


class AccessLog(Logger):
    """Masks a receiver's token in every field of a line: the request line, the path,
    and any header or environ value a format may show (the Referer)."""

    def atoms(self, resp: object, req: object, environ: dict, request_time: timedelta) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        return {name: masked(value) if isinstance(value, str) else value
                for name, value in atoms.items()}  # fmt: skip
