"""JSONPlaceholder's data set, generated: the same counts, ids, relations and fields.

The real `data.json` is fixed lorem ipsum; this is fixed too (a seeded
generator per record, so every process and every run sees the same data),
with the real relations: 10 posts and 10 albums and 20 todos per user, 5
comments per post, 50 photos per album.
"""

from __future__ import annotations

import random
from functools import cache
from typing import Any

COUNTS = {"posts": 100, "comments": 500, "albums": 100, "photos": 5000, "todos": 200, "users": 10}
SINGULAR = {"posts": "post", "comments": "comment", "albums": "album", "photos": "photo",
            "todos": "todo", "users": "user"}  # fmt: skip

_WORDS = (
    "sunt", "aut", "facere", "repellat", "provident", "occaecati", "excepturi", "optio",
    "reprehenderit", "qui", "est", "esse", "ea", "molestias", "quasi", "exercitationem",
    "nesciunt", "magnam", "eum", "et", "dolorem", "voluptatem", "ullam", "omnis", "laboriosam",
    "quia", "accusamus", "beatae", "ut", "vero", "expedita", "soluta", "nam", "odit", "iure",
)  # fmt: skip
_FIRST = ("Leanne", "Ervin", "Clementine", "Patricia", "Chelsey", "Dennis", "Kurtis", "Nicholas",
          "Glenna", "Clementina")  # fmt: skip
_LAST = ("Graham", "Howell", "Bauch", "Lebsack", "Dietrich", "Schulist", "Weissnat",
         "Runolfsdottir", "Reichert", "DuBuque")  # fmt: skip
_CITIES = ("Gwenborough", "Wisokyburgh", "McKenziehaven", "South Elvis", "Roscoeview",
           "South Christy", "Howemouth", "Aliyaview", "Bartholomebury", "Lebsackbury")  # fmt: skip


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words))


def _sentences(rng: random.Random, lines: int) -> str:
    return "\n".join(_text(rng, rng.randint(6, 10)) for _ in range(lines))


def _post(i: int, rng: random.Random) -> dict[str, Any]:
    return {"userId": (i - 1) // 10 + 1, "id": i, "title": _text(rng, rng.randint(3, 8)),
            "body": _sentences(rng, 4)}  # fmt: skip


def _comment(i: int, rng: random.Random) -> dict[str, Any]:
    email = f"{rng.choice(_FIRST)}.{rng.choice(_LAST)}{i}@example.org".lower()
    return {"postId": (i - 1) // 5 + 1, "id": i, "name": _text(rng, rng.randint(3, 6)),
            "email": email, "body": _sentences(rng, 4)}  # fmt: skip


def _album(i: int, rng: random.Random) -> dict[str, Any]:
    return {"userId": (i - 1) // 10 + 1, "id": i, "title": _text(rng, rng.randint(2, 6))}


def _photo(i: int, rng: random.Random) -> dict[str, Any]:
    color = f"{rng.randrange(0x1000000):06x}"
    return {"albumId": (i - 1) // 50 + 1, "id": i, "title": _text(rng, rng.randint(3, 8)),
            "url": f"https://via.placeholder.com/600/{color}",
            "thumbnailUrl": f"https://via.placeholder.com/150/{color}"}  # fmt: skip


def _todo(i: int, rng: random.Random) -> dict[str, Any]:
    return {"userId": (i - 1) // 20 + 1, "id": i, "title": _text(rng, rng.randint(3, 7)),
            "completed": rng.random() < 0.45}  # fmt: skip


def _user(i: int, rng: random.Random) -> dict[str, Any]:
    first, last = _FIRST[i - 1], _LAST[i - 1]
    return {
        "id": i,
        "name": f"{first} {last}",
        "username": f"{first}.{last[:3]}"[:12],
        "email": f"{first.lower()}@{last.lower()}.example",
        "address": {
            "street": f"{_text(rng, 2).title()} Street",
            "suite": f"Apt. {rng.randint(100, 999)}",
            "city": _CITIES[i - 1],
            "zipcode": f"{rng.randint(10000, 99999)}-{rng.randint(1000, 9999)}",
            "geo": {"lat": f"{rng.uniform(-90, 90):.4f}", "lng": f"{rng.uniform(-180, 180):.4f}"},
        },
        "phone": f"1-{rng.randint(200, 999)}-{rng.randint(200, 999)}-{rng.randint(1000, 9999)}",
        "website": f"{last.lower()}.example",
        "company": {
            "name": f"{last}-{rng.choice(_LAST)}",
            "catchPhrase": _text(rng, 4).capitalize(),
            "bs": _text(rng, 3),
        },
    }


_MAKERS = {"posts": _post, "comments": _comment, "albums": _album, "photos": _photo,
           "todos": _todo, "users": _user}  # fmt: skip


@cache
def records(resource: str) -> tuple[dict[str, Any], ...]:
    """Every record of `resource`, in id order (built once per process; never changed)."""
    make = _MAKERS[resource]
    return tuple(
        make(i, random.Random(f"jsonplaceholder:{resource}:{i}"))
        for i in range(1, COUNTS[resource] + 1)
    )
