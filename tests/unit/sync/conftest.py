import pytest

from integrations.models import Connection


@pytest.fixture
def connection(db):
    return Connection.objects.create(
        provider="recruitee",
        name="test",
        base_url="https://api.recruitee.com",
        company_id="1",
        api_token="secret-token",
    )


@pytest.fixture
def no_client(monkeypatch):
    """The engine and the outbox get a placeholder client; fakes make no HTTP call."""
    monkeypatch.setattr(
        "integrations.services.connections.connection_client", lambda *a, **k: object()
    )
