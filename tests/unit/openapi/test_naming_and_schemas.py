"""Naming as civis-python does it, and each of civis's known bugs fixed (issue #16)."""

from __future__ import annotations

import inspect
import warnings

import pytest

from integrations.openapi.cache import local_document
from integrations.openapi.errors import DocumentError, NamingWarning
from integrations.openapi.naming import camel_to_snake, method_name

from .documents import ARRAY, OBJECT, document, json_body, ok


def model_of(doc):
    return local_document(doc).model


def names(doc) -> dict[str, str]:
    return {op.endpoint: f"{op.resource}.{op.name}" for op in model_of(doc).operations}


@pytest.mark.parametrize(
    ("verb", "path", "answers_list", "expected"),
    [
        ("GET", "/w", True, "list"),
        ("GET", "/w/{id}", False, "get"),
        ("GET", "/w/{id}/executions", True, "list_executions"),
        ("GET", "/w/{id}/executions/{eid}", False, "get_executions"),
        ("POST", "/w/{id}/executions", None, "post_executions"),
        ("PATCH", "/w/{id}", None, "patch"),
        ("GET", "/users/me", False, "get_me"),
        ("GET", "/users/me", None, "list_me"),  # no schema: civis's legacy rule
        ("GET", "/w/{a}/{b}", False, "get_a"),  # two params in a row: the earlier one's name
        ("POST", "/tasks/{id}/addFollowers", None, "post_add_followers"),
        ("DELETE", "/my-things/{id}", None, "delete"),
    ],
)
def test_method_names(verb, path, answers_list, expected):
    assert method_name(verb, path, answers_list=answers_list) == expected


@pytest.mark.parametrize(
    ("name", "snake"),
    [("userId", "user_id"), ("HTTPResponseCode", "http_response_code"), ("_limit", "limit"),
     ("from", "from_"), ("X-Request-Id", "x_request_id"), ("self", "self_"), ("2fa", "n2fa"),
     ("body", "body_")],
)  # fmt: skip
def test_argument_names(name, snake):
    assert camel_to_snake(name) == snake


def test_resource_is_the_first_segment():
    doc = document(
        {
            "/my-things": {"get": {"responses": ok(ARRAY)}},
            "/my-things/{id}": {"get": {"parameters": [_path("id")], "responses": ok(OBJECT)}},
        }
    )
    assert names(doc) == {
        "GET /my-things": "my_things.list",
        "GET /my-things/{id}": "my_things.get",
    }


def _path(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def test_wire_placeholders_are_kept_apart_from_argument_names():
    doc = document(
        {"/pets/{petId}": {"get": {"parameters": [_path("petId")], "responses": ok(OBJECT)}}}
    )
    (param,) = model_of(doc).operations[0].parameters
    assert (param.wire_name, param.python_name) == ("petId", "pet_id")


@pytest.mark.parametrize("reverse", [False, True])
def test_collisions_are_resolved_deterministically_with_a_warning(reverse):
    paths = {
        "/w": {"post": {"operationId": "createW", "requestBody": json_body(OBJECT),
                        "responses": ok(OBJECT)}},
        "/w/{id}": {"post": {"operationId": "replaceW", "parameters": [_path("id")],
                             "requestBody": json_body(OBJECT), "responses": ok(OBJECT)}},
        "/w/{id}/": {"post": {"parameters": [_path("id")], "responses": ok(OBJECT)}},
    }  # fmt: skip
    if reverse:
        paths = dict(reversed(paths.items()))
    with pytest.warns(NamingWarning) as caught:
        result = names(document(paths))
    assert result == {
        "POST /w": "w.post",  # fewest path parameters keeps the name
        "POST /w/{id}": "w.replace_w",  # then the operationId
        "POST /w/{id}/": "w.post_by_id",  # no operationId: the name and its parameters
    }
    assert len(caught) == 2


def test_same_name_in_path_and_query_are_told_apart():
    doc = document(
        {
            "/w/{id}": {
                "get": {
                    "parameters": [
                        _path("id"),
                        {"name": "id", "in": "query", "schema": {"type": "string"}},
                    ],
                    "responses": ok(OBJECT),
                }
            }
        }
    )
    params = model_of(doc).operations[0].parameters
    assert sorted(p.python_name for p in params) == ["id_path", "id_query"]


def test_every_argument_name_is_unique():
    doc = document(
        {
            "/w/{id}": {
                "post": {
                    "parameters": [
                        _path("id"),
                        {"name": "userId", "in": "query", "schema": {"type": "integer"}},
                        {"name": "user_id", "in": "query", "schema": {"type": "integer"}},
                    ],
                    "requestBody": json_body(
                        {"type": "object", "properties": {"id": {"type": "string"},
                                                          "body": {"type": "string"}}}
                    ),
                    "responses": ok(OBJECT),
                }
            }
        }
    )  # fmt: skip
    op = model_of(doc).operations[0]
    names = [(p.wire_name, p.python_name) for p in op.parameters]
    assert names == [("id", "id"), ("userId", "user_id_query"), ("user_id", "user_id_query_2")]
    assert [(f.wire_name, f.python_name) for f in op.body.fields] == [
        ("id", "id_body"),
        ("body", "body_"),
    ]


def test_allof_is_merged_into_body_fields_and_answers():
    base = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}
    doc = document(
        {
            "/pets": {
                "post": {
                    "requestBody": json_body(
                        {"allOf": [{"$ref": "#/components/schemas/Base"},
                                   {"properties": {"age": {"type": "integer"}}}]}
                    ),
                    "responses": ok({"allOf": [{"$ref": "#/components/schemas/Base"}, OBJECT]}),
                }
            }
        },
        components={"schemas": {"Base": base}},
    )  # fmt: skip
    op = model_of(doc).operations[0]
    assert [(f.wire_name, f.required, f.type_label) for f in op.body.fields] == [
        ("name", True, "string"),
        ("age", False, "integer"),
    ]
    assert op.response.item_fields == ("name", "id")


