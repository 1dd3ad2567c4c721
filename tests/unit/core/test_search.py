"""Folding and term parsing: the one function that both stored text and typed terms go through."""

import pytest

from core.search import fold, search_document, search_words


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Łukasz", "lukasz"),
        ("Søren", "soren"),
        ("ØDEGAARD", "odegaard"),
        ("José Müller", "jose muller"),
        ("Straße", "strasse"),
        ("Đorđe", "dorde"),
        ("Ægir", "aegir"),
        ("İlkay", "ilkay"),
        ("王伟", "王伟"),
    ],
)
def test_fold_drops_case_and_accents_even_where_the_letter_has_no_decomposition(text, folded):
    assert fold(text) == folded


def test_a_document_holds_the_folded_texts_and_each_phones_digits():
    document = search_document("Łukasz Nowak", "LN@example.com", phones=["+31 6 1234 5678", "—"])
    assert document == "lukasz nowak ln@example.com 31612345678"


@pytest.mark.parametrize(
    ("term", "words"),
    [
        ("  Søren  Ødegaard ", ["soren", "odegaard"]),
        ("612345678", ["612345678"]),
        ("+31 6 1234 5678", ["31612345678"]),
        ("(06) 1234", ["061234"]),
        ("ann ann", ["ann"]),
        ("", []),
    ],
)
def test_a_term_becomes_words_and_a_phone_number_its_digits(term, words):
    assert search_words(term) == words
