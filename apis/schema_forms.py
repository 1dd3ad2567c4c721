"""A request body's schema → a Django form, and the form's values → the body.

Each property of an object body becomes a field: strings (with `date`,
`date-time`, `email`, `uri` formats), integers and numbers (with their
bounds), booleans (a checkbox when required, else yes/no/not set), enums as
selects, arrays of scalars (one value per line, or checkboxes for an enum),
nested objects as fieldsets (their fields named `parent__child`). `readOnly`
properties are left out. What no field can hold (a list of objects, a choice
of schemas, free-form JSON) is listed in `skipped` with the reason, so the
page can say what it does not offer.

Before anything is sent, `clean()` checks the body against the document's
schema with the client's own validator (`BodyValidator`), so `pattern`,
`minLength`, `required` and the rest are checked exactly as the client would,
and each message lands on its field.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.utils.html import escape

from core.forms import Edit, EditConflict, EditFormMixin
from integrations.openapi.body_validation import BodyValidator
from integrations.openapi.refs import Resolver, UnresolvableRef, child
from integrations.openapi.schemas import merged, types_of

SEP = "__"  # `address__city` is the field of the body's `address.city`
MAX_DEPTH = 3  # nested objects deeper than this are skipped (with the reason)
SCALARS = ("string", "integer", "number", "boolean")
_LONG_TEXT = ("body", "description", "content", "notes", "text", "comment", "message")


@dataclass(frozen=True)
class FieldSpec:
    """One form field: where its value goes in the body and what it holds."""

    path: tuple[str, ...]  # wire names from the body's root: ("address", "city")
    kind: str  # string, integer, number, boolean, enum, array (of scalars)
    required: bool  # the schema requires it (and, nested, every parent on the way)
    schema: dict
    item_kind: str = ""  # arrays: the items' kind ("string", "integer", "enum" …)

    @property
    def name(self) -> str:
        return SEP.join(self.path)

    @property
    def label(self) -> str:
        return label_for(self.path[-1])


@dataclass(frozen=True)
class Group:
    """A nested object: a fieldset of its own fields."""

    path: tuple[str, ...]
    names: tuple[str, ...]  # its fields' form names (nested groups' fields included)

    @property
    def legend(self) -> str:
        return " > ".join(label_for(part) for part in self.path)


@dataclass(frozen=True)
class Skipped:
    path: str  # `address.geo`
    reason: str


@dataclass(frozen=True)
class BodyLayout:
    """What a body schema offers a form: fields, fieldsets and what it cannot hold."""

    pointer: str
    fields: tuple[FieldSpec, ...]
    groups: tuple[Group, ...]
    skipped: tuple[Skipped, ...]


def label_for(name: str) -> str:
    """`userId` → "User id", `thumbnail_url` → "Thumbnail url"."""
    words: list[str] = []
    current = ""
    for char in name.replace("-", "_"):
        if char == "_" or (char.isupper() and current and not current[-1].isupper()):
            if current:
                words.append(current)
            current = "" if char == "_" else char
        else:
            current += char
    if current:
        words.append(current)
    text = " ".join(word.lower() for word in words)
    return text[:1].upper() + text[1:] if text else name


def schema_at(resolver: Resolver, pointer: str) -> dict:
    """The merged schema at a JSON pointer ({} when it cannot be read)."""
    try:
        return merged(resolver, {"$ref": pointer}, pointer)
    except UnresolvableRef:
        return {}


def body_layout(resolver: Resolver, pointer: str) -> BodyLayout:
    """The fields an object body's schema gives (see the module docstring)."""
    fields: list[FieldSpec] = []
    groups: list[Group] = []
    skipped: list[Skipped] = []
    _walk(resolver, schema_at(resolver, pointer), pointer, (), True, fields, groups, skipped)
    return BodyLayout(pointer, tuple(fields), tuple(groups), tuple(skipped))


