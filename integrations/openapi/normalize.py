"""A validated document (OpenAPI 3.0, 3.1 or Swagger 2.0) → `ApiModel`.

Swagger 2.0 differs in a few places and is read into the same model: the
body is an `in: body` parameter, `formData` parameters are a form body,
parameter types sit on the parameter, response schemas sit on the response,
servers come from `schemes`/`host`/`basePath`, and security schemes are
`securityDefinitions` (the `application` flow is client credentials).
"""

from __future__ import annotations

import warnings
from collections import Counter, defaultdict
from dataclasses import replace
from typing import Any

from integrations.openapi import naming, pagination
from integrations.openapi.errors import NamingWarning
from integrations.openapi.model import (
    ApiModel,
    BodyField,
    Operation,
    Parameter,
    RequestBody,
    Resource,
    ResponseShape,
    SecurityScheme,
)
from integrations.openapi.refs import Resolver, UnresolvableRef, child
from integrations.openapi.schemas import merged, type_label, types_of
from integrations.openapi.source import Document

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
LIST_ENVELOPE_KEYS = ("data", "items", "results", "records", "entries", "values", "content")
_SUCCESS_ORDER = ("200", "201", "2XX", "202", "203", "206", "default")


def build_model(document: Document, *, digest: str = "") -> ApiModel:
    reader = _Reader(document)
    by_resource: dict[str, list[Operation]] = defaultdict(list)
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        item_pointer = child("#", "paths", path)
        item, item_pointer = _deref_or_keep(reader.resolver, item, item_pointer)
        for method in HTTP_METHODS:
            if isinstance(item.get(method), dict):
                operation = reader.operation(path, method, item, item_pointer)
                by_resource[operation.resource].append(operation)
    resources, notes = [], []
    for name in sorted(by_resource):
        operations, renamed = _with_unique_names(by_resource[name])
        notes.extend(renamed)
        resources.append(Resource(name, tuple(sorted(operations, key=lambda op: op.name))))
    for note in notes:
        warnings.warn(note, NamingWarning, stacklevel=2)
    info = document.get("info") or {}
    return ApiModel(
        title=str(info.get("title") or "API"),
        version=str(info.get("version") or ""),
        spec_version=str(document.get("openapi") or document.get("swagger")),
        servers=reader.servers(),
        resources=tuple(resources),
        security_schemes=reader.security_schemes(),
        security=_requirements(document.get("security")) or (),
        digest=digest,
        warnings=tuple(notes),
    )


def _with_unique_names(operations: list[Operation]) -> tuple[list[Operation], list[str]]:
    wanted = [
        (op.name, op.path.count("{"), op.path, op.http_method.lower(), op.operation_id)
        for op in operations
    ]
    names, notes = naming.unique_names(wanted)
    renamed = [
        op if op.name == name else replace(op, name=name)
        for op, name in zip(operations, names, strict=True)
    ]
    return renamed, notes


def _deref_or_keep(resolver: Resolver, node: Any, pointer: str) -> tuple[Any, str]:
    try:
        return resolver.deref(node, pointer)
    except UnresolvableRef:
        return node, pointer


def _requirements(value: Any) -> tuple[tuple[str, ...], ...] | None:
    if not isinstance(value, list):
        return None
    return tuple(tuple(req) for req in value if isinstance(req, dict))


