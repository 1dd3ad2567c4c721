from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.utils import timezone

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


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
        datetime(2026, 3, 1, 0, 0, tzinfo=UTC),  # midnight
        datetime(2026, 9, 12, 12, 0, 5, 123456, tzinfo=UTC),  # noon, with microseconds
        datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC),  # another day in Amsterdam
    ],
)
@pytest.mark.parametrize("zone", ["UTC", "Europe/Amsterdam"])
def test_a_time_element_reads_as_its_date_filters_with_the_time_zone(value, zone):
    plain = Template(
        "<time datetime=\"{{ v|date:'c' }}\" title=\"{{ v }} {{ v|date:'T' }}\">"
        "{{ v|date:'j M Y' }}</time>"
    )
    with timezone.override(zone):
        context = Context({"v": value})
        shown = Template("{% load hub %}{{ v|time_element }}").render(context)
        assert shown == plain.render(context)
