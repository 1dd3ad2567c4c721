"""One page of records as a provider module hands it to a sync or a search."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RecordPage:
    """The page's parsed records, where the next page starts, and the provider's total.

    `resume` is what the HTTP paginator's `Page.resume` was (an offset, a page
    number, a token, a URL): a sync keeps it as its checkpoint and passes it
    back as `start`; None after the last page. `total` is None unless the
    provider says how many records there are.
    """

    records: list[Any]
    resume: Any = None
    total: int | None = None