class _Reader:
    def __init__(self, document: Document) -> None:
        self.document = document
        self.resolver = Resolver(document)
        self.swagger = "swagger" in document

    # -- an operation --------------------------------------------------------------
    def operation(self, path: str, method: str, item: dict, item_pointer: str) -> Operation:
        spec = item[method]
        pointer = child(item_pointer, method)
        problems: list[str] = []
        parameters, body = self._parameters(path, item, item_pointer, spec, pointer, problems)
        if not self.swagger and "requestBody" in spec:
            body = self._request_body(spec["requestBody"], child(pointer, "requestBody"), problems)
        response = self._response(spec.get("responses") or {}, child(pointer, "responses"))
        parameters, body = _argument_names(parameters, body)
        answers_list = response.is_list if response and response.schema_pointer else None
        name = naming.method_name(method, path, answers_list=answers_list)
        return Operation(
            resource=naming.resource_name(path),
            name=name,
            http_method=method.upper(),
            path=path,
            operation_id=str(spec.get("operationId") or ""),
            summary=str(spec.get("summary") or "").strip(),
            description=str(spec.get("description") or "").strip(),
            parameters=tuple(parameters),
            body=body,
            response=response,
            pagination=pagination.detect(method, parameters, response, self),
            security=_requirements(spec.get("security")),
            deprecated=spec.get("deprecated") is True,
            unsupported="; ".join(dict.fromkeys(problems)),
        )

    def _parameters(
        self,
        path: str,
        item: dict,
        item_pointer: str,
        spec: dict,
        pointer: str,
        problems: list[str],
    ) -> tuple[list[Parameter], RequestBody | None]:
        declared: dict[tuple[str, str], tuple[dict, str]] = {}
        sources = ((item, item_pointer), (spec, pointer))  # the operation's own win
        for owner, owner_pointer in sources:
            for index, raw in enumerate(owner.get("parameters") or []):
                try:
                    param, param_pointer = self.resolver.deref(
                        raw, child(owner_pointer, "parameters", index)
                    )
                except UnresolvableRef as exc:
                    problems.append(f"a parameter cannot be read ({exc})")
                    continue
                if isinstance(param, dict) and "name" in param and "in" in param:
                    declared[(str(param["name"]), str(param["in"]))] = (param, param_pointer)
        parameters, body, form_fields = [], None, []
        for (name, location), (param, param_pointer) in declared.items():
            if location == "body":
                body = self._request_body_v2(param, param_pointer, spec)
            elif location == "formData":
                form_fields.append(name)
            elif location in ("path", "query", "header", "cookie"):
                if location == "cookie":
                    problems.append(
                        f"the cookie parameter {name!r} is not sent by the hub's client"
                    )
                parameters.append(self._parameter(name, location, param, param_pointer))
        if form_fields:
            problems.append(
                "the request body is form data (formData parameters); the hub's client sends JSON"
            )
        return parameters, body

    def _parameter(self, name: str, location: str, param: dict, pointer: str) -> Parameter:
        if self.swagger:
            schema, schema_pointer = param, pointer
        elif "schema" in param:
            schema, schema_pointer = param["schema"], child(pointer, "schema")
        else:
            schema, schema_pointer = {}, pointer  # `content` parameters: any value
        resolved = _merged_or_empty(self.resolver, schema, schema_pointer)
        enum = resolved.get("enum") if isinstance(resolved.get("enum"), list) else []
        return Parameter(
            wire_name=name,
            python_name=naming.camel_to_snake(name),
            location=location,  # type: ignore[arg-type]
            required=location == "path" or param.get("required") is True,
            type_label=type_label(self.resolver, schema, schema_pointer),
            default=resolved.get("default", param.get("default")),
            description=str(param.get("description") or "").strip(),
            enum=tuple(v for v in enum if isinstance(v, str | int | float | bool)),
            explode=_explode(param, self.swagger),
        )

    # -- bodies ---------------------------------------------------------------------
    def _request_body(self, raw: Any, pointer: str, problems: list[str]) -> RequestBody | None:
        try:
            body, pointer = self.resolver.deref(raw, pointer)
        except UnresolvableRef as exc:
            problems.append(f"the request body cannot be read ({exc})")
            return None
        content = body.get("content") or {}
        media = _json_media(content)
        if media is None:
            kinds = ", ".join(content) or "no content"
            problems.append(f"the request body is {kinds}; the hub's client sends JSON only")
            return None
        schema_pointer = child(pointer, "content", media, "schema")
        return self._body_shape(
            content[media].get("schema") or {}, schema_pointer, media, body.get("required") is True
        )

    def _request_body_v2(self, param: dict, pointer: str, spec: dict) -> RequestBody:
        consumes = spec.get("consumes") or self.document.get("consumes") or ["application/json"]
        media = next((c for c in consumes if _is_json(c)), consumes[0])
        return self._body_shape(
            param.get("schema") or {},
            child(pointer, "schema"),
            media,
            param.get("required") is True,
        )

    def _body_shape(self, schema: Any, pointer: str, media: str, required: bool) -> RequestBody:
        try:
            resolved = merged(self.resolver, schema, pointer)
            types, _ = types_of(self.resolver, resolved, pointer)
        except UnresolvableRef:
            resolved, types = {}, ()
        unions = [k for k in ("oneOf", "anyOf") if k in resolved]
        if unions:
            reason = (
                f"the body is one of several schemas ({'/'.join(unions)}); "
                "a form cannot tell which one to build"
            )
            return RequestBody(media, pointer, "other", required, (), reason)
        if types == ("array",):
            return RequestBody(media, pointer, "array", required, (), "the body is a list")
        properties = resolved.get("properties")
        if "object" in types and isinstance(properties, dict) and properties:
            return RequestBody(
                media, pointer, "object", required, self._fields(resolved, pointer), ""
            )
        reason = "the body schema has no properties to make fields from"
        return RequestBody(media, pointer, "other", required, (), reason)

    def _fields(self, schema: dict, pointer: str) -> tuple[BodyField, ...]:
        required = set(schema.get("required") or [])
        fields = []
        for name, prop in schema["properties"].items():
            prop_pointer = child(pointer, "properties", name)
            resolved = _merged_or_empty(self.resolver, prop, prop_pointer)
            fields.append(
                BodyField(
                    wire_name=name,
                    python_name=naming.camel_to_snake(name),
                    required=name in required,
                    type_label=type_label(self.resolver, prop, prop_pointer),
                    description=str(resolved.get("description") or "").strip(),
                    read_only=resolved.get("readOnly") is True,
                )
            )
        return tuple(fields)

    # -- responses ------------------------------------------------------------------
    def _response(self, responses: dict, pointer: str) -> ResponseShape | None:
        for status in (*_SUCCESS_ORDER, *sorted(responses)):
            if status not in responses or not (status.startswith("2") or status == "default"):
                continue
            try:
                response, response_pointer = self.resolver.deref(
                    responses[status], child(pointer, status)
                )
            except UnresolvableRef:
                continue
            schema, schema_pointer = self._response_schema(response, response_pointer)
            return self._response_shape(status, schema, schema_pointer)
        return None

    def _response_schema(self, response: dict, pointer: str) -> tuple[Any, str]:
        if self.swagger:
            return response.get("schema"), child(pointer, "schema")
        content = response.get("content") or {}
        media = _json_media(content)
        if media is None:
            return None, ""
        return content[media].get("schema"), child(pointer, "content", media, "schema")

    def _response_shape(self, status: str, schema: Any, pointer: str) -> ResponseShape:
        if schema is None:
            return ResponseShape(status, "", False)
        resolved = _merged_or_empty(self.resolver, schema, pointer)
        types = types_of(self.resolver, resolved, pointer)[0] if resolved else ()
        if types == ("array",):
            items = _merged_or_empty(self.resolver, resolved.get("items"), child(pointer, "items"))
            return ResponseShape(status, pointer, True, None, _property_names(items))
        properties = resolved.get("properties") or {}
        for key in LIST_ENVELOPE_KEYS:
            if key in properties:
                prop_pointer = child(pointer, "properties", key)
                inner = _merged_or_empty(self.resolver, properties[key], prop_pointer)
                if inner and types_of(self.resolver, inner, prop_pointer)[0] == ("array",):
                    items = _merged_or_empty(
                        self.resolver, inner.get("items"), child(prop_pointer, "items")
                    )
                    return ResponseShape(status, pointer, True, key, _property_names(items))
        return ResponseShape(status, pointer, False, None, _property_names(resolved))

    def response_schema(self, pointer: str) -> dict:
        """The merged schema at `pointer` ({} when unreadable): for pagination detection."""
        if not pointer:
            return {}
        return _merged_or_empty(self.resolver, {"$ref": pointer}, pointer)

    # -- servers and security -------------------------------------------------------
    def servers(self) -> tuple[str, ...]:
        if self.swagger:
            host = self.document.get("host")
            base_path = str(self.document.get("basePath") or "")
            if not host:
                return (base_path,) if base_path else ()
            schemes = self.document.get("schemes") or ["https"]
            scheme = "https" if "https" in schemes else schemes[0]
            return (f"{scheme}://{host}{base_path}",)
        urls = []
        for server in self.document.get("servers") or []:
            if isinstance(server, dict) and isinstance(server.get("url"), str):
                url = server["url"]
                for name, variable in (server.get("variables") or {}).items():
                    url = url.replace(f"{{{name}}}", str(variable.get("default", "")))
                urls.append(url)
        return tuple(urls)

    def security_schemes(self) -> tuple[SecurityScheme, ...]:
        if self.swagger:
            raw = self.document.get("securityDefinitions") or {}
        else:
            raw = (self.document.get("components") or {}).get("securitySchemes") or {}
        schemes = []
        for name, scheme in raw.items():
            pointer = child("#", "components", "securitySchemes", name)
            scheme, _ = _deref_or_keep(self.resolver, scheme, pointer)
            schemes.append(_scheme(name, scheme if isinstance(scheme, dict) else {}))
        return tuple(schemes)


