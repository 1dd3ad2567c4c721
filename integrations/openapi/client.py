"""The dynamic client: one attribute per resource, one method per operation.

`build_client(compiled, api)` puts an `ApiModel` on an `ApiClient`. The
classes (one per resource, each method with a real `inspect.Signature` and a
docstring `help()` shows) are made once per document (`compile_api`) and
reused by every client built from it. Each call binds its arguments to the
signature (an unknown keyword is a TypeError), puts each one where the
document says (path, query, header, body), checks the body against its
schema, and sends it through the `ApiClient`: its retries, rate limiting,
call log and redaction apply as for every built-in provider.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from integrations.openapi import pagination
from integrations.openapi.body_validation import BodyValidator
from integrations.openapi.model import ApiModel, Operation, Resource
from integrations.openapi.responses import wrap
from integrations.openapi.schemas import python_annotation
from integrations.openapi.source import Document

if TYPE_CHECKING:
    from integrations.http.client import ApiClient

_EMPTY = inspect.Parameter.empty


@dataclass(frozen=True)
class Argument:
    """Where one Python argument goes on the wire."""

    location: str  # path, query, header, field (one body property), body (the whole body)
    wire_name: str
    explode: bool = True


@dataclass(frozen=True)
class CompiledApi:
    """What a document compiles to, shared by every client built from it."""

    model: ApiModel
    document: Document
    resource_classes: dict[str, type]
    validator: BodyValidator


class OpenApiClient:
    """Resources as attributes (`client.posts`), named as civis-python names them."""

    def __init__(self, compiled: CompiledApi, api: ApiClient) -> None:
        self._compiled = compiled
        self._api = api
        self._query_auth: dict[str, str] = dict(getattr(api.auth, "query", dict)())
        for name, cls in compiled.resource_classes.items():
            object.__setattr__(self, name, cls(self))

    @property
    def _model(self) -> ApiModel:
        return self._compiled.model

    def __dir__(self) -> list[str]:
        return sorted(self._compiled.resource_classes)

    def __repr__(self) -> str:
        names = ", ".join(self._compiled.resource_classes)
        return f"<OpenApiClient {self._model.title!r}: {names}>"

    @property
    def base_url(self) -> str:
        """The URL every path is under (without a trailing slash)."""
        return self._api.base_url

    @property
    def query_secrets(self) -> frozenset[str]:
        """The query parameters that carry the credentials (an API key in the query)."""
        return frozenset(self._query_auth)

    def follow(self, url: str) -> Any:
        """GET a URL the API gave, such as a `Link` header's `rel="next"` (the generated
        list pages follow them), with the credentials a query key puts in it (kept out of
        what the pages keep: `query_secrets`). It must stay under the base URL, as every call."""
        url = pagination.without_params(url, self._query_auth)
        response = self._api.request("GET", url, params=self._query_auth or None)
        return wrap(response.data, response.headers, response.status)

    def list_pages(
        self, resource: str, start: pagination.Position = pagination.FIRST_PAGE, **arguments: Any
    ) -> Iterator[tuple[list[Any], pagination.Position | None]]:
        """Each page of `resource`'s list from `start`, lazily: its items (as `iterator=True`
        gives them) and where the next page starts (None after the last), which a sync
        saves as its checkpoint (apis/sync.py). A next `Link` is given less the query
        parameters that carry credentials, so it can be kept; they are put back to follow it."""
        methods = getattr(self, resource)
        op = next(op for op in methods._resource.operations if op.name == "list" and op.supported)
        signature, plan = _signature(op)
        bound = _bound(op, signature, methods, (), arguments)
        path, query, headers, _ = self._request(op, plan, bound)
        for response, items, after in self._pages(op, path, query, headers, start):
            if after is not None and after.link:
                after = replace(after, link=pagination.without_params(after.link, self._query_auth))
            yield [wrap(item, response.headers, response.status) for item in items], after

    def _call(self, op: Operation, plan: dict[str, Argument], arguments: dict[str, Any]) -> Any:
        iterate = arguments.pop("iterator", False)
        path, query, headers, body = self._request(op, plan, arguments)
        if iterate:
            return self._items(op, path, query, headers)
        response = self._api.request(
            op.http_method, path, params=query or None, json=body, headers=headers or None
        )
        return wrap(response.data, response.headers, response.status)

    def _request(
        self, op: Operation, plan: dict[str, Argument], arguments: dict[str, Any]
    ) -> tuple[str, dict[str, Any], dict[str, str], Any]:
        """The call's path, query, headers and (checked) body, each argument where `plan` says."""
        path_values, headers = {}, {}
        query: dict[str, Any] = dict(self._query_auth)
        fields: dict[str, Any] = {}
        body: Any = None
        for name, value in arguments.items():
            where = plan[name]
            if where.location == "path":
                path_values[where.wire_name] = quote(str(value), safe="")
            elif where.location == "query":
                if value is not None:
                    query[where.wire_name] = _query_value(value, where.explode)
            elif where.location == "header":
                if value is not None:
                    headers[where.wire_name] = str(value)
            elif where.location == "field":
                fields[where.wire_name] = value
            else:
                body = value
        if op.body is not None and op.body.kind == "object" and (fields or op.body.required):
            body = fields
        if body is not None and op.body is not None and op.body.content_type != "application/json":
            headers.setdefault("Content-Type", op.body.content_type)  # `…+json` types
        path = op.path.format_map(path_values) if path_values else op.path
        if body is not None and op.body is not None:
            self._compiled.validator.check(
                op.body.schema_pointer,
                body,
                provider=self._api.provider.display_name,
                method=op.http_method,
                path=op.path,
            )
        return path, query, headers, body

    def _items(
        self, op: Operation, path: str, query: Mapping[str, Any], headers: dict[str, str]
    ) -> Iterator[Any]:
        """Every item of every page, lazily: no request before the first item is asked for."""
        for response, items, _ in self._pages(op, path, query, headers, pagination.FIRST_PAGE):
            for item in items:
                yield wrap(item, response.headers, response.status)

    def _pages(
        self,
        op: Operation,
        path: str,
        query: Mapping[str, Any],
        headers: dict[str, str],
        start: pagination.Position,
    ) -> Iterator[tuple[Any, list[Any], pagination.Position | None]]:
        def send(target: str, params: Mapping[str, Any] | None) -> Any:
            if params is None:  # a next link: its credentials are the connection's, as follow()
                target = pagination.without_params(target, self._query_auth)
                params = self._query_auth or None
            return self._api.request("GET", target, params=params, headers=headers or None)

        items_key = op.response.items_key if op.response else None
        style = op.pagination or pagination.NO_PAGING  # only paged operations take `iterator`
        return pagination.pages(
            send, path, query, style, items_key,
            provider=self._api.provider.display_name, start=start,
        )  # fmt: skip


