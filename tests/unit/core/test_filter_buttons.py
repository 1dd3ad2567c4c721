"""Every list's filter form is sent with one button, named the same on every page."""

import re

import pytest

from integrations.models import Connection

SUBMIT = re.compile(r'<button[^>]*type="submit"[^>]*>(.*?)</button>', re.S)


def _filter_button(html: str, form_marker: str) -> str:
    form = html[html.index(form_marker) :]
    form = form[: form.index("</form>")]
    [label] = [re.sub(r"<[^>]+>", "", b).strip() for b in SUBMIT.findall(form)]
    return label


@pytest.mark.parametrize(
    ("provider", "url", "marker"),
    [
        ("projecttool", "/projects/", 'method="get"'),
        ("recruitee", "/candidates/", 'method="get"'),
    ],
)
def test_a_list_filter_form_is_applied_with_apply(logged_in_client, provider, url, marker):
    Connection.objects.create(
        provider=provider, name="t", base_url="https://x.example.test", api_token="tok"
    )
    assert _filter_button(logged_in_client.get(url).content.decode(), marker) == "Apply"


def test_the_call_log_filter_is_applied_with_apply(client, staff_user):
    client.force_login(staff_user)
    html = client.get("/calls/").content.decode()
    assert _filter_button(html, 'data-testid="call-filters"') == "Apply"
