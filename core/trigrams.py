"""A 63-bit signature of a text's trigrams: a cheap first test for substring searches.

A list search is a substring match (`LIKE '%term%'`) over a lower-cased
`search_text`, walking a sort index until it has a page of matches. Most
entries it walks do not match, and the LIKE costs more than the walk. So each
row also stores the signature of its text: one bit for each of its trigrams
(three-character slices). A text that contains the term contains all of the
term's trigrams, so its signature has all of the term's bits; testing that
first (one AND) leaves the LIKE for the few percent of rows that pass. A term
shorter than three characters has no trigram and no signature (0): every row
passes and the LIKE decides alone.
"""

from __future__ import annotations

import zlib

BITS = 63  # the signature stays a positive signed 64-bit integer on every database


def signature(text: str) -> int:
    """The bits of `text`'s trigrams (the same text always gives the same bits)."""
    bits = 0
    for trigram in {text[i : i + 3] for i in range(len(text) - 2)}:
        bits |= 1 << (zlib.crc32(trigram.encode()) % BITS)
    return bits