class ResourceBase:
    """One resource's methods; subclasses are made per document by `compile_api`."""

    _resource: Resource

    def __init__(self, client: OpenApiClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        names = ", ".join(op.name for op in self._resource.operations if op.supported)
        return f"<{self._resource.name}: {names}>"


def compile_api(model: ApiModel, document: Document) -> CompiledApi:
    classes = {resource.name: _resource_class(resource) for resource in model.resources}
    return CompiledApi(model, document, classes, BodyValidator(document, model.spec_version))


def build_client(compiled: CompiledApi, api: ApiClient) -> OpenApiClient:
    """A client for `compiled`'s API over `api` (an `ApiClient` with the connection's auth)."""
    return OpenApiClient(compiled, api)


def _resource_class(resource: Resource) -> type:
    namespace: dict[str, Any] = {"_resource": resource, "__doc__": f"The {resource.name} resource."}
    for op in resource.operations:
        if op.supported:
            namespace[op.name] = _method(op)
    return type(f"{resource.name}_resource", (ResourceBase,), namespace)


def _method(op: Operation) -> Any:
    signature, plan = _signature(op)

    def method(self: ResourceBase, *args: Any, **kwargs: Any) -> Any:
        return self._client._call(op, plan, _bound(op, signature, self, args, kwargs))

    method.__name__ = op.name
    method.__qualname__ = f"{op.resource}.{op.name}"
    method.__signature__ = signature  # type: ignore[attr-defined]
    method.__doc__ = _docstring(op, plan)
    return method


def _bound(
    op: Operation,
    signature: inspect.Signature,
    resource: ResourceBase,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> dict[str, Any]:
    """The call's arguments by name, as `signature` binds them (a TypeError naming the
    method for a missing or unknown one)."""
    try:
        bound = signature.bind(resource, *args, **kwargs)
    except TypeError as exc:
        raise TypeError(f"{op.resource}.{op.name}(): {exc}") from None
    arguments = bound.arguments
    del arguments["self"]
    return arguments


def _signature(op: Operation) -> tuple[inspect.Signature, dict[str, Argument]]:
    """Required arguments positional (path order first), optional ones keyword-only."""
    entries: list[tuple[str, bool, str, Any, Argument]] = []
    path_order = {name: i for i, name in enumerate(_placeholders(op.path))}
    params = sorted(
        op.parameters, key=lambda p: (p.location != "path", path_order.get(p.wire_name, 0))
    )
    for p in params:
        entries.append(
            (p.python_name, p.required, p.type_label, p.default,
             Argument(p.location, p.wire_name, p.explode))
        )  # fmt: skip
    if op.body is not None:
        if op.body.kind == "object":
            for f in op.body.fields:
                if not f.read_only:
                    entries.append(
                        (f.python_name, f.required, f.type_label, None,
                         Argument("field", f.wire_name))
                    )  # fmt: skip
        else:
            label = "array" if op.body.kind == "array" else "any"
            entries.append(("body", op.body.required, label, None, Argument("body", "")))
    parameters = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    plan: dict[str, Argument] = {}
    required = [e for e in entries if e[1]]
    optional = [e for e in entries if not e[1]]
    for name, is_required, label, default, argument in [*required, *optional]:
        plan[name] = argument
        annotation = python_annotation(label, optional=not is_required)
        if is_required:
            kind, value = inspect.Parameter.POSITIONAL_OR_KEYWORD, _EMPTY
        else:
            kind, value = inspect.Parameter.KEYWORD_ONLY, default
        parameters.append(inspect.Parameter(name, kind, default=value, annotation=annotation))
    if op.pagination is not None:
        parameters.append(
            inspect.Parameter(
                "iterator", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=bool
            )
        )
    return inspect.Signature(parameters), plan


def _docstring(op: Operation, plan: dict[str, Argument]) -> str:
    lines = [op.summary or op.operation_id or op.endpoint, ""]
    if op.deprecated:
        lines += ["Deprecated in the document.", ""]
    if op.description and op.description != op.summary:
        lines += [op.description, ""]
    lines += [f"API URL: {op.endpoint}", "", "Parameters", "----------"]
    described = {p.python_name: p for p in op.parameters}
    fields = {f.python_name: f for f in op.body.fields} if op.body else {}
    for name in plan:
        if name in described:
            p = described[name]
            where = f"{p.location} {p.wire_name!r}"
            label, required, text = p.type_label, p.required, p.description
        elif name in fields:
            f = fields[name]
            where = f"body {f.wire_name!r}"
            label, required, text = f.type_label, f.required, f.description
        else:
            where, label = (
                "the whole body",
                "array" if op.body and op.body.kind == "array" else "any",
            )
            required, text = bool(op.body and op.body.required), ""
        lines.append(f"{name} : {label}{'' if required else ', optional'} ({where})")
        if text:
            lines.append(f"    {text.splitlines()[0]}")
    if op.pagination is not None:
        style = op.pagination.style
        lines.append("iterator : bool, optional")
        lines.append(f"    True: a lazy iterator over every item of every page ({style} paging).")
    lines += ["", "Returns", "-------", _returns(op)]
    return "\n".join(lines)


def _returns(op: Operation) -> str:
    shape = op.response
    if shape is None or not shape.schema_pointer:
        return "Response (or None for an empty answer)"
    fields = ", ".join(shape.item_fields[:12]) or "the documented fields"
    if shape.is_list:
        where = f" under {shape.items_key!r}" if shape.items_key else ""
        return f"ListResponse{where} of objects with: {fields}"
    return f"Response with: {fields}"


def _placeholders(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{") and part.endswith("}")]


def _query_value(value: Any, explode: bool) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        items = [_query_value(item, True) for item in value]
        return items if explode else ",".join(str(item) for item in items)
    return value