@pytest.mark.parametrize(
    ("version", "props", "expected"),
    [
        ("3.1.0", {"a": {"type": ["string", "null"]}, "b": {"type": ["integer", "string"]}},
         {"a": "string | null", "b": "integer | string"}),
        ("3.0.3", {"a": {"type": "string", "nullable": True}, "c": {"allOf": [{"type": "string"}]},
                   "d": {"oneOf": [{"type": "string"}, {"type": "integer"}]}, "e": {}},
         {"a": "string | null", "c": "string", "d": "string | integer", "e": "any"}),
    ],
)  # fmt: skip
def test_types_3_1_lists_and_3_0_nullable(version, props, expected):
    schema = {"type": "object", "properties": props}
    paths = {"/w": {"post": {"requestBody": json_body(schema), "responses": ok()}}}
    fields = model_of(document(paths, version=version)).operations[0].body.fields
    assert {f.wire_name: f.type_label for f in fields} == expected


def test_array_bodies_are_one_argument():
    doc = document({"/w": {"post": {"requestBody": json_body(ARRAY), "responses": ok()}}})
    body = model_of(doc).operations[0].body
    assert (body.kind, body.fields) == ("array", ())
    assert body.form_unsupported == "the body is a list"


def test_oneof_bodies_are_marked_unsupported_for_forms_with_the_reason():
    schema = {"oneOf": [OBJECT, {"type": "object", "properties": {"x": {"type": "string"}}}]}
    doc = document({"/w": {"post": {"requestBody": json_body(schema), "responses": ok()}}})
    op = model_of(doc).operations[0]
    assert op.supported  # the client takes it whole as `body`
    assert op.body.form_unsupported == (
        "the body is one of several schemas (oneOf); a form cannot tell which one to build"
    )


def test_ref_cycles_load_self_and_mutual():
    schemas = {
        "Node": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Node"},
                                                  "other": {"$ref": "#/components/schemas/A"}}},
        "A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}},
        "B": {"allOf": [{"$ref": "#/components/schemas/A"}],
              "properties": {"a": {"$ref": "#/components/schemas/A"}}},
    }  # fmt: skip
    doc = document(
        {
            "/nodes": {
                "post": {
                    "requestBody": json_body({"$ref": "#/components/schemas/B"}),
                    "responses": ok({"$ref": "#/components/schemas/Node"}),
                }
            }
        },
        components={"schemas": schemas},
    )
    op = model_of(doc).operations[0]
    assert [f.wire_name for f in op.body.fields] == ["a", "b"]
    assert op.response.item_fields == ("next", "other")


def test_operations_the_client_cannot_send_are_listed_with_why():
    form = {"content": {"multipart/form-data": {"schema": OBJECT}}}
    doc = document(
        {
            "/files": {"post": {"requestBody": form, "responses": ok()}},
            "/c": {
                "get": {
                    "parameters": [{"name": "s", "in": "cookie", "schema": {"type": "string"}}],
                    "responses": ok(),
                }
            },
        }
    )
    assert dict(model_of(doc).unsupported) == {
        "POST /files": "the request body is multipart/form-data; the hub's client sends JSON only",
        "GET /c": "the cookie parameter 's' is not sent by the hub's client",
    }


def test_an_invalid_document_is_refused_with_where():
    with pytest.raises(DocumentError, match="not valid"):
        local_document({"openapi": "3.0.3", "info": {"title": "x"}, "paths": {}})
    placeholder_without_parameter = document({"/w/{id}": {"get": {"responses": ok(OBJECT)}}})
    with pytest.raises(DocumentError, match="Path parameter 'id'"):
        local_document(placeholder_without_parameter)
    with pytest.raises(DocumentError, match="no 'openapi' or 'swagger'"):
        local_document({"paths": {}})


def test_yaml_integer_status_keys_are_read_as_strings(tmp_path):
    path = tmp_path / "doc.yaml"
    path.write_text(
        "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /w:\n    get:\n"
        "      responses:\n        200:\n          description: ok\n"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = model_of(path)
    assert model.operations[0].response.status == "200"


def test_signatures_required_positional_optional_keyword_only_defaults_from_the_document():
    doc = document(
        {
            "/w/{wId}": {
                "get": {
                    "parameters": [
                        _path("wId"),
                        {"name": "pageSize", "in": "query", "schema": {"type": "integer",
                                                                       "default": 20}},
                        {"name": "q", "in": "query", "required": True,
                         "schema": {"type": "string"}},
                    ],
                    "responses": ok(OBJECT),
                }
            }
        }
    )  # fmt: skip
    compiled = local_document(doc)
    method = compiled.resource_classes["w"].get
    params = inspect.signature(method).parameters
    assert [(n, p.kind.name, p.default) for n, p in params.items()] == [
        ("self", "POSITIONAL_OR_KEYWORD", inspect.Parameter.empty),
        ("w_id", "POSITIONAL_OR_KEYWORD", inspect.Parameter.empty),
        ("q", "POSITIONAL_OR_KEYWORD", inspect.Parameter.empty),
        ("page_size", "KEYWORD_ONLY", 20),
    ]
    assert params["page_size"].annotation == int | None
    assert params["q"].annotation is str
