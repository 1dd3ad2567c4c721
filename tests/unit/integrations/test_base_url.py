"""Base URLs: https, or plain-http loopback when allowed."""

from __future__ import annotations

import pytest
from django.test import override_settings

from integrations.http.base_url import validate_base_url
from integrations.http.errors import ConfigurationError


@pytest.mark.parametrize(
    "url",
    [
        "https://api.recruitee.com",
        "https://10.0.0.5/api/",
        "http://127.0.0.1:8001/recruitee",
        "http://127.5.6.7/x",
        "http://localhost:8001",
        "http://[::1]:8001/affinity",
    ],
)
def test_allowed(url):
    assert validate_base_url(url) == url.rstrip("/")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://api.recruitee.com", "use https"),
        ("http://10.0.0.5", "use https"),
        ("http://169.254.169.254/latest", "use https"),
        ("ftp://files.example.com", r"not an absolute http\(s\) URL"),
        ("api.recruitee.com", r"not an absolute http\(s\) URL"),
        ("https://user:hunter2@api.test", "must not contain credentials"),
        ("https://api.test/?token=x", "query string"),
        ("", "empty"),
    ],
)
def test_refused(url, message):
    with pytest.raises(ConfigurationError, match=message) as caught:
        validate_base_url(url)
    assert "hunter2" not in str(caught.value)


@override_settings(INTEGRATIONS_ALLOW_LOOPBACK=False)
def test_loopback_needs_the_setting():
    with pytest.raises(ConfigurationError, match="INTEGRATIONS_ALLOW_LOOPBACK=true"):
        validate_base_url("http://127.0.0.1:8001")


@override_settings(INTEGRATIONS_ALLOW_LOOPBACK=False)
@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1:8443",
        "https://localhost",
        "https://admin.localhost.",
        "https://[::1]/x",
        "https://[::ffff:127.0.0.1]",
        "https://2130706433/",  # 127.0.0.1 as one number: the resolver reads it so
        "https://127.1",
        "https://0x7f.1",
        "https://0.0.0.0",
        "https://10.0.0.5/api",
        "https://192.168.1.1",
        "https://169.254.169.254/latest",
        "https://[fd00::1]",
    ],
)
def test_https_to_an_internal_address_needs_the_setting(url):
    """An administrator's URL cannot reach the hub's own machine or network (SSRF) in
    production; the sandbox and local development turn INTEGRATIONS_ALLOW_LOOPBACK on."""
    with pytest.raises(ConfigurationError, match="INTEGRATIONS_ALLOW_LOOPBACK=true"):
        validate_base_url(url)
    with override_settings(INTEGRATIONS_ALLOW_LOOPBACK=True):
        assert validate_base_url(url) == url.rstrip("/")


@override_settings(INTEGRATIONS_ALLOW_LOOPBACK=False)
def test_a_public_address_or_name_needs_no_setting():
    for url in ("https://8.8.8.8", "https://api.recruitee.com", "https://1e100.net"):
        assert validate_base_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "https://[::1",
        "https://[::1]:abc",
        "https://api.test:99999",
        "https://[zz]/x",
        "https://exa mple.com",
        "https://api.test\x00/x",
        "https://user:hunter2@[::1",
    ],
)
def test_a_malformed_url_is_refused_without_echoing_it(url):
    with pytest.raises(ConfigurationError, match="not a valid URL") as caught:
        validate_base_url(url)
    assert "hunter2" not in str(caught.value) and "[::1" not in str(caught.value)
