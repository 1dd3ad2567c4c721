"""Which base URLs the hub may send credentials to.

Only https, so a mistyped URL never sends a token in clear text or to an
internal host over plain http. Plain http is allowed to loopback addresses
alone (the sandbox, tests, local development), and only when
INTEGRATIONS_ALLOW_LOOPBACK is on.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from django.conf import settings

from integrations.http.errors import ConfigurationError


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_HOST_NAME = re.compile(r"[\w-]+(\.[\w-]+)*\.?")
_MALFORMED = (
    "The base URL is not a valid URL: check the host name, the square brackets "
    "around an IPv6 address and the port (a number up to 65535)."
)


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def validate_base_url(url: str) -> str:
    """The URL without a trailing slash, or ConfigurationError saying what is wrong."""
    url = (url or "").strip()
    if not url:
        raise ConfigurationError("The base URL is empty.")
    try:
        parts = urlsplit(url)
        host, _port = parts.hostname or "", parts.port  # .port raises on a bad port
    except ValueError:
        # Not echoed: a malformed URL may hide a credential the checks below would catch.
        raise ConfigurationError(_MALFORMED) from None
    if "@" in parts.netloc or parts.query or parts.fragment:
        # Checked first, so the messages below never echo a password.
        raise ConfigurationError(
            "The base URL must not contain credentials, a query string or a fragment."
        )
    if not host or parts.scheme not in ("https", "http"):
        raise ConfigurationError(f"The base URL {url!r} is not an absolute http(s) URL.")
    if not (_HOST_NAME.fullmatch(host) or _is_ip_address(host)) or not url.isprintable():
        raise ConfigurationError(_MALFORMED)
    if parts.scheme == "http":
        if not is_loopback(host):
            raise ConfigurationError(
                f"The base URL {url!r} uses plain http; use https "
                "(plain http is allowed only to loopback addresses)."
            )
        if not settings.INTEGRATIONS_ALLOW_LOOPBACK:
            raise ConfigurationError(
                f"The base URL {url!r} is a plain-http loopback address; "
                "set INTEGRATIONS_ALLOW_LOOPBACK=true to allow it (sandbox, local development)."
            )
    return url.rstrip("/")
