import pytest

from core.templatetags.hub import email_breaks, http_url


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


def test_an_email_may_wrap_after_its_at_sign_and_dots():
    assert email_breaks("ann.smith@mail.example.com") == (
        '<span class="email">ann.<wbr>smith@<wbr>mail.<wbr>example.<wbr>com</span>'
    )
    assert email_breaks("plain") == '<span class="email">plain</span>'
    assert email_breaks("") == ""  # no empty span: `{% if subtitle %}` stays false


def test_an_email_is_escaped_before_its_break_points_are_added():
    shown = email_breaks('"<b>x</b>"@example.com')
    assert shown == (
        '<span class="email">&quot;&lt;b&gt;x&lt;/b&gt;&quot;@<wbr>example.<wbr>com</span>'
    )
