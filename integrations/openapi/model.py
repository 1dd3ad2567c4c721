"""The internal model of an API: what every OpenAPI version is normalised into.

Small frozen dataclasses. Schemas stay in the document and are referred to
by JSON pointer (`schema_pointer`), so the model is cheap to build and a
body is validated against the document's own schema, references included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Location = Literal["path", "query", "header", "cookie"]
PaginationStyle = Literal["page", "offset", "cursor", "none"]
SchemeKind = Literal["bearer", "basic", "api_key", "oauth2_client_credentials", "unsupported"]


@dataclass(frozen=True)
class Parameter:
    wire_name: str  # as the document spells it: `{petId}`, `?_limit=`
    python_name: str  # the method's argument: `pet_id`, `limit`
    location: Location
    required: bool
    type_label: str  # `integer`, `string | null`, `array[string]`
    default: Any = field(default=None, compare=False, hash=False)
    description: str = ""
    enum: tuple[Any, ...] = ()
    explode: bool = True  # a query array as `?a=1&a=2` (True) or `?a=1,2` (False)


@dataclass(frozen=True)
class BodyField:
    """One property of an object request body: one argument of the method."""

    wire_name: str
    python_name: str
    required: bool
    type_label: str
    description: str = ""
    read_only: bool = False


@dataclass(frozen=True)
class RequestBody:
    content_type: str
    schema_pointer: str  # e.g. `#/paths/~1posts/post/requestBody/content/application~1json/schema`
    kind: Literal["object", "array", "other"]
    required: bool
    fields: tuple[BodyField, ...] = ()  # for an object body: its properties, one argument each
    form_unsupported: str = ""  # why no form can be built from it ("" when one can)


@dataclass(frozen=True)
class ResponseShape:
    status: str  # the success status documented, e.g. "200"
    schema_pointer: str
    is_list: bool  # an array, or an envelope holding one
    items_key: str | None = None  # the envelope's key holding the list (`data`), if any
    item_fields: tuple[str, ...] = ()  # property names of one item (or of the object)


@dataclass(frozen=True)
class Pagination:
    style: PaginationStyle
    page_param: str = ""  # the wire name of the page number, offset or cursor parameter
    size_param: str = ""
    token_path: tuple[str, ...] = ()  # where a cursor style answer keeps the next token


@dataclass(frozen=True)
class Operation:
    resource: str
    name: str  # the method name on the resource
    http_method: str  # upper case
    path: str  # as documented, with `{placeholders}`
    operation_id: str
    summary: str
    description: str
    parameters: tuple[Parameter, ...]
    body: RequestBody | None
    response: ResponseShape | None
    pagination: Pagination | None
    security: tuple[tuple[str, ...], ...] | None  # alternatives of scheme names; None: inherited
    deprecated: bool = False
    unsupported: str = ""  # why the client cannot call it ("" when it can)

    @property
    def supported(self) -> bool:
        return not self.unsupported

    @property
    def endpoint(self) -> str:
        return f"{self.http_method} {self.path}"


@dataclass(frozen=True)
class Resource:
    name: str
    operations: tuple[Operation, ...]


@dataclass(frozen=True)
class SecurityScheme:
    name: str  # the key in `securitySchemes` / `securityDefinitions`
    kind: SchemeKind
    location: Location | None = None  # API keys: where the key goes
    param_name: str = ""  # API keys: the header or query parameter's name
    token_url: str = ""  # OAuth2 client credentials
    reason: str = ""  # why an `unsupported` scheme is


@dataclass(frozen=True)
class ApiModel:
    title: str
    version: str
    spec_version: str  # "2.0", "3.0.3", "3.1.0", …
    servers: tuple[str, ...]
    resources: tuple[Resource, ...]
    security_schemes: tuple[SecurityScheme, ...]
    security: tuple[tuple[str, ...], ...]  # the document's default requirement alternatives
    digest: str
    warnings: tuple[str, ...] = ()

    @property
    def operations(self) -> tuple[Operation, ...]:
        return tuple(op for resource in self.resources for op in resource.operations)

    @property
    def unsupported(self) -> tuple[tuple[str, str], ...]:
        """(`METHOD /path`, why) for every operation the client cannot call."""
        return tuple((op.endpoint, op.unsupported) for op in self.operations if op.unsupported)

    def resource(self, name: str) -> Resource:
        for resource in self.resources:
            if resource.name == name:
                return resource
        raise KeyError(name)
