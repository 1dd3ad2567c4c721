"""Affinity calls made while a page renders come out of each person's per-minute budget."""

from __future__ import annotations

import pytest

from crm.models import Organization
from integrations import live_budget
from integrations.http.client import ApiClient

WINDOW_START = 1_800_000_000.0


@pytest.fixture
def clock(monkeypatch, settings):
    settings.LIVE_CALLS_PER_USER_PER_MINUTE = 3
    moment = [WINDOW_START + 20]
    monkeypatch.setattr(live_budget, "now", lambda: moment[0])
    return moment


@pytest.fixture
def sent(monkeypatch):
    paths: list[str] = []
    original = ApiClient.request

    def spy(self, method, path, **kwargs):
        paths.append(path)
        return original(self, method, path, **kwargs)

    monkeypatch.setattr(ApiClient, "request", spy)
    return paths


def test_live_search_and_edit_pages_pause_when_the_budget_is_spent_and_resume_next_minute(
    client, user, staff_user, synced, clock, sent
):
    client.force_login(user)
    for _ in range(3):
        page = client.get("/organizations/search/", {"term": "a"}).content.decode()
        assert "paused" not in page
    assert len(sent) == 3

    page = client.get("/organizations/search/", {"term": "a"}).content.decode()
    assert "Live data from Affinity is paused for 40 seconds" in page
    organization = Organization.objects.exclude(remote_id=None).first()
    edit = client.get(f"/organizations/{organization.pk}/edit/")
    assert edit.status_code == 200
    assert "Live data from Affinity is paused for 40 seconds" in edit.content.decode()
    assert edit.context["form"].initial["name"] == organization.name  # the synced copy
    assert len(sent) == 3  # nothing more reached Affinity

    client.force_login(staff_user)  # another person: their own budget
    assert "paused" not in client.get("/organizations/search/", {"term": "a"}).content.decode()

    clock[0] = WINDOW_START + 60
    client.force_login(user)
    assert "paused" not in client.get("/organizations/search/", {"term": "a"}).content.decode()
    assert len(sent) == 5
