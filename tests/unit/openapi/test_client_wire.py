"""The dynamic client on the wire (mocked with `responses`: an unmocked URL fails)."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
import responses
from responses import matchers

from integrations.http.client import ApiClient
from integrations.http.errors import (
    ConfigurationError,
    InvalidResponseError,
    ProviderUnavailableError,
    ValidationError,
)
from integrations.openapi.auth import Credentials, auth_for
from integrations.openapi.cache import local_document
from integrations.openapi.client import OpenApiClient, build_client
from integrations.openapi.responses import meta
from integrations.providers.openapi import OpenApi

from .conftest import spec
from .documents import ARRAY, document, json_body, ok

BASE = "https://api.example.test/v1"
KEY = "key-SECRET-9a8b7c6d5e"

ITEM = {"type": "object", "properties": {"id": {"type": "integer"}, "userId": {"type": "integer"},
                                         "title": {"type": "string"}}}  # fmt: skip
PAGE_PARAMS = [
    {"name": "_page", "in": "query", "schema": {"type": "integer"}},
    {"name": "_limit", "in": "query", "schema": {"type": "integer"}},
]
PATHS = {
    "/posts": {
        "get": {
            "parameters": [
                {"name": "userId", "in": "query", "schema": {"type": "integer"}},
                {"name": "published", "in": "query", "schema": {"type": "boolean"}},
                {"name": "tags", "in": "query", "schema": {"type": "array",
                                                           "items": {"type": "string"}}},
                {"name": "fields", "in": "query", "explode": False,
                 "schema": {"type": "array", "items": {"type": "string"}}},
                {"name": "X-Trace", "in": "header", "schema": {"type": "string"}},
                *PAGE_PARAMS,
            ],
            "responses": ok({"type": "array", "items": ITEM}),
        },
        "post": {
            "requestBody": json_body({"type": "object", "required": ["title"],
                                      "properties": {"title": {"type": "string", "maxLength": 5},
                                                     "userId": {"type": "integer"},
                                                     "id": {"type": "integer", "readOnly": True}}}),
            "responses": {"201": {"description": "made",
                                  "content": {"application/json": {"schema": ITEM}}}},
        },
    },
    "/posts/{postId}": {
        "get": {"parameters": [{"name": "postId", "in": "path", "required": True,
                                "schema": {"type": "integer"}}],
                "responses": ok(ITEM)},
    },
    "/batches": {"post": {"requestBody": json_body(ARRAY), "responses": ok(ARRAY)}},
    "/offsets": {"get": {"parameters": [
        {"name": "offset", "in": "query", "schema": {"type": "integer"}},
        {"name": "limit", "in": "query", "schema": {"type": "integer"}}],
        "responses": ok({"type": "object", "properties": {"items": ARRAY}})}},
    "/cursors": {"get": {"parameters": [
        {"name": "cursor", "in": "query", "schema": {"type": "string"}}],
        "responses": ok({"type": "object", "properties": {
            "data": ARRAY, "meta": {"type": "object",
                                    "properties": {"next_cursor": {"type": "string"}}}}})}},
}  # fmt: skip


def _doc(**extra):
    return document(PATHS, **extra)


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def no_sleep(monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(ApiClient, "sleep", waits.append)
    return waits


def make(doc=None, credentials=None, scheme=""):
    compiled = local_document(doc or _doc())
    credentials = credentials or Credentials()
    auth = auth_for(compiled.model, credentials, base_url=BASE, scheme_name=scheme)
    api = ApiClient(
        provider=OpenApi.named(compiled.model.title),
        base_url=BASE,
        auth=auth,
        record_calls=False,
        rate_limiting=False,
        deadline=30,
    )
    return build_client(compiled, api)


def test_query_filters_headers_and_placeholders(rsps):
    rsps.add(
        "GET",
        f"{BASE}/posts",
        json=[{"id": 1, "userId": 7, "title": "a"}],
        match=[
            matchers.query_string_matcher(
                "userId=7&published=true&tags=a&tags=b&fields=id%2Ctitle"
            ),
            matchers.header_matcher({"X-Trace": "t-1"}),
        ],
    )
    rsps.add("GET", f"{BASE}/posts/42", json={"id": 42, "userId": 7, "title": "b"})
    client = make()
    posts = client.posts.list(
        user_id=7, published=True, tags=["a", "b"], fields=["id", "title"], x_trace="t-1"
    )
    assert posts[0].user_id == 7 and posts[0].title == "a"
    assert client.posts.get(42).id == 42  # `{postId}` filled from `post_id`


def test_arguments_bind_like_a_real_signature():
    client = make()
    with pytest.raises(TypeError, match="unexpected keyword argument 'user'"):
        client.posts.list(user=7)
    with pytest.raises(TypeError, match="missing a required argument: 'post_id'"):
        client.posts.get()
    with pytest.raises(TypeError, match="too many positional"):
        client.posts.list(7)  # optional arguments are keyword-only


def test_object_body_from_arguments_validated_before_sending(rsps):
    rsps.add(
        "POST",
        f"{BASE}/posts",
        status=201,
        json={"id": 101, "title": "hey", "userId": 1},
        match=[matchers.json_params_matcher({"title": "hey", "userId": 1})],
    )
    client = make()
    assert client.posts.post("hey", user_id=1).id == 101
    with pytest.raises(ValidationError) as caught:
        client.posts.post("far too long", user_id="one")
    assert caught.value.field_errors == {
        "title": ["'far too long' is too long"],
        "userId": ["'one' is not of type 'integer'"],
    }
    assert len(rsps.calls) == 1  # the invalid body never left


def test_read_only_properties_are_not_arguments():
    with pytest.raises(TypeError, match="'id'"):
        make().posts.post("hey", id=5)


def test_array_bodies_are_sent_whole_and_checked_item_by_item(rsps):
    rsps.add(
        "POST",
        f"{BASE}/batches",
        json=[{"id": 1}, {"id": 2}],
        match=[matchers.json_params_matcher([{"id": 1}, {"id": 2}])],
    )
    client = make()
    assert [item.id for item in client.batches.post([{"id": 1}, {"id": 2}])] == [1, 2]
    with pytest.raises(ValidationError) as caught:
        client.batches.post([{"id": 1}, {"id": "two"}])
    assert caught.value.field_errors == {"1.id": ["'two' is not of type 'integer'"]}


def test_post_is_not_retried_blindly_on_a_502(rsps, no_sleep):
    rsps.add("POST", f"{BASE}/posts", status=502, body="<html>Bad Gateway</html>")
    with pytest.raises(ProviderUnavailableError) as caught:
        make().posts.post("hey")
    assert caught.value.outcome_unknown
    assert len(rsps.calls) == 1


def test_get_is_retried_on_a_503(rsps, no_sleep):
    rsps.add("GET", f"{BASE}/posts/1", status=503, json={"message": "busy"})
    rsps.add("GET", f"{BASE}/posts/1", json={"id": 1})
    assert make().posts.get(1).id == 1
    assert len(rsps.calls) == 2


def test_provider_errors_read_with_the_document_title(rsps):
    rsps.add("GET", f"{BASE}/posts/9", status=404, json={"message": "No such post"})
    with pytest.raises(Exception, match=r"Test API API 404 \(GET /v1/posts/9\): No such post"):
        make().posts.get(9)


# -- auth from securitySchemes -------------------------------------------------------------


def _secured(schemes: dict, security: list) -> dict:
    return _doc(components={"securitySchemes": schemes}, security=security)


def test_bearer(rsps):
    doc = _secured({"t": {"type": "http", "scheme": "bearer"}}, [{"t": []}])
    rsps.add("GET", f"{BASE}/posts/1", json={"id": 1},
             match=[matchers.header_matcher({"Authorization": f"Bearer {KEY}"})])  # fmt: skip
    make(doc, Credentials(token=KEY)).posts.get(1)


def test_api_key_in_a_header(rsps):
    doc = _secured({"k": {"type": "apiKey", "in": "header", "name": "X-Api-Key"}}, [{"k": []}])
    rsps.add("GET", f"{BASE}/posts/1", json={"id": 1},
             match=[matchers.header_matcher({"X-Api-Key": KEY})])  # fmt: skip
    make(doc, Credentials(token=KEY)).posts.get(1)


def test_api_key_in_the_query_is_sent_and_never_shown(rsps):
    doc = _secured({"k": {"type": "apiKey", "in": "query", "name": "appid"}}, [{"k": []}])
    rsps.add("GET", f"{BASE}/posts/1", status=404, json={"message": f"bad {KEY}"},
             match=[matchers.query_param_matcher({"appid": KEY})])  # fmt: skip
    with pytest.raises(Exception) as caught:
        make(doc, Credentials(token=KEY)).posts.get(1)
    assert KEY not in str(caught.value)
    assert "404" in str(caught.value)


def test_basic(rsps):
    doc = _secured({"b": {"type": "http", "scheme": "basic"}}, [{"b": []}])
    encoded = base64.b64encode(f"ann:{KEY}".encode()).decode()
    rsps.add("GET", f"{BASE}/posts/1", json={"id": 1},
             match=[matchers.header_matcher({"Authorization": f"Basic {encoded}"})])  # fmt: skip
    make(doc, Credentials(token=KEY, username="ann")).posts.get(1)


def test_oauth2_client_credentials_token_url_resolved_against_the_server(rsps):
    flows = {"clientCredentials": {"tokenUrl": "/oauth/token", "scopes": {}}}
    doc = _secured({"o": {"type": "oauth2", "flows": flows}}, [{"o": []}])
    rsps.add(
        "POST",
        "https://api.example.test/oauth/token",  # RFC 3986: "/…" replaces the server's path
        json={"access_token": "tok-1", "expires_in": 3600},
        match=[matchers.urlencoded_params_matcher(
            {"grant_type": "client_credentials", "client_id": "cid", "client_secret": KEY})],
    )  # fmt: skip
    rsps.add("GET", f"{BASE}/posts/1", json={"id": 1},
             match=[matchers.header_matcher({"Authorization": "Bearer tok-1"})])  # fmt: skip
    make(doc, Credentials(client_id="cid", client_secret=KEY)).posts.get(1)


@pytest.mark.parametrize(
    "token_url", ["http://token.example.test/oauth/token", "https://10.0.0.5/token"]
)
def test_a_documents_token_url_must_be_one_the_hub_may_send_secrets_to(rsps, token_url, settings):
    """The document (the provider's words, untrusted) names where the client secret goes:
    never in clear text, nor to the hub's own network in production."""
    settings.INTEGRATIONS_ALLOW_LOOPBACK = False
    flows = {"clientCredentials": {"tokenUrl": token_url, "scopes": {}}}
    doc = _secured({"o": {"type": "oauth2", "flows": flows}}, [{"o": []}])
    with pytest.raises(ConfigurationError, match="token URL") as caught:
        make(doc, Credentials(client_id="cid", client_secret=KEY)).posts.get(1)
    assert KEY not in str(caught.value)


def test_the_first_scheme_the_credentials_fit_is_chosen():
    doc = _secured(
        {"o": {"type": "oauth2", "flows": {"implicit": {"authorizationUrl": "https://a.test/x",
                                                        "scopes": {}}}},
         "t": {"type": "http", "scheme": "bearer"}},
        [{"o": []}, {"t": []}],
    )  # fmt: skip
    client = make(doc, Credentials(token=KEY))
    assert type(client._api.auth).__name__ == "BearerAuth"
    with pytest.raises(Exception, match="need a person to sign in"):
        make(doc, Credentials(token=KEY), scheme="o")


# -- pagination ------------------------------------------------------------------------------


def test_iterator_is_lazy_and_follows_link_headers(rsps):
    link = (
        f'<{BASE}/posts?_page=2&_limit=2>; rel="next", <{BASE}/posts?_page=2&_limit=2>; rel="last"'
    )
    rsps.add("GET", f"{BASE}/posts", json=[{"id": 1}, {"id": 2}], headers={"Link": link},
             match=[matchers.query_param_matcher({"_page": "1", "_limit": "2"})])  # fmt: skip
    rsps.add("GET", f"{BASE}/posts", json=[{"id": 3}],
             match=[matchers.query_param_matcher({"_page": "2", "_limit": "2"})])  # fmt: skip
    items = make().posts.list(limit=2, iterator=True)
    assert len(rsps.calls) == 0  # nothing sent before the first item is asked for
    assert [item.id for item in items] == [1, 2, 3]
    assert len(rsps.calls) == 2


def test_page_numbers_stop_on_the_total_count(rsps):
    rsps.add("GET", f"{BASE}/posts", json=[{"id": 1}], headers={"X-Total-Count": "2"},
             match=[matchers.query_param_matcher({"_page": "1"})])  # fmt: skip
    rsps.add("GET", f"{BASE}/posts", json=[{"id": 2}], headers={"X-Total-Count": "2"},
             match=[matchers.query_param_matcher({"_page": "2"})])  # fmt: skip
    assert [p.id for p in make().posts.list(iterator=True)] == [1, 2]
    assert len(rsps.calls) == 2


def test_offset_and_limit_stop_on_a_short_page(rsps):
    for offset, ids in ((0, [1, 2]), (2, [3])):
        query = matchers.query_param_matcher({"offset": str(offset), "limit": "2"})
        rsps.add("GET", f"{BASE}/offsets", json={"items": [{"id": i} for i in ids]}, match=[query])
    assert [i.id for i in make().offsets.list(limit=2, iterator=True)] == [1, 2, 3]


def test_cursor_tokens_until_there_is_none(rsps):
    rsps.add("GET", f"{BASE}/cursors", json={"data": [{"id": 1}], "meta": {"next_cursor": "c2"}},
             match=[matchers.query_param_matcher({})])  # fmt: skip
    rsps.add("GET", f"{BASE}/cursors", json={"data": [{"id": 2}], "meta": {"next_cursor": None}},
             match=[matchers.query_param_matcher({"cursor": "c2"})])  # fmt: skip
    assert [i.id for i in make().cursors.list(iterator=True)] == [1, 2]


def test_a_repeated_cursor_is_refused_not_looped(rsps):
    rsps.add("GET", f"{BASE}/cursors", json={"data": [{"id": 1}], "meta": {"next_cursor": "c"}})
    rsps.add("GET", f"{BASE}/cursors", json={"data": [{"id": 2}], "meta": {"next_cursor": "c"}})
    with pytest.raises(InvalidResponseError, match="pagination loop"):
        list(make().cursors.list(iterator=True))


def test_iterator_only_where_the_operation_lists():
    with pytest.raises(TypeError, match="iterator"):
        make().posts.get(1, iterator=True)


# -- responses ------------------------------------------------------------------------------


def test_responses_are_read_only_with_attribute_access_and_rate_limit_figures(rsps):
    rsps.add(
        "GET",
        f"{BASE}/posts/1",
        json={"id": 1, "userId": 3, "author": {"firstName": "Ann"}},
        headers={"X-RateLimit-Remaining": "41", "X-RateLimit-Limit": "60"},
    )
    post = make().posts.get(1)
    assert (post.user_id, post["userId"], post.author.first_name) == (3, 3, "Ann")
    assert (post.calls_remaining, post.rate_limit) == (41, 60)
    assert post.headers["X-RateLimit-Limit"] == "60"
    with pytest.raises(AttributeError, match="read-only"):
        post.id = 2
    plain = post.json()
    plain["id"] = 99
    assert post.id == 1
    with pytest.raises(AttributeError):
        post.missing  # noqa: B018


def test_asana_style_next_page_offsets_through_the_real_document(rsps):
    compiled = local_document(spec("asana_oas.yaml"))
    api = ApiClient(provider=OpenApi.named("Asana"), base_url=BASE, auth=auth_for(
        compiled.model, Credentials(token=KEY), base_url=BASE), record_calls=False,
        rate_limiting=False)  # fmt: skip
    client = build_client(compiled, api)
    first = {"data": [{"gid": "1"}], "next_page": {"offset": "tok2", "path": "/projects"}}
    rsps.add("GET", f"{BASE}/projects", json=first,
             match=[matchers.query_param_matcher({"workspace": "9", "limit": "1",
                                                  "opt_fields": "name,notes"}),
                    matchers.header_matcher({"Authorization": f"Bearer {KEY}"})])  # fmt: skip
    rsps.add("GET", f"{BASE}/projects", json={"data": [{"gid": "2"}], "next_page": None},
             match=[matchers.query_param_matcher({"workspace": "9", "limit": "1",
                                                  "opt_fields": "name,notes",
                                                  "offset": "tok2"})])  # fmt: skip
    projects = client.projects.list(
        workspace="9", limit=1, opt_fields=["name", "notes"], iterator=True
    )
    assert [p.gid for p in projects] == ["1", "2"]


def test_a_json_flavoured_body_keeps_its_content_type(rsps):
    body = {"required": True, "content": {"application/merge-patch+json": {"schema": ITEM}}}
    doc = document({"/posts/{postId}": {"patch": {
        "parameters": [{"name": "postId", "in": "path", "required": True,
                        "schema": {"type": "integer"}}],
        "requestBody": body, "responses": ok(ITEM)}}})  # fmt: skip
    rsps.add("PATCH", f"{BASE}/posts/1", json={"id": 1, "title": "t"},
             match=[matchers.header_matcher({"Content-Type": "application/merge-patch+json"}),
                    matchers.json_params_matcher({"title": "t"})])  # fmt: skip
    assert make(doc).posts.patch(1, title="t").title == "t"


def test_a_record_field_always_wins_over_the_answers_own_names(rsps):
    # A record whose fields are named like the answer's facts: the fields win, by
    # attribute and by key; the facts stay reachable through meta(), and the
    # methods (json(), get(), keys()) stay the answer's.
    record = {"id": 1, "status": "open", "headers": {"X-Mine": "1"}, "json": "text",
              "rateLimit": 5, "callsRemaining": 4}  # fmt: skip
    rsps.add("GET", f"{BASE}/posts/1", json=record, status=200,
             headers={"X-RateLimit-Remaining": "41", "X-RateLimit-Limit": "60"})  # fmt: skip
    post = make().posts.get(1)
    assert (post.status, post["status"]) == ("open", "open")
    assert post.headers == {"X-Mine": "1"} and post["headers"]["X-Mine"] == "1"
    assert post["json"] == "text" and post.json() == record
    assert (post.rate_limit, post.calls_remaining) == (5, 4)
    facts = meta(post)
    assert (facts.status, facts.calls_remaining, facts.rate_limit) == (200, 41, 60)
    assert facts.headers["X-RateLimit-Limit"] == "60"
    assert dict(post) == record and sorted(post.keys()) == sorted(record)


def test_an_answer_without_such_fields_shows_its_facts_as_attributes(rsps):
    rsps.add("GET", f"{BASE}/posts/1", json={"id": 1}, status=200,
             headers={"X-RateLimit-Remaining": "41"})  # fmt: skip
    rsps.add("GET", f"{BASE}/posts", json=[{"id": 1, "status": "done"}])
    post = make().posts.get(1)
    assert (post.status, post.calls_remaining, post.rate_limit) == (200, 41, None)
    assert post.headers["X-RateLimit-Remaining"] == "41"
    page = make().posts.list()
    assert (page.status, page[0].status, meta(page[0]).status) == (200, "done", None)
    assert meta(page).headers is page.headers


def test_the_answers_total_count_is_read_from_its_header_when_it_is_a_number(rsps):
    rsps.add("GET", f"{BASE}/posts", json=[{"id": 1}], headers={"X-Total-Count": "100"})
    rsps.add("GET", f"{BASE}/posts", json=[{"id": 1}], headers={"X-Total-Count": "many"})
    rsps.add("GET", f"{BASE}/posts", json=[{"id": 1}])
    totals = [meta(make().posts.list()).total_count for _ in range(3)]
    assert totals == [100, None, None]


def test_a_resource_named_as_the_clients_own_attribute_is_renamed(rsps):
    """`/follow` (a social API's) or `/base_url` must not replace the client's own
    `follow()` (which the list pages' next links use) nor break building the client."""
    own = [name for name in dir(OpenApiClient) if not name.startswith("_")]
    paths = {f"/{name}": {"get": {"responses": ok(ARRAY)}} for name in own}
    client = make(document({**paths, "/posts": PATHS["/posts"]}))
    assert client.base_url == BASE and callable(client.follow)
    rsps.add("GET", f"{BASE}/follow", json=[{"id": 7}])
    assert [item.json() for item in client.follow_.list()] == [{"id": 7}]
    assert {f"{name}_" for name in own} <= set(dir(client))
