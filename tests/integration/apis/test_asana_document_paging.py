"""Asana's real document against the sandbox's Asana: a cursor-paged API (`offset` tokens
from `next_page.offset`), whose generated list pages forward and back (issue #16)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
import requests

from integrations import jsoncodec
from integrations.models import Connection, OpenApiSource
from integrations.openapi.source import read_file
from integrations.sandbox.credentials import ASANA_TOKEN

ASANA = Path(__file__).resolve().parents[3].parent / "shared" / "specs" / "asana_oas.yaml"
LIST = "/apis/asana/projects/"


@pytest.fixture
def connection(db, sandbox_clean) -> Iterator[Connection]:
    if not ASANA.exists():
        pytest.skip(f"{ASANA} is missing: the real OpenAPI documents live in ../shared/specs/")
    sandbox_clean.reseed()  # the seeded projects only, whatever earlier tests created
    base, auth = sandbox_clean.url_for("asana"), {"Authorization": f"Bearer {ASANA_TOKEN}"}
    row = Connection.objects.create(
        provider="openapi", name="asana", base_url=base, api_token=ASANA_TOKEN
    )
    OpenApiSource.objects.create(connection=row, document=jsoncodec.dumps(read_file(ASANA)))
    workspace = requests.get(f"{base}/workspaces", headers=auth, timeout=5).json()["data"][0]
    for n in range(10):  # 24 seeded: 34 make a second page of 25
        body = {"data": {"name": f"Paged {n}", "workspace": workspace["gid"]}}
        requests.post(f"{base}/projects", json=body, headers=auth, timeout=5).raise_for_status()
    yield row
    sandbox_clean.reseed()  # the session's sandbox: later tests expect the seeded projects


def _link(page: str, rel: str) -> str | None:
    found = re.search(rf'<a class="page-link" href="\?([^"]*)" rel="{rel}"', page)
    return unescape(found.group(1)) if found else None


def _gids(page: str) -> list[str]:
    return re.findall(r'href="/apis/asana/projects/(\d+)/"', page)


def test_projects_page_forward_through_offset_tokens_and_back(logged_in_client, connection):
    first = logged_in_client.get(LIST).content.decode()
    assert len(_gids(first)) == 25 and "Page 1" in first and _link(first, "prev") is None
    second = logged_in_client.get(f"{LIST}?{_link(first, 'next')}").content.decode()
    assert "Page 2" in second
    assert len(_gids(second)) == 9 and not set(_gids(second)) & set(_gids(first))
    assert _link(second, "next") is None
    back = logged_in_client.get(f"{LIST}?{_link(second, 'prev')}").content.decode()
    assert _gids(back) == _gids(first)
