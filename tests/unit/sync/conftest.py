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
    """The engine and the outbox get a client that refuses to send: fakes make no HTTP call."""

    def refuse(*args, **kwargs):
        raise AssertionError("a fake operation or resource must not send a request")

    monkeypatch.setattr("integrations.http.client.ApiClient._send", refuse)
