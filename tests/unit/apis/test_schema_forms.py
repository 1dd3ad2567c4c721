"""A request body's schema → form fields, and the form's values → the body (issue #16)."""

from __future__ import annotations

import pytest
from django import forms

from apis.schema_forms import body_layout, initial_values, label_for, schema_form_class
from core.forms import edit_base
from integrations.openapi.body_validation import BodyValidator
from integrations.openapi.refs import Resolver

POINTER = "#/components/schemas/New"

DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": "T", "version": "1"},
    "paths": {},
    "components": {
        "schemas": {
            "New": {
                "type": "object",
                "required": ["name", "size", "kind", "active"],
                "properties": {
                    "id": {"type": "integer", "readOnly": True},
                    "name": {"type": "string", "minLength": 2, "maxLength": 20},
                    "size": {"type": "integer", "minimum": 1, "maximum": 10},
                    "ratio": {"type": "number"},
                    "kind": {"type": "string", "enum": ["small", "large"]},
                    "active": {"type": "boolean"},
                    "archived": {"type": "boolean"},
                    "due": {"type": "string", "format": "date"},
                    "email": {"type": "string", "format": "email"},
                    "site": {"type": "string", "format": "uri"},
                    "code": {"type": "string", "pattern": "^[A-Z]{3}$"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "scores": {"type": "array", "items": {"type": "integer"}},
                    "colours": {
                        "type": "array",
                        "items": {"type": "string", "enum": ["red", "blue"]},
                    },
                    "address": {"$ref": "#/components/schemas/Address"},
                    "lines": {"type": "array", "items": {"$ref": "#/components/schemas/Address"}},
                    "either": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
                    "extra": {},
                },
            },
            "Address": {
                "type": "object",
                "required": ["city"],
                "properties": {"city": {"type": "string"}, "zip": {"type": "string"}},
            },
        }
    },
}


@pytest.fixture
def form_class():
    layout = body_layout(Resolver(DOCUMENT), POINTER)
    return schema_form_class(layout, BodyValidator(DOCUMENT, "3.0.3"))


def _data(**values):
    base = {"submission_key": "k", "name": "Box", "size": "3", "kind": "small", "active": "on"}
    return {**base, **values}


def test_each_kind_of_property_gets_its_field(form_class):
    fields = form_class().fields
    assert "id" not in fields  # readOnly
    assert isinstance(fields["name"], forms.CharField) and fields["name"].max_length == 20
    assert isinstance(fields["size"], forms.IntegerField) and fields["size"].max_value == 10
    assert isinstance(fields["ratio"], forms.FloatField)
    assert isinstance(fields["kind"], forms.ChoiceField)
    assert [c[0] for c in fields["kind"].choices] == ["small", "large"]  # required: no blank
    assert isinstance(fields["active"], forms.BooleanField)  # required: a checkbox
    assert [c[0] for c in fields["archived"].choices] == ["", "true", "false"]
    assert isinstance(fields["due"], forms.DateField)
    assert isinstance(fields["email"], forms.EmailField)
    assert isinstance(fields["site"], forms.URLField)
    assert isinstance(fields["tags"].widget, forms.Textarea)
    assert isinstance(fields["colours"], forms.MultipleChoiceField)
    assert fields["address__city"].required is False  # address itself is optional
    assert [f.name for f in form_class().specs if f.path[0] == "address"] == [
        "address__city",
        "address__zip",
    ]


def test_required_fields_are_marked(form_class):
    fields = form_class().fields
    required = {name for name, field in fields.items() if field.required}
    assert required == {"submission_key", "name", "size", "kind"}


def test_what_no_field_can_hold_is_listed_with_why(form_class):
    skipped = {s.path: s.reason for s in form_class.layout.skipped}
    assert skipped == {
        "lines": "a list of objects",
        "either": "one of several schemas (oneOf/anyOf)",
        "extra": "free-form JSON",
    }


def test_the_body_has_the_wire_types_and_leaves_out_blanks(form_class):
    form = form_class(
        _data(
            ratio="0.5",
            archived="false",
            due="2026-12-01",
            tags="a\n\n b \n",
            scores="1\n2",
            colours=["blue"],
            address__city="Oslo",
        )
    )
    assert form.is_valid(), form.errors
    assert form.body == {
        "name": "Box",
        "size": 3,
        "ratio": 0.5,
        "kind": "small",
        "active": True,
        "archived": False,
        "due": "2026-12-01",
        "tags": ["a", "b"],
        "scores": [1, 2],
        "colours": ["blue"],
        "address": {"city": "Oslo"},
    }


def test_an_unchecked_required_boolean_is_sent_false(form_class):
    form = form_class(_data(active=""))
    assert form.is_valid(), form.errors
    assert form.body["active"] is False and "archived" not in form.body


def test_schema_constraints_are_checked_before_sending(form_class):
    form = form_class(_data(name="B", size="11", code="abc", scores="1\nx", address__zip="1"))
    assert not form.is_valid()
    assert form.errors["name"] == ["Ensure this value has at least 2 characters (it has 1)."]
    assert form.errors["size"] == ["Ensure this value is less than or equal to 10."]
    assert form.errors["scores"] == ["'x' is not a whole number."]


def test_the_document_schema_checks_what_django_does_not(form_class):
    form = form_class(_data(code="abc", address__zip="1"))
    assert not form.is_valid()
    assert "does not match" in form.errors["code"][0]  # the pattern
    assert form.errors["address__city"] == ["This field is required."]  # nested required


def test_provider_errors_land_on_their_fields(form_class):
    form = form_class(_data())
    assert form.is_valid()
    form.add_provider_errors({"address.city": ["unknown city"], "name": ["taken"]}, "refused")
    assert form.errors["address__city"] == ["unknown city"]
    assert form.errors["name"] == ["taken"]


def test_an_edit_sends_only_the_changed_fields():
    layout = body_layout(Resolver(DOCUMENT), POINTER)
    edit = schema_form_class(
        layout, BodyValidator(DOCUMENT, "3.0.3"), is_edit=True, changes_only=True
    )
    record = {"id": 5, "name": "Box", "size": 3, "kind": "small", "active": True, "tags": ["a"]}
    initial = initial_values(layout, record)
    assert initial["tags"] == "a" and initial["kind"] == "small"
    shown = {spec.name: initial.get(spec.name) for spec in layout.fields}
    form = edit(_data(size="4", tags="a", base=edit_base(shown)), initial=initial)
    assert form.is_valid(), form.errors
    assert form.body == {"size": 4}


def test_labels_read_like_words():
    assert label_for("userId") == "User id"
    assert label_for("thumbnail_url") == "Thumbnail url"
    assert label_for("HTMLPage") == "Htmlpage"
