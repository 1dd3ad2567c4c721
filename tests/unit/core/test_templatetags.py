import pytest

from core.templatetags.hub import http_url


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://example.com/a?b=1", "https://example.com/a?b=1"),
        ("http://example.com", "http://example.com"),
        (" https://example.com ", "https://example.com"),
        ("javascript:alert(1)", ""),
        ("data:text/html,<script>", ""),
        ("//evil.example.com", ""),
        ("https://", ""),
        (None, ""),
        (42, ""),
        ("http://[::1", ""),
    ],
)
def test_only_http_urls_survive(value, expected):
    assert http_url(value) == expected
