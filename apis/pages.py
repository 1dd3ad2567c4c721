"""Resource descriptions made from an OpenAPI document, at run time.

For each resource of an `openapi` connection whose document has a list
operation (`GET /posts` answering a list), `api_pages(connection, name)`
builds an `ApiResourcePages`: the same kind of description as the hand-written
ones (`core.resources.ResourcePages`), with its data taken from the document
instead of a class body. The list is read live through the connection's
dynamic client, or, once an administrator switches its sync on, from the hub's
copy (`ApiRecord`, apis/sync.py: searched, filtered and sorted by any column);
its pages are the views in `apis/views.py`, which use the shared pieces of
`core.resource_views` (the write report, the not-connected page).

Which operation serves which page (civis-python's method names, `naming.py`):
list `list`, detail `get`, create `post`, edit `patch` (else `put`), delete
`delete`. A page whose operation is missing, unsupported, or has a body no form
can be made from is left out, and `problems` says why.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar

from django import forms
from django.db.models.fields.json import KeyTransform, compile_json_path
from django.urls import reverse

from apis.columns import Column, columns, id_field, item_schema
from apis.models import ApiRecord, ResourceColumns
from apis.schema_forms import (
    BodyLayout,
    SchemaForm,
    body_layout,
    initial_values,
    label_for,
    schema_form_class,
)
from core.forms import ListFilterForm
from core.resources import ListColumn, ResourcePages, Service
from core.sorting import Column as SortColumn
from core.sorting import Sorting
from integrations.models import Connection
from integrations.openapi import cache
from integrations.openapi.client import CompiledApi
from integrations.openapi.model import Operation, Pagination, Parameter, Resource
from integrations.openapi.refs import Resolver

MAX_FILTERS = 6
_SCALAR_FILTERS = ("string", "integer", "number", "boolean")


@dataclass(frozen=True)
class ResourceSummary:
    """What the admin and the APIs menu say about one resource of a document."""

    name: str
    pages: tuple[str, ...]
    problems: tuple[str, ...]


class ApiFilterForm(ListFilterForm):
    """The list operation's query parameters as filters (`params` set per resource)."""

    params: ClassVar[tuple[Parameter, ...]] = ()
    search: ClassVar[bool] = False  # the `q` box: the API's `q`, or the synced copy's search

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.sorting is None:  # a live list: the API's pages, in the API's order
            del self.fields["sort"]
        else:  # the template keeps it as understood (`sort.value`), not as typed
            self.fields["sort"].widget = forms.HiddenInput()
        if not self.search:
            del self.fields["q"]
        for param in self.params:
            if param.wire_name == "q":
                continue
            self.fields[param.python_name] = _filter_field(param)
            if param.required:
                self.fields[param.python_name].label += " (required)"
        for field in self.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select" if select else "form-control"

    def missing(self) -> list[str]:
        """Labels of the required filters not given (the list cannot be asked for yet)."""
        data = self.valid_data()
        return [
            self.fields[p.python_name].label or p.wire_name
            for p in self.params
            if p.required and p.python_name not in data
        ]

    def filters(self) -> dict[str, Any]:
        """{python argument name: value} for the list method."""
        data = self.valid_data()
        by_wire = {p.wire_name: p.python_name for p in self.params}
        return {by_wire.get(name, name): value for name, value in data.items()}

    def item_filters(self) -> dict[str, Any]:
        """{item field (wire name): value}, for the synced copy's query (`q` apart)."""
        data = self.valid_data()
        return {p.wire_name: data[p.python_name] for p in self.params if p.python_name in data}