def _walk(
    resolver: Resolver,
    schema: dict,
    pointer: str,
    prefix: tuple[str, ...],
    parent_required: bool,
    fields: list[FieldSpec],
    groups: list[Group],
    skipped: list[Skipped],
) -> None:
    required = set(schema.get("required") or [])
    for name, raw in (schema.get("properties") or {}).items():
        prop_pointer = child(pointer, "properties", name)
        path = (*prefix, name)
        try:
            prop = merged(resolver, raw, prop_pointer)
            types, _nullable = types_of(resolver, prop, prop_pointer)
        except UnresolvableRef as exc:
            skipped.append(Skipped(".".join(path), f"its schema cannot be read ({exc})"))
            continue
        if prop.get("readOnly") is True:
            continue
        is_required = parent_required and name in required
        kind, reason = _kind(resolver, prop, prop_pointer, types)
        if kind == "object":
            if len(path) >= MAX_DEPTH:
                skipped.append(Skipped(".".join(path), "nested too deep for a form"))
                continue
            before = len(fields)
            _walk(resolver, prop, prop_pointer, path, is_required, fields, groups, skipped)
            names = tuple(spec.name for spec in fields[before:])
            if names:
                groups.append(Group(path, names))
        elif reason:
            skipped.append(Skipped(".".join(path), reason))
        else:
            item_kind = ""
            if kind == "array":
                items = merged(resolver, prop.get("items") or {}, child(prop_pointer, "items"))
                item_types = types_of(resolver, items, prop_pointer)[0]
                item_kind = "enum" if isinstance(items.get("enum"), list) else item_types[0]
                prop = {**prop, "items": items}
            fields.append(FieldSpec(path, kind, is_required, prop, item_kind))


def _kind(resolver: Resolver, prop: dict, pointer: str, types: tuple[str, ...]) -> tuple[str, str]:
    """(the field kind, "") or ("", why no field can hold it)."""
    if any(key in prop for key in ("oneOf", "anyOf")):
        return "", "one of several schemas (oneOf/anyOf)"
    if isinstance(prop.get("enum"), list) and prop["enum"]:
        return "enum", ""
    if len(types) != 1:
        return "", "free-form JSON" if not types else f"one of several types ({', '.join(types)})"
    kind = types[0]
    if kind == "object":
        if not prop.get("properties"):
            return "", "an object without declared properties"
        return "object", ""
    if kind == "array":
        try:
            items = merged(resolver, prop.get("items") or {}, child(pointer, "items"))
            item_types = types_of(resolver, items, pointer)[0]
        except UnresolvableRef:
            return "", "a list whose items cannot be read"
        if isinstance(items.get("enum"), list) or (
            len(item_types) == 1 and item_types[0] in SCALARS and item_types[0] != "boolean"
        ):
            return "array", ""
        return "", "a list of objects" if "object" in item_types else "a list of mixed values"
    return kind, ""


# --- the Django form ---------------------------------------------------------------------


def form_field(spec: FieldSpec) -> forms.Field:
    """The Django field for one spec, with the schema's bounds where Django has them."""
    schema, required = spec.schema, spec.required
    common: dict[str, Any] = {
        "label": spec.label,
        # Django's and crispy's templates render help text as HTML: the document's words
        # are untrusted, so they are escaped here.
        "help_text": escape(str(schema.get("description") or "")[:300]),
    }
    if spec.kind == "enum":
        choices = [(str(value), str(value)) for value in schema["enum"] if value is not None]
        if not required:
            choices.insert(0, ("", "—"))
        return forms.ChoiceField(choices=choices, required=required, **common)
    if spec.kind == "boolean":
        if required:
            return forms.BooleanField(required=False, **common)  # unchecked is a real False
        choices = [("", "—"), ("true", "Yes"), ("false", "No")]
        return forms.ChoiceField(choices=choices, required=False, **common)
    if spec.kind == "integer":
        bounds = _bounds(schema)
        return forms.IntegerField(required=required, **bounds, **common)
    if spec.kind == "number":
        return forms.FloatField(required=required, **_bounds(schema), **common)
    if spec.kind == "array":
        items = schema.get("items") or {}
        if spec.item_kind == "enum":
            choices = [(str(v), str(v)) for v in items["enum"] if v is not None]
            return forms.MultipleChoiceField(
                choices=choices, required=required, widget=forms.CheckboxSelectMultiple, **common
            )
        common["help_text"] = (common["help_text"] + " One value per line.").strip()
        return forms.CharField(
            required=required, widget=forms.Textarea(attrs={"rows": 3}), **common
        )
    return _string_field(spec, common)


