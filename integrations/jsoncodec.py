"""JSON for the hot paths: provider answers read by the client, payloads written by syncs.

orjson decodes and encodes several times faster than the standard library, which
matters when a sync reads and stores a hundred thousand records: with the
standard library instead, bench/sync.py's full sync of 100,000 candidates
spent 20% more CPU (23.6 s against 19.6 s) and took 11-37% longer. It is stricter
in a few corners the standard library accepts (integers past 64 bits, NaN and
Infinity literals, lone surrogates), so whatever it refuses goes through the
standard library instead: the result is never narrower than `json`'s.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

# A NUL can only reach a decoded string through this escape (JSON forbids it raw).
NUL_ESCAPE = "\\u0000"
REPLACEMENT = "\ufffd"


def loads(data: bytes | str) -> Any:
    """Decode `data`; raises ValueError (json.JSONDecodeError) if it is not JSON, or is
    nested past what the standard library can read (it runs out of stack: a
    RecursionError, where orjson stops at 1,024 levels).

    A NUL character in a string or key reads as U+FFFD: PostgreSQL stores none in text
    or JSON, and one in a provider's record failed every write of it (each sync of its
    resource, its webhooks). The scan for its escape is all most bodies cost."""
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        try:
            value = json.loads(data)
        except RecursionError:
            raise ValueError("the JSON is nested too deeply to read") from None
    escape = NUL_ESCAPE.encode() if isinstance(data, bytes | bytearray) else NUL_ESCAPE
    return _without_nul(value) if escape in data else value


def _without_nul(value: Any) -> Any:
    """`value` (decoded JSON) with NUL replaced in every string, walked without
    recursion (as deep as the decoders go)."""
    if isinstance(value, str):
        return value.replace("\x00", REPLACEMENT)
    stack = [value] if isinstance(value, dict | list) else []
    while stack:
        node = stack.pop()
        pairs = list(node.items()) if isinstance(node, dict) else list(enumerate(node))
        for key, item in pairs:
            if isinstance(item, str):
                item = item.replace("\x00", REPLACEMENT)
            elif isinstance(item, dict | list):
                stack.append(item)
            if isinstance(key, str) and "\x00" in key:
                del node[key]
                key = key.replace("\x00", REPLACEMENT)
            node[key] = item
    return value


def dumps(value: Any) -> str:
    """Encode `value` as compact JSON text (UTF-8 characters kept as they are)."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # orjson.JSONEncodeError: a type or a value orjson refuses
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
