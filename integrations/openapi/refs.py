"""`$ref` resolution inside one document, lazily and safe against cycles.

Nothing is copied or inlined: a schema is looked up when a step needs it, so
a cycle (a schema that refers to itself, or two that refer to each other)
costs nothing until something walks it, and the walkers in `schemas` carry
the pointers they have already seen. Body validation gets the document
itself as a `referencing` resource, so the validator follows references the
same lazy way.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from integrations.openapi.source import Document

MAX_CHAIN = 32  # $ref → $ref → …: longer than any real document, short enough to stop a loop


class UnresolvableRef(Exception):
    """A `$ref` that points outside the document, nowhere, or round in a circle of refs."""


class Resolver:
    def __init__(self, document: Document) -> None:
        self.document = document

    def lookup(self, pointer: str) -> Any:
        """The node at a local JSON pointer such as `#/components/schemas/Pet`."""
        if not pointer.startswith("#"):
            raise UnresolvableRef(f"external reference {pointer!r} is not supported")
        node: Any = self.document
        for raw in pointer[1:].split("/")[1:]:
            part = unquote(raw).replace("~1", "/").replace("~0", "~")
            if isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            elif isinstance(node, dict) and part in node:
                node = node[part]
            else:
                raise UnresolvableRef(f"reference {pointer!r} points nowhere")
        return node

    def deref(self, node: Any, pointer: str) -> tuple[Any, str]:
        """Follow `node`'s `$ref` chain: the node it ends at, and that node's pointer."""
        for _ in range(MAX_CHAIN):
            if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
                return node, pointer
            pointer = node["$ref"]
            node = self.lookup(pointer)
        raise UnresolvableRef(f"the reference chain at {pointer!r} loops")


def child(pointer: str, *parts: str | int) -> str:
    """`pointer` extended by `parts`, escaped as JSON pointers require."""
    escaped = (str(part).replace("~", "~0").replace("/", "~1") for part in parts)
    return "/".join((pointer, *escaped))
