"""The trigram signature never hides a match: a text holds every bit of each term it contains."""

import pytest

from core import trigrams

JANSEN_BITS = 1152921573330518017
TEXT = "zoë o'brien-van dijk zoe.obrien@example.com 100%_sure"


@pytest.mark.parametrize(
    "term", ["zoë", "brien-van", "dijk zoe", "@example.c", "100%_", "e.com", TEXT]
)
def test_a_text_has_every_bit_of_a_term_it_contains(term):
    assert trigrams.signature(term) & ~trigrams.signature(TEXT) == 0


def test_terms_shorter_than_a_trigram_have_no_bits():
    assert trigrams.signature("") == trigrams.signature("ab") == 0


def test_signatures_are_positive_63_bit_integers_that_never_change():
    assert 0 < trigrams.signature(TEXT) < 2**63
    # Stored rows keep their signatures: a new hash needs a migration that refills them.
    assert trigrams.signature("jansen") == JANSEN_BITS


def test_most_unrelated_terms_are_told_apart():
    """The point of the signature: an unrelated term usually lacks a bit of the text."""
    words = ["jansen", "müller", "okafor", "nakamura", "fernández", "kowalski", "nguyen"]
    text = trigrams.signature("anna de vries anna.devries@example.org")
    lacking = [w for w in words if trigrams.signature(w) & ~text]
    assert len(lacking) >= len(words) - 1
