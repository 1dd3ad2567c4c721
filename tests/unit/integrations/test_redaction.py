"""Redaction: a secret is masked in every form a provider may echo it back in."""

from __future__ import annotations

import base64
from urllib.parse import quote, quote_plus

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from integrations.http.redaction import MASK, MIN_ECHO_LENGTH, Redactor, echo_forms, redact_url

# Tokens as providers issue them: long, URL-unsafe characters included.
TOKEN_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~+/=%:"
tokens = st.text(alphabet=TOKEN_ALPHABET, min_size=16, max_size=64)
# Text around an echo: ordinary words and punctuation, never a token character run.
around = st.text(alphabet=" ,;()[]{}<>\"'\n", max_size=20)
PROPERTY = settings(max_examples=150, derandomize=True, database=None, deadline=None)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def urlsafe_b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


ECHO_FORMS = {
    "as sent": lambda t: t,
    "upper case": str.upper,
    "lower case": str.lower,
    "swapped case": str.swapcase,
    "quote": quote,
    "quote, nothing safe": lambda t: quote(t, safe=""),
    "quote, lower-case escapes": lambda t: quote(t, safe="").lower(),
    "quote_plus": quote_plus,
    "base64": b64,
    "base64 unpadded": lambda t: b64(t).rstrip("="),
    "url-safe base64": urlsafe_b64,
    "url-safe base64 unpadded": lambda t: urlsafe_b64(t).rstrip("="),
    "basic auth, empty user": lambda t: b64(f":{t}"),
    "basic auth, a user": lambda t: b64(f"user:{t}"),
    "basic auth, a longer user": lambda t: urlsafe_b64(f"admin@example.test:{t}").rstrip("="),
    "long prefix": lambda t: t[: max(MIN_ECHO_LENGTH, len(t) // 2)],
    "long prefix, url-encoded": lambda t: quote(t, safe="")[: max(MIN_ECHO_LENGTH, len(t) // 2)],
}


# The part of an HTTP Basic echo that encodes only the user name, not the secret.
def user_part(echo: str, user: str) -> int:
    return len(user.encode()) // 3 * 4 if echo.startswith(b64(user)[:4]) else 0


@pytest.mark.parametrize("form", ECHO_FORMS, ids=list(ECHO_FORMS))
@PROPERTY
@given(token=tokens, before=around, after=around)
def test_every_echo_form_is_masked(form, token, before, after):
    echo = ECHO_FORMS[form](token)
    redacted = Redactor([token])(f"{before}{echo}{after}")
    assert MASK in redacted
    assert redacted.startswith(before) and redacted.endswith(after)
    left = redacted.replace(MASK, " ")
    for n in range(MIN_ECHO_LENGTH, len(token) + 1):
        assert token[:n].lower() not in left.lower()
    # Not even 4 characters of what encodes the secret are left (a run that the text
    # kept on purpose holds too, such as the encoded user name, is no leak).
    cut = max(user_part(echo, "admin@example.test:"), user_part(echo, "user:"))
    secret_part, kept = echo[cut:], f"{before}{echo[:cut]}{after}"
    runs = {secret_part[i : i + 4] for i in range(len(secret_part) - 3)}
    assert not any(run in left and run not in kept for run in runs)


@PROPERTY
@given(token=tokens, text=st.text(alphabet=TOKEN_ALPHABET + " ", max_size=80))
def test_only_text_holding_an_echo_is_changed(token, text):
    heads = [form.text[:MIN_ECHO_LENGTH] for form in echo_forms(token)]
    if Redactor([token])(text) != text:
        assert any(head.lower() in text.lower() for head in heads)


def test_a_short_prefix_is_not_taken_for_the_secret():
    redactor = Redactor(["sandbox-recruitee-secret"])
    assert redactor("the sandbox demo, sandbox") == "the sandbox demo, sandbox"
    assert redactor("token sandbox-r…") == f"token {MASK}…"


def test_a_short_secret_is_masked_only_whole():
    redactor = Redactor(["abcd1"])
    assert redactor("abcd1 and abcd") == f"{MASK} and abcd"


def test_two_secrets_and_several_echoes_in_one_text():
    redactor = Redactor(["first-secret-0123456789", "second/secret+abcdefgh"])
    basic = b64(":first-secret-0123456789")
    text = f"a={quote_plus('second/secret+abcdefgh')} b=FIRST-SECRET-0123 c={basic}"
    assert redactor(text) == f"a={MASK} b={MASK} c={MASK}"


def test_bearer_and_basic_values_are_masked_whoever_they_belong_to():
    assert Redactor()("Authorization: Bearer abc.def") == f"Authorization: Bearer {MASK}"
    assert Redactor()("basic dXNlcjpwdw==") == f"basic {MASK}"


def test_secret_query_parameters_are_masked_in_urls():
    shown = redact_url("/things?api_key=abc&page_token=p2")
    assert shown == f"/things?api_key={MASK}&page_token=p2"


def test_an_encoded_user_name_sharing_a_run_with_the_secret_is_no_leak():
    """Found by the property test: "test" in the user name and "tes" in the token."""
    token = "0000000tesA00000"
    echo = urlsafe_b64(f"admin@example.test:{token}").rstrip("=")
    assert Redactor([token])(echo) == f"{urlsafe_b64('admin@example.test:')[:24]}{MASK}"
