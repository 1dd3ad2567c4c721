"""Keep secrets out of paths, messages and logs.

Two layers: query parameters whose names look secret are masked wherever a
URL is shown, and the known secret values of a connection (tokens, keys,
client secrets) are masked in any text that leaves the client.

A provider may echo a credential back in another shape than it was sent, so
each secret is looked for in every form an echo takes:

- as sent, in any letter case;
- URL-encoded (`quote`, with and without `/` kept, and `quote_plus`), in any case;
- base64-encoded, standard and URL-safe, with or without padding, alone or at
  any byte offset inside a longer encoded value (`:key` and `user:key`, the
  HTTP Basic forms);
- cut short: any prefix of at least `MIN_ECHO_LENGTH` characters of one of the
  forms above (an error excerpt or a request id truncated mid-token).

Text is compared in ASCII lower case (base64 too: a case-folded match of 8
base64 characters is no accident, so this only ever masks more), through one
compiled pattern per `Redactor`: one scan per shown line, whatever the number
of forms.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote, quote_plus, unquote_plus, urlsplit, urlunsplit

MASK = "[REDACTED]"
_SECRET_PARAM = re.compile(r"token|key|secret|password|passwd|signature|sig|auth|credential", re.I)
# Pagination cursors are opaque, not secret, and worth seeing in the call log.
_SAFE_PARAMS = frozenset({"page_token", "cursor", "offset"})
_AUTH_VALUE = re.compile(r"\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+", re.I)
_MIN_SECRET_LENGTH = 4  # shorter values would mask ordinary words
# The shortest echo masked: a prefix this long of a secret's form is taken for
# the secret. Shorter ones would mask ordinary words ("sandbox" of the demo
# token "sandbox-recruitee"); fewer than 8 characters of a long token leave
# far too many to guess.
MIN_ECHO_LENGTH = 8
# Folds ASCII letters only, so indexes in the folded text are the original's.
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def redact_url(url: str) -> str:
    """The URL (or path) with the values of secret-looking query parameters masked."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = redact_query(parts.query)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def redact_query(query: str) -> str:
    """A query string with the values of secret-looking parameters masked, the rest as
    it came (a log line shows what was asked)."""
    return "&".join(_redacted_pair(pair) for pair in query.split("&"))


def _redacted_pair(pair: str) -> str:
    name, equals, _ = pair.partition("=")
    return f"{name}={MASK}" if equals and _is_secret_param(unquote_plus(name)) else pair


def _is_secret_param(name: str) -> bool:
    return name.lower() not in _SAFE_PARAMS and bool(_SECRET_PARAM.search(name))


@dataclass(frozen=True)
class _Form:
    """One shape a secret can take in echoed text."""

    text: str  # folded to lower case
    padded: bool = False  # base64: trailing '=' belong to the echo
    # base64 at an offset: the 4 characters before the form mix the secret's
    # first bytes with the bytes before it, so they are masked with it.
    lead: int = 0


def echo_forms(secret: str) -> list[_Form]:
    """Every form in which `secret` may come back from a provider (see the module docstring)."""
    textual = {secret, quote(secret), quote(secret, safe=""), quote_plus(secret)}
    forms = [_Form(_fold(text)) for text in sorted(textual)]
    raw = secret.encode()
    for skip in range(3):  # the secret's bytes at each offset modulo 3 of a longer value
        rest = raw[skip:]
        if len(rest) < 6:  # fewer than 8 base64 characters: too short to tell apart
            continue
        encoded = base64.b64encode(rest).decode().rstrip("=")
        for text in {encoded, encoded.replace("+", "-").replace("/", "_")}:
            forms.append(_Form(_fold(text), padded=True, lead=4 if skip else 0))
    return forms


class Redactor:
    """Masks a fixed set of secret values in every echo form, and any `Bearer …`/`Basic …`."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = sorted(
            {s for s in secrets if s and len(s) >= _MIN_SECRET_LENGTH}, key=len, reverse=True
        )
        self._forms = [form for secret in self.secrets for form in echo_forms(secret)]
        heads = sorted({re.escape(_head(form.text)) for form in self._forms})
        self._pattern = re.compile("|".join(heads)) if heads else None

    def __call__(self, text: str) -> str:
        if self._pattern is not None:
            folded = _fold(text)
            if self._pattern.search(folded):
                text = self._mask_echoes(text, folded)
        return _AUTH_VALUE.sub(lambda m: f"{m.group(1)} {MASK}", text)

    def _mask_echoes(self, text: str, folded: str) -> str:
        """Each echo masked from where a form's head matches to where the longest form ends."""
        out, position = [], 0
        while self._pattern is not None and (match := self._pattern.search(folded, position)):
            start = match.start()
            end, lead = max((_echo_end(folded, start, form), form.lead) for form in self._forms)
            start = _lead_start(text, start, lead, floor=position)
            out += [text[position:start], MASK]
            position = end
        out.append(text[position:])
        return "".join(out)


def _fold(text: str) -> str:
    """`text` with ASCII letters lower-cased only, so its indexes are the original's."""
    return text.lower() if text.isascii() else text.translate(_ASCII_LOWER)


def _head(text: str) -> str:
    """The part of a form that must be present for its echo to be masked."""
    return text[:MIN_ECHO_LENGTH] if len(text) > MIN_ECHO_LENGTH else text


_BASE64_CHAR = re.compile(r"[A-Za-z0-9+/_-]")


def _lead_start(text: str, start: int, lead: int, *, floor: int) -> int:
    """`start` moved back over up to `lead` base64 characters (never before `floor`)."""
    while lead and start > floor and _BASE64_CHAR.match(text, start - 1):
        start, lead = start - 1, lead - 1
    return start


def _echo_end(folded: str, start: int, form: _Form) -> int:
    """Where an echo of `form` beginning at `start` ends in `folded` (`start` if it is none)."""
    end, index = start, 0
    while index < len(form.text) and end < len(folded) and folded[end] == form.text[index]:
        end, index = end + 1, index + 1
    if index < len(_head(form.text)):
        return start
    if form.padded and index == len(form.text):
        while end < len(folded) and folded[end] == "=":
            end += 1
    return end
