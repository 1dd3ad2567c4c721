from __future__ import annotations

import pytest
from django.test import Client

from integrations.models import Connection
from integrations.webhooks.endpoints import endpoint_for, receiver_url


@pytest.fixture
def endpoint_of(db):
    """An active connection of `provider` with its endpoint (and `secrets`, newest first)."""

    def make(provider: str, *secrets: str):
        connection = Connection.objects.create(provider=provider, name=f"{provider}-hooks")
        endpoint = endpoint_for(connection)
        for secret in reversed(secrets):
            endpoint.secret_add(secret)
        endpoint.save()
        return endpoint

    return make


@pytest.fixture
def provider_client() -> Client:
    """A client as a provider is: no session, CSRF checks on."""
    return Client(enforce_csrf_checks=True)


def post(client: Client, endpoint, body: bytes, **headers: str):
    path = receiver_url(endpoint).split("://", 1)[1].split("/", 1)[1]
    return client.post(
        "/" + path,
        data=body,
        content_type="application/json",
        headers={"User-Agent": "Recruitee-Webhooks", **headers},
    )
