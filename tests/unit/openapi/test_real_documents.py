"""Every real document in ../shared/specs/ loads, and its names are pinned.

Asana's whole API (3.0), and the OpenAPI Initiative's examples in 2.0, 3.0, 3.1
and 3.2. A change to the naming rules shows here as a changed name.
"""

from __future__ import annotations

import inspect
import keyword
import warnings
from pathlib import Path

import pytest

from integrations.http.client import ApiClient
from integrations.openapi.auth import NoAuth
from integrations.openapi.cache import local_document
from integrations.openapi.client import CompiledApi, build_client
from integrations.openapi.errors import NamingWarning
from integrations.providers.openapi import OpenApi

from .conftest import spec

EXPECTED_NAMES = {
    "v2.0_yaml_petstore-expanded.yaml": {"pets": ["delete", "get", "list", "post"]},
    "v2.0_yaml_petstore.yaml": {"pets": ["list", "post", "show_pet_by_id"]},
    "v2.0_yaml_uber.yaml": {
        "estimates": ["list_price", "list_time"],
        "history": ["get"],
        "me": ["get"],
        "products": ["list"],
    },
    "v3.0_api-with-examples.yaml": {"root": ["list"], "v2": ["list"]},
    "v3.0_callback-example.yaml": {"streams": ["post"]},
    "v3.0_link-example.yaml": {
        "n2_0": [
            "get_repositories_username",
            "get_repositories_username_pullrequests",
            "get_users",
            "list_repositories",
            "list_repositories_username_pullrequests",
            "post_repositories_username_pullrequests_merge",
        ]
    },
    "v3.0_petstore-expanded.yaml": {"pets": ["delete", "get", "list", "post"]},
    "v3.0_petstore.yaml": {"pets": ["get", "list", "post"]},
    "v3.0_uspto.yaml": {"dataset": ["get_fields", "post_records"], "root": ["get"]},
    "v3.1_non-oauth-scopes.yaml": {"users": ["list"]},
    "v3.1_tictactoe.yaml": {"board": ["get", "get_row", "put_row"]},
    "v3.1_webhook-example.yaml": {},
    "v3.2_3.2-tags-example.yaml": {
        "flights": ["list", "list_delayed", "list_domestic", "list_international"]
    },
}
UNSUPPORTED = {
    "v3.0_uspto.yaml": {
        "POST /{dataset}/{version}/records": (
            "the request body is application/x-www-form-urlencoded; "
            "the hub's client sends JSON only"
        )
    },
    "asana_oas.yaml": {
        "POST /attachments": (
            "the request body is multipart/form-data; the hub's client sends JSON only"
        )
    },
}


@pytest.fixture(scope="module")
def asana() -> CompiledApi:
    return local_document(spec("asana_oas.yaml"))


def _client(compiled: CompiledApi):
    api = ApiClient(
        provider=OpenApi.named(compiled.model.title),
        base_url="https://api.example.test",
        auth=NoAuth(),
        record_calls=False,
        rate_limiting=False,
    )
    return build_client(compiled, api)


def _assert_every_operation_accounted_for(compiled: CompiledApi) -> None:
    client = _client(compiled)
    for op in compiled.model.operations:
        method = getattr(getattr(client, op.resource), op.name, None)
        if op.supported:
            assert method is not None, op.endpoint
            assert f"API URL: {op.endpoint}" in method.__doc__
            names = list(inspect.signature(method).parameters)
            assert all(name.isidentifier() and not keyword.iskeyword(name) for name in names)
        else:
            assert method is None, op.endpoint
            assert op.unsupported.strip(), f"{op.endpoint} is unsupported without a reason"


@pytest.mark.parametrize("name", sorted(EXPECTED_NAMES))
def test_each_example_loads_with_its_pinned_names(name):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        compiled = local_document(spec(name))
    model = compiled.model
    names = {r.name: [op.name for op in r.operations] for r in model.resources}
    assert names == EXPECTED_NAMES[name]
    assert dict(model.unsupported) == UNSUPPORTED.get(name, {})
    _assert_every_operation_accounted_for(compiled)
    naming = [w for w in caught if issubclass(w.category, NamingWarning)]
    assert [str(w.message) for w in naming] == list(model.warnings)


def test_the_spec_versions_are_read():
    versions = {
        name: local_document(spec(name)).model.spec_version
        for name in ("v2.0_yaml_uber.yaml", "v3.1_tictactoe.yaml", "v3.2_3.2-tags-example.yaml")
    }
    assert versions == {
        "v2.0_yaml_uber.yaml": "2.0",
        "v3.1_tictactoe.yaml": "3.1.0",
        "v3.2_3.2-tags-example.yaml": "3.2.0",
    }


def test_swagger_2_petstore_collision_is_renamed_with_a_warning_not_last_wins():
    with pytest.warns(NamingWarning, match="named 'show_pet_by_id'"):
        model = local_document(spec("v2.0_yaml_petstore.yaml")).model
    pets = {op.name: op.endpoint for op in model.resource("pets").operations}
    # Both GETs answer an array in this example, so both want `list`; the one with
    # fewer path parameters keeps it, the other takes its operationId.
    assert pets == {
        "list": "GET /pets",
        "show_pet_by_id": "GET /pets/{petId}",
        "post": "POST /pets",
    }


