"""Request bodies checked against the document's schema before anything is sent.

openapi-schema-validator's OAS 3.0 write validator (readOnly properties may
not be sent), its 3.1 and 3.2 validators, each over the document itself as a
`referencing` resource, so `$ref`s (cycles included) resolve as the
validator needs them. Errors carry the field's path (`address.city`,
`0.title`) in the hub's `ValidationError.field_errors`, as a form needs them.
"""

from __future__ import annotations

import threading
from typing import Any

from openapi_schema_validator import OAS30WriteValidator, OAS31Validator, OAS32Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT202012

from integrations.http.errors import ValidationError
from integrations.openapi.source import Document

DOCUMENT_URI = "urn:integration-hub:openapi-document"


class BodyValidator:
    """Validators for one document's request bodies, built on first use per schema."""

    def __init__(self, document: Document, spec_version: str) -> None:
        if spec_version.startswith("3.2"):
            self._cls, spec = OAS32Validator, DRAFT202012
        elif spec_version.startswith("3.1"):
            self._cls, spec = OAS31Validator, DRAFT202012
        else:  # 3.0, and Swagger 2.0 (its schemas are close to a subset of 3.0's)
            self._cls, spec = OAS30WriteValidator, DRAFT4
        resource = Resource(contents=document, specification=spec)
        self._registry = Registry().with_resource(DOCUMENT_URI, resource)
        self._validators: dict[str, Any] = {}
        self._lock = threading.Lock()

    def errors(self, pointer: str, body: Any) -> dict[str, list[str]]:
        """{field path: [messages]} for `body` against the schema at `pointer`; {} when valid."""
        errors: dict[str, list[str]] = {}
        for error in self._validator(pointer).iter_errors(body):
            parent = [str(part) for part in error.absolute_path]
            if error.validator == "required" and isinstance(error.instance, dict):
                for name in error.validator_value:
                    if name not in error.instance:
                        key = ".".join([*parent, str(name)])
                        errors.setdefault(key, []).append("This field is required.")
                continue
            errors.setdefault(".".join(parent) or "(body)", []).append(error.message)
        return errors

    def check(self, pointer: str, body: Any, **context: Any) -> None:
        """Raise the hub's ValidationError (with field paths) unless `body` fits its schema."""
        errors = self.errors(pointer, body)
        if errors:
            summary = "; ".join(f"{field}: {messages[0]}" for field, messages in errors.items())
            raise ValidationError(
                f"the request body does not match the document's schema ({summary})",
                field_errors=errors,
                **context,
            )

    def _validator(self, pointer: str) -> Any:
        with self._lock:
            validator = self._validators.get(pointer)
            if validator is None:
                validator = self._cls(
                    {"$ref": DOCUMENT_URI + pointer},
                    registry=self._registry,
                    format_checker=self._cls.FORMAT_CHECKER,
                )
                self._validators[pointer] = validator
            return validator
