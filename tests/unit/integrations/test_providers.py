"""Provider error parsing (every documented and defensive shape) and the registry."""

from __future__ import annotations

import pytest

from integrations.http.auth import BearerAuth, OAuthClientCredentials
from integrations.http.errors import (
    ConfigurationError,
    ConflictError,
    IntegrationError,
    PermissionDeniedError,
    ValidationError,
    error_for_response,
)
from integrations.providers import PROVIDERS, ConnectionConfig, Provider, provider_for

from .conftest import fixture


def parse(provider: str, payload: object) -> tuple[str, dict]:
    return PROVIDERS[provider].parse_error(payload)


def test_registry_is_explicit():
    assert list(PROVIDERS) == ["recruitee", "affinity", "projecttool", "asana", "openapi"]
    assert all(name == p.name for name, p in PROVIDERS.items())
    with pytest.raises(ConfigurationError, match="Unknown provider"):
        provider_for("jira")


def test_hooks_must_be_implemented():
    with pytest.raises(NotImplementedError, match="Provider must implement parse_error"):
        Provider().parse_error({})
    with pytest.raises(NotImplementedError, match="check_connection"):
        Provider().check_connection(None)


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (
            fixture("recruitee", "error_422.json"),
            ("Name can't be blank", {"name": ["can't be blank"]}),
        ),
        (fixture("recruitee", "error_400_token.json"), ("Token not found.", {})),
        (fixture("recruitee", "error_403.json"), ("Forbidden", {})),
        (
            {"error_fields": {"emails": ["is invalid"]}},
            ("emails is invalid", {"emails": ["is invalid"]}),
        ),
        ("Bad gateway", ("Bad gateway", {})),
        ("<html>oops</html>", ("", {})),
        (None, ("", {})),
    ],
)
def test_recruitee_errors(payload, expected):
    assert parse("recruitee", payload) == expected


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (
            fixture("affinity", "error_422_params.json"),
            ("first_name is required", {"first_name": ["first_name is required"]}),
        ),
        ({"errors": ["Invalid page_token variable"]}, ("Invalid page_token variable", {})),
        ({"message": "Not found"}, ("Not found", {})),
        ({"detail": "Bad"}, ("Bad", {})),
        ({"error": "Unauthorized"}, ("Unauthorized", {})),
        ({"error": {"message": "Rate limited"}}, ("Rate limited", {})),
        (["first", {"message": "second"}], ("first; second", {})),
        (None, ("", {})),
        ({"errors": [{"code": "x"}], "weird": 1}, ("", {})),
    ],
)
def test_affinity_errors(payload, expected):
    assert parse("affinity", payload) == expected


def test_generic_tool_errors():
    message, fields = parse("projecttool", fixture("projecttool", "error_400.json"))
    assert message == "The provided start_date is not valid."
    assert fields == {"start_date": ["The provided start_date is not valid."]}
    assert parse("projecttool", {"error": "plain"}) == ("plain", {})
    assert parse("projecttool", {"error": {"message": "No details"}}) == ("No details", {})


def test_asana_errors_split_the_field_prefix():
    message, fields = parse("asana", fixture("asana", "error_400.json"))
    assert message == "project: Missing input"
    assert fields == {"project": ["Missing input"]}
    assert parse("asana", {"errors": [{"message": "Not a valid gid"}]}) == ("Not a valid gid", {})


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, ValidationError),
        (403, PermissionDeniedError),
        (409, ConflictError),
        (418, IntegrationError),
    ],
)
def test_error_for_response_maps_status(status, cls):
    error = error_for_response(
        provider=PROVIDERS["asana"],
        status=status,
        body=b'{"errors": [{"message": "name: taken"}]}',
        method="POST",
        path="/projects",
    )
    assert type(error) is cls
    assert str(error) == f"Asana API {status} (POST /projects): name: taken"


def test_error_for_response_survives_a_broken_hook():
    class Broken(Provider):
        display_name = "Broken"

        def parse_error(self, payload):
            raise KeyError("x")

    error = error_for_response(provider=Broken(), status=422, body=b"{}", method="GET", path="/")
    assert isinstance(error, ValidationError) and error.message == "HTTP 422"


def test_recruitee_base_url_adds_the_company():
    config = ConnectionConfig(
        "recruitee", "default", "https://api.recruitee.com/", company_id="acme co"
    )
    assert PROVIDERS["recruitee"].build_base_url(config) == "https://api.recruitee.com/c/acme%20co"


def test_generic_tool_auth_prefers_the_static_token():
    tool = PROVIDERS["projecttool"]
    base = ConnectionConfig(
        "projecttool", "d", "https://pm.test/v1", oauth_client_id="i", oauth_client_secret="s"
    )
    assert isinstance(tool.build_auth(base), OAuthClientCredentials)
    assert tool.build_auth(base).token_url == "https://pm.test/v1/oauth/token"
    with_token = ConnectionConfig("projecttool", "d", "https://pm.test/v1", api_token="t")
    assert isinstance(tool.build_auth(with_token), BearerAuth)
    missing = tool.missing(ConnectionConfig("projecttool", "d", ""))
    assert missing == [
        "base URL (PROJECTS_API_URL)",
        "API token (PROJECTS_API_TOKEN), or OAuth client id (PROJECTS_OAUTH_CLIENT_ID) "
        "and OAuth client secret (PROJECTS_OAUTH_CLIENT_SECRET)",
    ]