def test_swagger_2_servers_body_and_security_are_normalised():
    model = local_document(spec("v2.0_yaml_uber.yaml")).model
    assert model.servers == ("https://api.uber.com/v1",)
    assert [(s.name, s.kind) for s in model.security_schemes] == [("apikey", "api_key")]
    assert model.security_schemes[0].location == "query"
    expanded = local_document(spec("v2.0_yaml_petstore-expanded.yaml")).model
    post = next(op for op in expanded.operations if op.http_method == "POST")
    assert post.body is not None and post.body.kind == "object"
    assert [(f.python_name, f.required) for f in post.body.fields] == [
        ("name", True),
        ("tag", False),
    ]  # NewPet is an allOf-free object; Pet = allOf(NewPet, id) is merged for answers
    get = next(op for op in expanded.operations if op.name == "get")
    assert set(get.response.item_fields) == {"name", "tag", "id"}


def test_asana_loads_whole(asana):
    model = asana.model
    assert (model.title, model.spec_version) == ("Asana", "3.0.0")
    assert len(model.resources) == 46
    assert len(model.operations) == 247
    assert dict(model.unsupported) == UNSUPPORTED["asana_oas.yaml"]
    assert model.warnings == ()
    _assert_every_operation_accounted_for(asana)


def test_asana_names_on_a_sample(asana):
    names = {r.name: [op.name for op in r.operations] for r in asana.model.resources}
    assert names["projects"][:6] == [
        "delete", "get", "get_task_counts", "list", "list_custom_field_settings",
        "list_project_memberships",
    ]  # fmt: skip
    assert "post_add_followers" in names["tasks"]
    assert names["users"] == [
        "get", "get_user_task_list", "list", "list_favorites", "list_team_memberships",
        "list_teams", "list_workspace_memberships", "put",
    ]  # fmt: skip
    assert names["webhooks"] == ["delete", "get", "list", "post", "put"]
    assert names["events"] == ["list"]


def test_asana_details_allof_envelopes_and_paging(asana):
    model = asana.model
    projects = {op.name: op for op in model.resource("projects").operations}
    listing = projects["list"]
    assert listing.response.is_list and listing.response.items_key == "data"
    assert "gid" in listing.response.item_fields  # from allOf(ProjectCompact, …)
    assert (listing.pagination.style, listing.pagination.page_param) == ("cursor", "offset")
    assert listing.pagination.token_path == ("next_page", "offset")
    opt_fields = next(p for p in listing.parameters if p.wire_name == "opt_fields")
    assert (opt_fields.type_label, opt_fields.explode) == ("array[string]", False)
    # `GET /projects/{project_gid}` answers one object in a `data` envelope: `get`, not `list`.
    assert projects["get"].path == "/projects/{project_gid}"
    assert not projects["get"].response.is_list
    create = projects["post"]
    assert [f.wire_name for f in create.body.fields] == ["data"]
    assert [(s.name, s.kind) for s in model.security_schemes] == [
        ("personalAccessToken", "bearer"),
        ("oauth2", "unsupported"),
    ]


def test_asana_signature_and_help(asana):
    client = _client(asana)
    method = client.tasks.list
    signature = inspect.signature(method)
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in signature.parameters.values())
    assert {"project", "opt_fields", "limit", "offset", "iterator"} <= set(signature.parameters)
    get = inspect.signature(client.tasks.get)
    first = next(iter(get.parameters.values()))
    assert (first.name, first.kind) == ("task_gid", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    assert "API URL: GET /tasks/{task_gid}" in client.tasks.get.__doc__


JSONPLACEHOLDER_NAMES = {
    "albums": ["delete", "get", "list", "list_photos", "patch", "post", "put"],
    "comments": ["delete", "get", "list", "patch", "post", "put"],
    "photos": ["delete", "get", "list", "patch", "post", "put"],
    "posts": ["delete", "get", "list", "list_comments", "patch", "post", "put"],
    "todos": ["delete", "get", "list", "patch", "post", "put"],
    "users": ["delete", "get", "list", "list_albums", "list_posts", "list_todos", "patch",
              "post", "put"],
}  # fmt: skip
SANDBOX_DOCUMENTS = Path(__file__).resolve().parents[3] / "integrations" / "sandbox" / "documents"


def test_our_jsonplaceholder_documents_name_alike_with_and_without_operation_ids():
    full = local_document(SANDBOX_DOCUMENTS / "jsonplaceholder.json").model
    fallbacks = local_document(SANDBOX_DOCUMENTS / "jsonplaceholder-fallbacks.json").model
    for model in (full, fallbacks):
        names = {r.name: [op.name for op in r.operations] for r in model.resources}
        assert names == JSONPLACEHOLDER_NAMES
        assert model.unsupported == () and model.warnings == ()
    assert all(op.operation_id for op in full.operations)
    assert sorted(op.endpoint for op in fallbacks.operations if not op.operation_id) == [
        "DELETE /comments/{commentId}", "GET /comments", "GET /posts/{postId}",
        "GET /posts/{postId}/comments", "GET /users/{userId}/todos", "PATCH /posts/{postId}",
        "POST /todos",
    ]  # fmt: skip
    get = next(op for op in fallbacks.operations if op.endpoint == "GET /posts/{postId}")
    assert [(p.wire_name, p.python_name) for p in get.parameters] == [("postId", "post_id")]
    assert get.summary == "Get a post"  # the docstring's first line without an operationId
