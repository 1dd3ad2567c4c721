"""Which base URLs the hub may send credentials to.

Only https, so a mistyped URL never sends a token in clear text or to an
internal host over plain http. Plain http is allowed to loopback addresses
alone (the sandbox, tests, local development), and only when
INTEGRATIONS_ALLOW_LOOPBACK is on. Without it, https to an address of this machine
or a private network (loopback, private, link-local, unspecified: any IP that is not
global, and the `localhost` names) is refused too, so an administrator's URL cannot
probe the hub's own network. Host names are not resolved here (DNS rebinding is out of
scope), but the numeric forms the resolver reads as an address ("2130706433", "127.1")
count as that address.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import urlsplit

from django.conf import settings

from integrations.http.errors import ConfigurationError


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP address `host` names, in any form the resolver takes for one; None for a name."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return getattr(address, "ipv4_mapped", None) or address


def is_loopback(host: str) -> bool:
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    address = _address(host)
    return address is not None and address.is_loopback


def is_internal(host: str) -> bool:
    """Loopback, or an address that is not global (private, link-local, unspecified…)."""
    address = _address(host)
    return is_loopback(host) or (address is not None and not address.is_global)


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
    elif is_internal(host) and not settings.INTEGRATIONS_ALLOW_LOOPBACK:
        raise ConfigurationError(
            f"The base URL {url!r} is an address of this machine or a private network; "
            "set INTEGRATIONS_ALLOW_LOOPBACK=true to allow it (sandbox, local development)."
        )
    return url.rstrip("/")