def _string_field(spec: FieldSpec, common: dict[str, Any]) -> forms.Field:
    schema, required = spec.schema, spec.required
    fmt = schema.get("format")
    if fmt == "date":
        return forms.DateField(
            required=required, widget=forms.DateInput(attrs={"type": "date"}), **common
        )
    if fmt == "date-time":
        return forms.DateTimeField(
            required=required,
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
            **common,
        )
    lengths = {
        key: schema[source]
        for key, source in (("max_length", "maxLength"), ("min_length", "minLength"))
        if isinstance(schema.get(source), int)
    }
    if fmt == "email":
        return forms.EmailField(required=required, **lengths, **common)
    if fmt in ("uri", "url"):
        return forms.URLField(required=required, assume_scheme="https", **lengths, **common)
    widget: forms.Widget | None = None
    if fmt == "password":
        widget = forms.PasswordInput(render_value=True)
    elif spec.path[-1].lower() in _LONG_TEXT and lengths.get("max_length", 10_000) > 255:
        widget = forms.Textarea(attrs={"rows": 4})
    return forms.CharField(required=required, widget=widget, **lengths, **common)


def _bounds(schema: dict) -> dict[str, Any]:
    bounds = {}
    if isinstance(schema.get("minimum"), int | float):
        bounds["min_value"] = schema["minimum"]
    if isinstance(schema.get("maximum"), int | float):
        bounds["max_value"] = schema["maximum"]
    return bounds


class SchemaForm(EditFormMixin):
    """A form made from a body schema (`schema_form_class` sets the class attributes).

    `body` (after `is_valid()`) is what will be sent: for a create every value given.
    An edit (`is_edit`) carries the record as its page showed it (`base`) and is checked
    against the record as read again when the form is sent (its `initial`): a field the
    person left as it was keeps the API's value now, one that both changed is a conflict
    (`EditConflict`, shown on the form, nothing sent). With `changes_only` (a PATCH) the
    body has only the fields the person changed; otherwise (a PUT replaces the record)
    every value, the API's own where the person changed nothing.
    """

    layout: BodyLayout
    validator: BodyValidator
    is_edit: bool = False
    changes_only: bool = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, editing=self.is_edit, **kwargs)
        for spec in self.layout.fields:
            self.fields[spec.name] = form_field(spec)
        self.provider_field_names = {spec.name.replace(SEP, "."): spec.name for spec in self.specs}
        self.body: dict[str, Any] = {}
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = self._crispy_layout()

    @property
    def specs(self) -> tuple[FieldSpec, ...]:
        return self.layout.fields

    def compared_fields(self) -> list[str]:
        return [spec.name for spec in self.specs]

    def edit(self) -> Edit:
        """The edit in the form's values (the shown ones read as each field reads input)."""
        base = self.cleaned_data["base"]
        return Edit(
            base={name: self._python(name, value) for name, value in base.items()},
            mine={name: self.cleaned_data.get(name) for name in base},
            untouched=self.untouched(),
        )

    def _python(self, name: str, value: Any) -> Any:
        try:
            return self.fields[name].to_python(value)
        except forms.ValidationError:
            return value

    def _crispy_layout(self) -> Layout:
        grouped = {name for group in self.layout.groups for name in group.names}
        parts: list[Any] = ["submission_key", *(["base"] if self.editing else [])]
        parts += [spec.name for spec in self.specs if spec.name not in grouped]
        outermost = [g for g in self.layout.groups if len(g.path) == 1]
        for group in outermost:
            parts.append(Fieldset(escape(group.legend), *group.names))  # rendered as HTML
        return Layout(*parts)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        given = {s.name: cleaned[s.name] for s in self.specs if s.name in cleaned}
        # With a field's own error the form goes back anyway: its other values are checked.
        sent = self._sent_values() if self.editing and not self.errors else given
        if sent is None:
            return cleaned
        values: dict[tuple[str, ...], Any] = {}
        for spec in self.specs:
            if spec.name not in sent:
                continue
            try:
                value = wire_value(spec, sent[spec.name])
            except ValueError as exc:
                self.add_error(spec.name, str(exc))
                continue
            if value is not _OMIT:
                values[spec.path] = value
        if self.errors:
            return cleaned
        self.body = nest(values)
        if self.changes_only and not self.body:
            return cleaned
        for path, messages in self.validator.errors(self.layout.pointer, self.body).items():
            name = self.provider_field_names.get(path)
            if self.changes_only and name and name not in sent:
                continue  # a field left as it was: the API still has it (a PATCH)
            for message in dict.fromkeys(messages):
                self.add_error(name, message if name else f"{path}: {message}")
        return cleaned

    def _sent_values(self) -> dict[str, Any] | None:
        """An edit's values the body is made of, merged over the record as read now;
        None after a conflict (shown on the form)."""
        edit = self.edit()
        stored = {name: self._python(name, self.initial.get(name)) for name in edit.base}
        try:
            changes = edit.merged(stored)
        except EditConflict as conflict:
            self.show_conflict(conflict)
            return None
        return changes if self.changes_only else {**stored, **changes}