def _scheme(name: str, raw: dict) -> SecurityScheme:
    kind = raw.get("type")
    if kind == "basic" or (kind == "http" and str(raw.get("scheme", "")).lower() == "basic"):
        return SecurityScheme(name, "basic")
    if kind == "http" and str(raw.get("scheme", "")).lower() == "bearer":
        return SecurityScheme(name, "bearer")
    if kind == "apiKey":
        location = raw.get("in")
        if location in ("header", "query"):
            return SecurityScheme(name, "api_key", location, str(raw.get("name") or ""))
        return SecurityScheme(name, "unsupported", reason=f"API keys in {location} are not sent")
    if kind == "oauth2":
        flows = raw.get("flows") or {}
        if "clientCredentials" in flows:
            token_url = str(flows["clientCredentials"].get("tokenUrl") or "")
            return SecurityScheme(name, "oauth2_client_credentials", token_url=token_url)
        if raw.get("flow") == "application":  # Swagger 2.0's name for client credentials
            return SecurityScheme(
                name, "oauth2_client_credentials", token_url=str(raw.get("tokenUrl") or "")
            )
        return SecurityScheme(
            name,
            "unsupported",
            reason="OAuth 2.0 flows other than client credentials need a person to sign in",
        )
    return SecurityScheme(name, "unsupported", reason=f"{kind} security is not supported")


