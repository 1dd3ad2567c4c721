"""The crm pages against the sandbox's Affinity over real HTTP."""

from __future__ import annotations

import uuid

import pytest
import requests
from django.core.cache import cache

from crm.sync import ORGANIZATIONS, PERSONS
from integrations.sync.engine import sync_resource


@pytest.fixture(autouse=True)
def _fresh_limiter():
    cache.clear()  # rate-limit buckets are keyed by connection id, which tests reuse
    yield
    cache.clear()


@pytest.fixture
def affinity_connection(sandbox_connection):
    return sandbox_connection("affinity")


@pytest.fixture
def synced(affinity_connection):
    """The connection, with organizations and persons synced from the sandbox."""
    for resource in (ORGANIZATIONS, PERSONS):
        run = sync_resource(connection=affinity_connection, resource=resource)
        assert run.status == "succeeded", run.error
    return affinity_connection


@pytest.fixture
def affinity_api(sandbox_clean):
    """Direct calls to the sandbox's Affinity, as another Affinity user would make."""

    def call(method: str, path: str, **kwargs):
        response = requests.request(
            method,
            sandbox_clean.url_for("affinity") + path,
            auth=("", "sandbox-affinity"),
            timeout=5,
            **kwargs,
        )
        return response.json()

    return call


@pytest.fixture
def unique():
    return uuid.uuid4().hex[:8]