_OMIT = object()


def wire_value(spec: FieldSpec, value: Any) -> Any:
    """A cleaned form value as the API wants it; `_OMIT` for an optional blank."""
    if spec.kind == "boolean":
        if spec.required:
            return bool(value)
        return _OMIT if value in ("", None) else value == "true"
    if value in ("", None, []):
        return _OMIT
    if spec.kind == "enum":
        return next(v for v in spec.schema["enum"] if str(v) == value)
    if spec.kind == "array":
        if spec.item_kind == "enum":
            allowed = spec.schema["items"]["enum"]
            return [next(v for v in allowed if str(v) == chosen) for chosen in value]
        lines = [line.strip() for line in str(value).splitlines() if line.strip()]
        return [_scalar(spec.item_kind, line) for line in lines]
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def _scalar(kind: str, text: str) -> Any:
    if kind == "integer":
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a whole number.") from None
    if kind == "number":
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a number.") from None
    return text


def nest(values: dict[tuple[str, ...], Any]) -> dict[str, Any]:
    """{("address", "city"): "X"} → {"address": {"city": "X"}}."""
    body: dict[str, Any] = {}
    for path, value in values.items():
        node = body
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    return body


def initial_values(layout: BodyLayout, record: dict[str, Any]) -> dict[str, Any]:
    """The edit form's values from the record as the API answered it."""
    initial: dict[str, Any] = {}
    for spec in layout.fields:
        value: Any = record
        for part in spec.path:
            value = value.get(part) if isinstance(value, dict) else None
        if value is None:
            continue
        if spec.kind == "boolean" and not spec.required:
            value = "true" if value else "false"
        elif spec.kind == "array" and spec.item_kind != "enum" and isinstance(value, list):
            value = "\n".join(str(item) for item in value)
        elif spec.kind == "enum" or (spec.kind == "array" and spec.item_kind == "enum"):
            value = [str(v) for v in value] if isinstance(value, list) else str(value)
        initial[spec.name] = value
    return initial


def schema_form_class(
    layout: BodyLayout,
    validator: BodyValidator,
    *,
    is_edit: bool = False,
    changes_only: bool = False,
) -> type[SchemaForm]:
    """A form class for this body (one per page view: the document may change)."""
    attrs = {
        "layout": layout,
        "validator": validator,
        "is_edit": is_edit,
        "changes_only": changes_only,
    }
    return type("GeneratedSchemaForm", (SchemaForm,), attrs)
