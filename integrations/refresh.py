"""What refreshing one record from its provider came to (detail and edit pages)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Refresh:
    """The result of a `<entity>_refresh_from_provider()` call.

    `fresh`: the provider answered and the local copy was rewritten with its answer.
    `problem`: why the page shows the synced copy instead ("" when fresh, or when
    nothing was asked because the copy is known to be current).
    """

    fresh: bool
    problem: str = ""