def _argument_names(
    parameters: list[Parameter], body: RequestBody | None
) -> tuple[list[Parameter], RequestBody | None]:
    """Unique argument names: `id` in the path and in the query become `id_path`/`id_query`,
    a body property named like a parameter `<name>_body`, and any clash still left gets a
    number (`user_id_2` for properties `userId` and `user_id`)."""
    counts = Counter(p.python_name for p in parameters)
    taken: set[str] = set()
    named = []
    for param in parameters:
        wanted = param.python_name
        if counts[wanted] > 1:
            wanted = f"{wanted}_{param.location}"
        named.append(replace(param, python_name=_free(wanted, taken)))
    if body is None or not body.fields:
        return named, body
    fields = []
    for field in body.fields:
        wanted = f"{field.python_name}_body" if field.python_name in taken else field.python_name
        fields.append(replace(field, python_name=_free(wanted, taken)))
    return named, replace(body, fields=tuple(fields))


def _free(name: str, taken: set[str]) -> str:
    candidate, number = name, 2
    while candidate in taken:
        candidate, number = f"{name}_{number}", number + 1
    taken.add(candidate)
    return candidate


def _explode(param: dict, swagger: bool) -> bool:
    if swagger:
        return param.get("collectionFormat") == "multi"
    return param.get("explode", param.get("style", "form") == "form") is True


def _merged_or_empty(resolver: Resolver, schema: Any, pointer: str) -> dict:
    if schema is None:
        return {}
    try:
        return merged(resolver, schema, pointer)
    except UnresolvableRef:
        return {}


def _property_names(schema: dict) -> tuple[str, ...]:
    properties = schema.get("properties") if isinstance(schema, dict) else None
    return tuple(properties) if isinstance(properties, dict) else ()


def _is_json(media: str) -> bool:
    base = media.split(";")[0].strip().lower()
    return base == "application/json" or base.endswith("+json") or base == "*/*"


def _json_media(content: dict) -> str | None:
    for media in content:
        if media.split(";")[0].strip().lower() == "application/json":
            return media
    return next((media for media in content if _is_json(media)), None)
