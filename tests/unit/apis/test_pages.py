"""Which pages a resource gets from its operations, and its filters (apis/pages.py)."""

from __future__ import annotations

import pytest

from apis.pages import ApiResourcePages, summarize
from integrations.models import Connection
from integrations.openapi.cache import local_document


def _document(list_parameters: list[dict], *, path: str = "/things") -> dict:
    item = {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}
    listing = {
        "parameters": list_parameters,
        "responses": {
            "200": {
                "description": "ok",
                "content": {"application/json": {"schema": {"type": "array", "items": item}}},
            }
        },
    }
    one = {
        "description": "ok",
        "content": {"application/json": {"schema": item}},
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "Things", "version": "1"},
        "paths": {
            path: {"get": listing},
            "/things/{id}": {
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "get": {"responses": {"200": one}},
                "delete": {"responses": {"204": {"description": "gone"}}},
            },
        },
    }


def _param(name: str, *, required: bool = False, kind: str = "string") -> dict:
    return {"name": name, "in": "query", "required": required, "schema": {"type": kind}}


def test_pages_follow_the_operations_and_say_why_not():
    compiled = local_document(_document([]))
    summary = summarize(compiled.model.resource("things"))
    assert summary.pages == ("list", "detail", "delete")
    assert summary.problems == (
        "no create page: the document has no operation for it",
        "no edit page: the document has no operation for it",
    )


def test_a_list_needing_a_value_no_field_holds_gets_no_pages():
    array = {"name": "ids", "in": "query", "required": True,
             "schema": {"type": "array", "items": {"type": "integer"}}}  # fmt: skip
    compiled = local_document(_document([array]))
    summary = summarize(compiled.model.resource("things"))
    assert summary.pages == ()
    assert summary.problems == ("its list needs ids, which no filter field can hold",)


@pytest.mark.django_db
def test_required_query_parameters_are_required_filters():
    params = [_param("q"), _param("_sort"), _param("owner"), _param("team", required=True)]
    compiled = local_document(_document(params))
    connection = Connection.objects.create(provider="openapi", name="t", base_url="https://x.test")
    pages = ApiResourcePages(connection, compiled, compiled.model.resource("things"))
    form = pages.filter_form({})
    assert list(form.fields) == ["q", "team", "owner"]  # `_sort` is the API's control
    assert form.fields["team"].label == "Team (required)"
    assert form.missing() == ["Team (required)"]
    filled = pages.filter_form({"team": "7", "q": "x"})
    assert filled.missing() == [] and filled.filters() == {"team": "7", "q": "x"}