class JsonValue(KeyTransform):
    """One key of `ApiRecord.raw` as the database compares it: numbers as numbers, text
    as text; a JSON null is no value (SQL NULL), like a missing key. On PostgreSQL the
    `jsonb` value; on SQLite `JSON_EXTRACT` (Django's own key reads `null`, `true` and
    `false` as the words, so a null would sort among the texts)."""

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        sql, params = super().as_postgresql(compiler, connection)
        return f"NULLIF({sql}, 'null'::jsonb)", tuple(params)

    def as_sqlite(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, params, keys = self.preprocess_lhs(compiler, connection)
        return f"JSON_EXTRACT({lhs}, %s)", (*params, compile_json_path(keys))


def synced_sorting(listed: list[Column]) -> Sorting:
    """A synced list's sorting: each column by the record's JSON value of its field,
    records without one last either way; by default the order they were first saved in.
    A column mixing types (numbers and text) orders them by type, as each database does."""
    by_field = {c.field: SortColumn([JsonValue(c.field, "raw")], empty_last=True) for c in listed}
    return Sorting(columns=by_field, default="")


def _filter_field(param: Parameter) -> forms.Field:
    label = label_for(param.wire_name)
    if param.enum:
        choices = [("", "Any"), *((str(v), str(v)) for v in param.enum)]
        return forms.ChoiceField(choices=choices, required=False, label=label)
    kind = param.type_label.split(" | ")[0]
    if kind == "integer":
        return forms.IntegerField(required=False, label=label)
    if kind == "number":
        return forms.FloatField(required=False, label=label)
    if kind == "boolean":
        choices = [("", "Any"), ("true", "Yes"), ("false", "No")]
        return forms.TypedChoiceField(
            choices=choices, required=False, label=label, coerce=lambda v: v == "true"
        )
    return forms.CharField(required=False, max_length=200, label=label)


def _scalar(param: Parameter) -> bool:
    return param.type_label.split(" | ")[0] in _SCALAR_FILTERS


def filter_parameters(op: Operation) -> tuple[Parameter, ...]:
    """The list's filters: scalar query parameters, less the paging ones and the
    underscore-prefixed controls (json-server's `_sort`, `_start`), which the page
    sets itself or has no field for."""
    paging = {op.pagination.page_param, op.pagination.size_param} if op.pagination else set()
    required = [p for p in op.parameters if p.location == "query" and p.required]
    chosen = [
        p
        for p in op.parameters
        if p.location == "query"
        and not p.required
        and p.wire_name not in paging
        and not p.wire_name.startswith("_")
        and _scalar(p)
    ]
    return tuple(required + chosen[: max(0, MAX_FILTERS - len(required))])


def _operation(resource: Resource, *names: str) -> Operation | None:
    found = {op.name: op for op in resource.operations if op.supported}
    return next((found[name] for name in names if name in found), None)


def resource_operations(resource: Resource) -> dict[str, Operation]:
    """page → the operation that serves it (only the pages the document makes possible)."""
    ops = {
        "list": _operation(resource, "list"),
        "detail": _operation(resource, "get"),
        "create": _operation(resource, "post"),
        "edit": _operation(resource, "patch", "put"),
        "delete": _operation(resource, "delete"),
    }
    return {page: op for page, op in ops.items() if op is not None}


def summarize(resource: Resource) -> ResourceSummary:
    """Which pages a resource gets, and why not the others."""
    ops = resource_operations(resource)
    problems = []
    if "list" not in ops:
        return ResourceSummary(resource.name, (), ("no list operation (GET answering a list)",))
    if any(p.location == "path" for p in ops["list"].parameters):
        return ResourceSummary(resource.name, (), ("its list needs a path parameter",))
    unusable = [
        p.wire_name
        for p in ops["list"].parameters
        if p.required and not (p.location == "query" and _scalar(p))
    ]
    if unusable:
        why = f"its list needs {', '.join(unusable)}, which no filter field can hold"
        return ResourceSummary(resource.name, (), (why,))
    pages = ["list"]
    for page in ("detail", "create", "edit", "delete"):
        op = ops.get(page)
        if op is None:
            problems.append(f"no {page} page: the document has no operation for it")
        elif page in ("create", "edit") and (op.body is None or op.body.form_unsupported):
            why = op.body.form_unsupported if op.body else "it takes no body"
            problems.append(f"no {page} page ({op.endpoint}): {why}")
        elif page != "create" and op.path.count("{") != 1:
            problems.append(f"no {page} page ({op.endpoint}): it needs more than one id")
        else:
            pages.append(page)
    return ResourceSummary(resource.name, tuple(pages), tuple(problems))


def api_service(connection: Connection, title: str) -> Service:
    return Service(name=title or connection.name, kind="API", providers=("openapi",))


class ApiResourcePages(ResourcePages):
    """One resource of a connected API, described from its document (see the module)."""

    app = "apis"
    view_permission = "apis.view_api_records"
    change_permission = "apis.change_api_records"

    def __init__(self, connection: Connection, compiled: CompiledApi, resource: Resource) -> None:
        self.connection_row = connection
        self.compiled = compiled
        self.resolver = Resolver(compiled.document)
        self.resource = resource
        self.operations = resource_operations(resource)
        summary = summarize(resource)
        self.pages = summary.pages
        self.problems = summary.problems
        self.service = api_service(connection, compiled.model.title)
        self.name = resource.name
        self.path = resource.name
        self.plural = label_for(resource.name)
        self.singular = self.plural[:-1] if self.plural.endswith("s") else self.plural
        list_op = self.operations["list"]
        self.item = item_schema(self.resolver, list_op.response)
        self.id_field = id_field(self.resolver, self.item)
        chosen, self.synced = (
            ResourceColumns.objects.filter(connection=connection, resource=resource.name)
            .values_list("columns", "synced")
            .first()
        ) or ([], False)
        self.columns: list[Column] = columns(self.resolver, self.item, chosen)
        # Only the hub's copy can be sorted: a live list shows the API's pages one by one.
        self.sorting = synced_sorting(self.columns) if self.synced else None
        self.list_columns = tuple(
            ListColumn(c.label, sort=c.field if self.synced else "") for c in self.columns
        )
        params = filter_parameters(list_op)
        self.search = any(p.wire_name == "q" for p in list_op.parameters)
        if self.synced:  # read from the hub's copy: filters on the item's own fields
            known = set(self.item.get("properties") or {}) - {"q"}
            params = tuple(replace(p, required=False) for p in params if p.wire_name in known)
            self.search = True
            self.subtitle = f"Synced from {self.title} into the hub: searched and paged here."
        else:
            self.subtitle = f"Read live from {self.title}."
        form_class = {"params": params, "search": self.search}
        self.filter_form = type("ApiFilters", (ApiFilterForm,), form_class)
        self.outbox_operations = ("openapi.create", "openapi.update", "openapi.delete")

    @property
    def title(self) -> str:
        return self.compiled.model.title or self.connection_row.name

    # --- naming: URLs carry the connection and the resource ----------------------------

    def url(self, page: str, *args: Any) -> str:
        kwargs: dict[str, Any] = {"connection": self.connection_row.name, "resource": self.name}
        if args:
            kwargs["record_id"] = args[0]
        return reverse(f"apis:resource_{page}", kwargs=kwargs)

    @property
    def url_list(self) -> str:
        return self.url("list")

    @property
    def url_create(self) -> str:
        return self.url("create")

    def template(self, page: str) -> str:
        suffix = "form" if page in ("create", "edit") else page
        return f"apis/resource_{suffix}.html"

    # --- hooks ----------------------------------------------------------------------

    def connection(self) -> Connection | None:
        return self.connection_row if self.connection_row.is_active else None

    def has_records(self, *, connection: Connection) -> bool:
        return ApiRecord.objects.filter(connection=connection, resource=self.name).exists()

    def layout(self, page: str) -> BodyLayout:
        body = self.operations[page].body
        if body is None:  # summarize() leaves out create and edit pages without a body
            raise LookupError(f"{self.name} has no {page} form")
        return body_layout(self.resolver, body.schema_pointer)

    def form_for(self, page: str) -> type[SchemaForm]:
        """The create form (every value given is sent) or the edit form (changes only;
        a PUT replaces the record, so it sends every value)."""
        is_edit = page == "edit"
        changes_only = is_edit and self.operations["edit"].http_method == "PATCH"
        return schema_form_class(
            self.layout(page),
            self.compiled.validator,
            is_edit=is_edit,
            changes_only=changes_only,
        )

    def initial(self, record: Any) -> dict[str, Any]:
        return initial_values(self.layout("edit"), record)

    def record_id(self, record: dict[str, Any]) -> str:
        return str(record.get(self.id_field, "")) if self.id_field else ""

    def path_type(self, page: str) -> str:
        """The id parameter's type label (`integer`, `string`) of a detail-like page."""
        op = self.operations[page]
        param = next((p for p in op.parameters if p.location == "path"), None)
        return param.type_label if param else "string"

    def pagination_args(self, page: int) -> dict[str, Any]:
        """The list method's paging arguments for page `page` (1-based)."""
        style = self.operations["list"].pagination
        if style is None or style.style not in ("page", "offset"):
            return {}
        start = page if style.style == "page" else (page - 1) * self.per_page
        return self._list_paging(style, self.per_page, start)

    def marker_args(self, token: str | int | None, size: int | None = None) -> dict[str, Any]:
        """The list method's arguments for the page a cursor token starts (None: the first
        page), with the page size (default `per_page`) where the list takes one."""
        style = self.operations["list"].pagination
        if style is None:
            return {}
        start = token if style.style == "cursor" else None
        return self._list_paging(style, size or self.per_page, start)

    def _list_paging(self, style: Pagination, size: int, start: str | int | None) -> dict[str, Any]:
        """The page size and (unless None) the page's start (number, offset or token) as
        the list method's arguments, for those of `style`'s parameters the list has."""
        names = {p.wire_name: p.python_name for p in self.operations["list"].parameters}
        args: dict[str, Any] = {}
        if style.size_param in names:
            args[names[style.size_param]] = size
        if start is not None and style.page_param in names:
            args[names[style.page_param]] = start
        return args

    @property
    def paging(self) -> str:
        """How the list pages (`apis.paging`): "numbers" (page numbers or offsets),
        "markers" (cursor tokens; a `Link` header's next URL is followed whatever the
        style), or "local" (one answer, unless it carries a `Link` to a next page)."""
        style = self.operations["list"].pagination
        if style is not None and style.style in ("page", "offset"):
            return "numbers"
        if style is not None and style.style == "cursor":
            return "markers"
        return "local"


def api_connections() -> list[Connection]:
    """The active `openapi` connections, for the APIs menu."""
    return list(Connection.objects.filter(provider="openapi", is_active=True).order_by("name"))


def compiled_for(connection: Connection) -> CompiledApi:
    return cache.connection_document(connection)


def api_pages(connection: Connection, name: str) -> ApiResourcePages | None:
    """The description of one resource of a connection, or None if it has no pages."""
    compiled = compiled_for(connection)
    try:
        resource = compiled.model.resource(name)
    except KeyError:
        return None
    if not summarize(resource).pages:
        return None
    return ApiResourcePages(connection, compiled, resource)


def listed_resources(compiled: CompiledApi) -> list[str]:
    """The resources that get pages (a list operation), in the document's order."""
    return [r.name for r in compiled.model.resources if summarize(r).pages]
