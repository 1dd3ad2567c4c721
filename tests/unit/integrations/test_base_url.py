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
    assert validate_base_url("https://127.0.0.1:8443") == "https://127.0.0.1:8443"


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
