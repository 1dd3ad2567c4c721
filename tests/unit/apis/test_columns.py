"""A list operation's item schema → the list's columns; records → cells (issue #16)."""

from __future__ import annotations

from apis.columns import cell, columns, default_columns, detail_rows, item_schema
from integrations.openapi.model import ResponseShape
from integrations.openapi.refs import Resolver

DOCUMENT = {
    "components": {
        "schemas": {
            "Thing": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "id": {"type": "integer"},
                    "owner": {"type": "object", "properties": {"id": {"type": "integer"}}},
                    "size": {"type": ["integer", "null"]},
                    "done": {"type": "boolean"},
                    "kind": {"$ref": "#/components/schemas/Kind"},
                    "note": {"type": "string"},
                    "extra": {"type": "string"},
                },
            },
            "Kind": {"type": "string", "enum": ["a", "b"]},
            "Page": {
                "type": "object",
                "properties": {
                    "data": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}
                },
            },
            "Things": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}},
        }
    }
}
resolver = Resolver(DOCUMENT)


def test_the_item_schema_of_an_array_and_of_an_envelope():
    array = ResponseShape("200", "#/components/schemas/Things", True)
    envelope = ResponseShape("200", "#/components/schemas/Page", True, "data")
    assert "name" in item_schema(resolver, array)["properties"]
    assert item_schema(resolver, envelope) == item_schema(resolver, array)
    assert item_schema(resolver, None) == {}


def test_default_columns_are_the_id_then_the_first_scalars():
    thing = item_schema(resolver, ResponseShape("200", "#/components/schemas/Things", True))
    # tags (a list) and owner (an object) are no cells; a nullable integer and an enum are
    assert default_columns(resolver, thing) == ["id", "name", "size", "done", "kind"]


def test_chosen_columns_win_but_only_fields_the_item_has():
    thing = item_schema(resolver, ResponseShape("200", "#/components/schemas/Things", True))
    chosen = columns(resolver, thing, ["note", "missing", "owner"])
    assert [(c.field, c.label) for c in chosen] == [("note", "Note"), ("owner", "Owner")]
    assert next(c.field for c in columns(resolver, thing, ["missing"])) == "id"


def test_cells_and_detail_rows():
    assert cell(True) == "Yes" and cell(None) == "" and cell(["a", 2]) == "a, 2"
    record = {"id": 1, "address": {"city": "Oslo", "geo": {"lat": "1"}}, "tags": []}
    assert detail_rows(record) == [
        ("Id", "1"),
        ("Address > City", "Oslo"),
        ("Address > Geo > Lat", "1"),
        ("Tags", ""),
    ]
