"""A deterministic, realistic data set of any size: `seed_all(store, sizes, seed)`.

Everything comes from `random.Random` seeded per provider, and timestamps from
a fixed origin, so the same seed gives the same records on every machine.
Rows are built in memory and written with `executemany` in one transaction:
100,000 candidates take 11-16 s on the shared 2-core machine.
"""

from __future__ import annotations

import functools
import random
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from integrations.sandbox import asana, recruitee_rows, recruitee_shapes
from integrations.sandbox import seed_text as text
from integrations.sandbox.affinity_rows import organization_row, person_row
from integrations.sandbox.projecttool import PRIORITIES, STATUSES, project_row
from integrations.sandbox.store import SandboxStore, dumps
from integrations.sandbox.values import iso_micro, iso_milli

ORIGIN = datetime(2023, 1, 2, 9, 0, tzinfo=UTC)
SOURCES = ("career_site", "career_site", "manual", "imported", "email")
DISQUALIFY_REASONS = ("Not a fit", "Withdrew", "Position filled")


@dataclass(frozen=True)
class SeedSizes:
    candidates: int = 500
    offers: int = 12
    organizations: int = 300
    persons: int = 600
    projects: int = 80
    workspaces: int = 3


SMALL = SeedSizes(candidates=60, offers=4, organizations=40, persons=80, projects=24, workspaces=2)


def seed_all(store: SandboxStore, sizes: SeedSizes = SeedSizes(), seed: int = 1) -> None:
    """Replace every sandbox record with a fresh data set."""
    store.clear()
    with store.transaction() as conn:
        _seed_recruitee(conn, random.Random(f"{seed}:recruitee"), sizes)
        _seed_affinity(conn, random.Random(f"{seed}:affinity"), sizes)
        _seed_projects(conn, random.Random(f"{seed}:projects"), sizes)
        _seed_asana(conn, random.Random(f"{seed}:asana"), sizes)


def _at(minutes: float) -> datetime:
    return ORIGIN + timedelta(minutes=minutes)


@functools.lru_cache(maxsize=4096)
def _slug(value: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_text.lower() if ch.isalnum()) or "user"


def _person_name(rng: random.Random, index: int) -> tuple[str, str]:
    """First and last name; every 13th is awkward (scripts, emoji, markup)."""
    if index % 13 == 5:
        name = rng.choice(text.AWKWARD_NAMES)
        first, _, last = name.partition(" ")
        # "王伟": the family name comes first, one character here.
        return (first, last) if last else (name[1:], name[:1])
    return rng.choice(text.FIRST_NAMES), rng.choice(text.LAST_NAMES)


# -- Recruitee ------------------------------------------------------------------
def _seed_recruitee(conn: Any, rng: random.Random, sizes: SeedSizes) -> None:
    conn.executemany(
        "INSERT INTO recruitee_departments VALUES (?, ?)",
        [(department["id"], dumps(department)) for department in _departments()],
    )
    offers = [_offer(rng, offer_id) for offer_id in range(1, sizes.offers + 1)]
    conn.executemany(
        "INSERT INTO recruitee_offers VALUES (?, ?, ?)",
        [(offer["id"], offer["status"], dumps(offer)) for offer in offers],
    )
    open_offers = [offer for offer in offers if offer["status"] != "archived"] or offers
    hire_stages = recruitee_shapes.hire_stage_ids(offers)
    candidates, placement_id, minutes = [], 0, 0.0
    for candidate_id in range(1, sizes.candidates + 1):
        minutes += 1 + rng.random() * 239
        candidate = _candidate(rng, candidate_id, _at(minutes))
        for offer in _some(rng, open_offers, (0, 1, 1, 1, 2)[candidate_id % 5]):
            placement_id += 1
            candidate["placements"].append(_placement(rng, placement_id, candidate, offer))
        _mark_hired_elsewhere(candidate["placements"], hire_stages)
        candidates.append(candidate)
    conn.executemany(
        "INSERT INTO recruitee_candidates VALUES (?, ?, ?, ?, ?, ?)",
        [recruitee_rows.candidate_row(c) for c in candidates],
    )
    conn.executemany(
        "INSERT INTO recruitee_placements VALUES (?, ?, ?, ?, ?, ?)",
        [row for c in candidates for row in recruitee_rows.placement_rows(c, hire_stages)],
    )


def _departments() -> list[dict[str, Any]]:
    """Every department an offer may name (`department_id` is its index in the list + 1).

    The keys are those Airbyte's Recruitee connector declares (recruitee.md §7);
    the `status` values are UNCONFIRMED, so it is null (a type it allows).
    """
    return [
        {
            "id": index,
            "name": name,
            "status": None,
            "grouped_translations": {"en": {"name": name}},
        }
        for index, name in enumerate(text.DEPARTMENTS, start=1)
    ]


def _some(rng: random.Random, items: list[Any], count: int) -> list[Any]:
    """Up to `count` distinct items; cheaper than `rng.sample` in a 100,000-row loop."""
    if not items or not count:
        return []
    start = int(rng.random() * len(items))
    return [items[(start + step) % len(items)] for step in range(min(count, len(items)))]


def _offer(rng: random.Random, offer_id: int) -> dict[str, Any]:
    title = text.OFFER_TITLES[(offer_id - 1) % len(text.OFFER_TITLES)]
    city, country = rng.choice(text.LOCATIONS)
    department = rng.choice(text.DEPARTMENTS)
    status = "published" if offer_id % 5 else rng.choice(("archived", "draft", "closed"))
    created = iso_micro(_at(-rng.uniform(10_000, 100_000)))
    stages = [
        {"id": offer_id * 100 + position, "name": name, "category": category,
         "position": position, "locked": category in ("apply", "hire"), "group": None,
         "time_limit": None}
        for position, (name, category) in enumerate(text.PIPELINE)
    ]  # fmt: skip
    slug = f"{_slug(title)}-{offer_id}"
    return {
        "id": offer_id,
        "title": title,
        "status": status,
        "kind": "talent_pool" if offer_id == 12 else "job",
        "slug": slug,
        "guid": f"sandbox-offer-{offer_id:04d}",
        "position": offer_id,
        "url": f"https://sandbox.recruitee.com/o/{slug}",
        "careers_url": f"https://sandbox.recruitee.com/o/{slug}",
        "adminapp_url": f"https://app.recruitee.com/#/offers/{slug}",
        "location": f"{city}, {country}" if country else city,
        "city": city,
        "country_code": country,
        "state_code": None,
        "state_name": None,
        "postal_code": None,
        "street": None,
        "remote": city == "Remote",
        "department": department,
        "department_id": text.DEPARTMENTS.index(department) + 1,
        "employment_type": rng.choice(("fulltime_permanent", "parttime_permanent", "contract")),
        "description": f"<p>Join us as <b>{title}</b>.</p>",
        "requirements": "<ul><li>Curiosity</li><li>Care</li></ul>",
        "salary": {
            "currency": "EUR",
            "min": 40000 + offer_id * 1000,
            "max": 90000,
            "period": "year",
        },
        "min_hours": 32,
        "max_hours": 40,
        "number_of_openings": rng.randint(1, 3),
        "recruiter_id": recruitee_shapes.ADMINS[0]["id"],
        "hiring_manager_id": recruitee_shapes.ADMINS[1]["id"],
        "offer_tags": [],
        "followers": [],
        "lang_code": "en",
        "primary_lang_code": "en",
        "mailbox_email": f"job.{offer_id}@sandbox.recruitee.example",
        "options_cv": "required",
        "options_phone": "optional",
        "options_cover_letter": "optional",
        "options_photo": "optional",
        "pipeline_template": {"id": offer_id, "title": f"{title} pipeline", "stages": stages},
        "pipeline_template_id": offer_id,
        "created_at": created,
        "updated_at": created,
        "published_at": created if status == "published" else None,
        "closed_at": None,
    }


def _candidate(rng: random.Random, candidate_id: int, created: datetime) -> dict[str, Any]:
    """One candidate. Plain `rng.random()` arithmetic keeps 100,000 of them fast."""
    if candidate_id % 13 == 5:
        name = text.AWKWARD_NAMES[candidate_id % len(text.AWKWARD_NAMES)]
    else:
        name = f"{_pick(rng, text.FIRST_NAMES)} {_pick(rng, text.LAST_NAMES)}"
    slug = _slug(name)
    emails = [] if candidate_id % 15 == 0 else [f"{slug}.{candidate_id}@example.com"]
    if candidate_id % 9 == 0 and emails:
        emails.append(f"{slug}{candidate_id}@mail.example")
    created_at = iso_micro(created)
    roll = rng.random()
    bits = rng.getrandbits(16)
    return {
        "id": candidate_id,
        "name": name,
        "emails": emails,
        "phones": [] if candidate_id % 7 == 0 else [f"+31 6 {10_000_000 + bits * 1021}"],
        "links": [f"https://portfolio.example/{slug}"] if candidate_id % 4 == 0 else [],
        "social_links": (
            [f"https://www.linkedin.com/in/{slug}-{candidate_id}"] if candidate_id % 3 == 0 else []
        ),
        "cover_letter": _cover_letter(candidate_id, roll),
        "tags": list(text.TAGS[bits % 11 : bits % 11 + bits % 3]),
        "source": SOURCES[bits % len(SOURCES)],
        "sources": [],
        "referrer": text.REFERRERS[bits % 4] if roll < 0.3 else None,
        "admin_id": recruitee_shapes.ADMINS[bits & 1]["id"],
        "has_avatar": roll < 0.6,
        "created_at": created_at,
        "updated_at": created_at,
        "last_message_at": (
            iso_micro(created + timedelta(hours=1 + roll * 500)) if bits & 4 else None
        ),
        "placements": [],
        "rating": bits % 6,
        "ratings": {
            "yes": bits >> 4 & 1,
            "no": bits >> 5 & 1,
            "neutral": bits >> 6 & 1,
            "strong_yes": bits >> 7 & 1,
        },
        "notes_count": bits >> 8 & 3,
        "tasks_count": bits >> 10 & 1,
        "viewed": bool(bits >> 11 & 1),
        "followed": bits >> 12 & 7 == 0,
    }


def _cover_letter(candidate_id: int, roll: float) -> str | None:
    if candidate_id % 100 == 7:
        return text.LONG_PARAGRAPH * 80  # about 13,000 characters
    if roll > 0.7:
        return None
    return text.COVER_LETTERS[candidate_id % len(text.COVER_LETTERS)]


def _pick(rng: random.Random, items: tuple[str, ...]) -> str:
    return items[int(rng.random() * len(items))]


def _placement(
    rng: random.Random, placement_id: int, candidate: dict[str, Any], offer: dict[str, Any]
) -> dict[str, Any]:
    """A placement at a random stage. Hired ones come in the shapes of live answers
    (recruitee.md §7): in a `hire` stage with `hired_at` and the flag set, with `hired_at`
    and the flag false, or by the stage alone; and some with `hired_at` in an `offer` stage."""
    stage = _pick(rng, offer["pipeline_template"]["stages"])
    placement = recruitee_shapes.placement(
        placement_id=placement_id,
        candidate_id=candidate["id"],
        offer=offer,
        stage=stage,
        at=candidate["created_at"],
    )
    hired_at = iso_micro(
        datetime.fromisoformat(candidate["created_at"]) + timedelta(days=7 + placement_id % 50)
    )
    if stage["category"] == "hire":
        if placement_id % 3 != 2:  # the third: hired by its stage alone
            recruitee_shapes.hire(placement, at=hired_at, flag=placement_id % 3 == 0)
    elif placement_id % 8 == 3:
        placement["disqualify_kind"] = "admin"
        placement["disqualify_reason"] = DISQUALIFY_REASONS[placement_id % 3]
    elif stage["category"] == "offer" and placement_id % 8 == 5:
        recruitee_shapes.hire(placement, at=hired_at, flag=False)
    return placement


def _mark_hired_elsewhere(placements: list[dict[str, Any]], hire_stages: set[int]) -> None:
    hired = [recruitee_shapes.is_hired(p, hire_stages) for p in placements]
    for index, placement in enumerate(placements):
        placement["hired_in_other_placement"] = any(hired[:index] + hired[index + 1 :])


# -- Affinity -----------------------------------------------------------------------
def _seed_affinity(conn: Any, rng: random.Random, sizes: SeedSizes) -> None:
    orgs = [_organization(rng, org_id) for org_id in range(1, sizes.organizations + 1)]
    persons = [_person(rng, person_id, orgs) for person_id in range(1, sizes.persons + 1)]
    conn.executemany(
        "INSERT INTO affinity_organizations VALUES (?, ?, ?)", map(organization_row, orgs)
    )
    conn.executemany("INSERT INTO affinity_persons VALUES (?, ?, ?)", map(person_row, persons))
    conn.executemany(
        "INSERT INTO affinity_person_emails VALUES (?, ?)",
        [(email.lower(), p["id"]) for p in persons for email in p["emails"]],
    )
    links = {
        (org["id"], person["id"])
        for person in persons
        for org in rng.sample(orgs, k=min(len(orgs), rng.choice((0, 1, 1, 2))))
    }
    conn.executemany("INSERT INTO affinity_memberships VALUES (?, ?)", sorted(links))


def _organization(rng: random.Random, org_id: int) -> dict[str, Any]:
    if org_id % 17 == 3:
        name = text.AWKWARD_COMPANIES[org_id // 17 % len(text.AWKWARD_COMPANIES)]
    else:
        name = f"{rng.choice(text.COMPANY_WORDS)} {rng.choice(text.COMPANY_SUFFIXES)}"
    domain = None if org_id % 10 == 0 else f"{_slug(name)}{org_id}.example"
    return {
        "id": org_id,
        "name": name,
        "domain": domain,
        "domains": [domain] if domain else [],
        "global": org_id % 12 == 1,  # from Affinity's own dataset: read-only
    }


def _person(rng: random.Random, person_id: int, orgs: list[dict[str, Any]]) -> dict[str, Any]:
    first, last = _person_name(rng, person_id)
    domain = (rng.choice(orgs)["domain"] if orgs else None) or "example.com"
    emails = [] if person_id % 20 == 0 else [f"{_slug(first)}.{_slug(last)}.{person_id}@{domain}"]
    return {
        "id": person_id,
        "type": 1 if person_id <= 3 else 0,  # the first few are internal (team members)
        "first_name": first,
        "last_name": last,
        "primary_email": emails[0] if emails else None,
        "emails": emails,
    }


# -- the generic project tool and Asana -------------------------------------------------
def _project_names(rng: random.Random, count: int) -> list[str]:
    names = [f"{a} {n}" for a in text.PROJECT_ADJECTIVES for n in text.PROJECT_NOUNS]
    rng.shuffle(names)
    return [
        names[i % len(names)] + (f" {i // len(names) + 1}" if i >= len(names) else "")
        for i in range(count)
    ]


def _seed_projects(conn: Any, rng: random.Random, sizes: SeedSizes) -> None:
    users = [
        {
            "id": i,
            "name": f"{first} {last}",
            "email": f"{_slug(first)}.{_slug(last)}@sandbox.example",
        }
        for i, (first, last) in enumerate((_person_name(rng, i) for i in range(1, 9)), start=1)
    ]
    workspaces = [{"id": i, "name": f"Workspace {i}"} for i in range(1, sizes.workspaces + 1)]
    conn.executemany(
        "INSERT INTO projects_users VALUES (?, ?)", [(u["id"], dumps(u)) for u in users]
    )
    conn.executemany(
        "INSERT INTO projects_workspaces VALUES (?, ?)", [(w["id"], dumps(w)) for w in workspaces]
    )
    projects = []
    for project_id, name in enumerate(_project_names(rng, sizes.projects), start=1):
        start = ORIGIN.date() + timedelta(days=rng.randint(0, 700))
        at = iso_milli(_at(rng.uniform(0, 500_000)))
        projects.append(
            {
                "id": project_id,
                "name": name,
                "description": rng.choice(text.PROJECT_DESCRIPTIONS),
                "owner_id": rng.choice(users)["id"] if rng.random() < 0.9 else None,
                "workspace_id": workspaces[project_id % len(workspaces)]["id"],
                "start_date": start.isoformat(),
                "end_date": (start + timedelta(days=rng.randint(0, 180))).isoformat(),
                "status": rng.choice(STATUSES),
                "priority": rng.choice(PRIORITIES),
                "tags": rng.sample(
                    ("backend", "frontend", "q3", "customer", "internal"), k=rng.randint(0, 2)
                ),
                "template_id": None,
                "created_at": at,
                "updated_at": at,
            }
        )
    conn.executemany(
        "INSERT INTO projects_projects VALUES (?, ?, ?, ?, ?)", map(project_row, projects)
    )


def _seed_asana(conn: Any, rng: random.Random, sizes: SeedSizes) -> None:
    """Plain workspaces, and (with two or more) the last one an organization whose
    projects each belong to one of its teams, as Asana requires (project-tool.md §8)."""
    users = [
        {
            "id": i,
            "name": f"{first} {last}",
            "email": f"{_slug(first)}.{_slug(last)}@sandbox.example",
        }
        for i, (first, last) in enumerate((_person_name(rng, i) for i in range(1, 6)), start=1)
    ]
    workspaces = [
        {"id": i, "name": f"Sandbox Workspace {i}", "is_organization": False}
        for i in range(1, sizes.workspaces + 1)
    ]
    if len(workspaces) > 1:
        workspaces[-1] = {**workspaces[-1], "name": "Sandbox Organization", "is_organization": True}
    organization = workspaces[-1] if workspaces[-1]["is_organization"] else None
    teams = [
        {"id": i, "workspace_id": organization["id"], "name": name, "description": about}
        for i, (name, about) in enumerate(text.TEAMS, start=1)
        if organization
    ]
    conn.executemany("INSERT INTO asana_users VALUES (?, ?)", [(u["id"], dumps(u)) for u in users])
    conn.executemany(
        "INSERT INTO asana_workspaces VALUES (?, ?)", [(w["id"], dumps(w)) for w in workspaces]
    )
    conn.executemany(
        "INSERT INTO asana_teams VALUES (?, ?, ?)",
        [(t["id"], t["workspace_id"], dumps(t)) for t in teams],
    )
    projects = []
    for project_id, name in enumerate(_project_names(rng, sizes.projects), start=1):
        start = ORIGIN.date() + timedelta(days=rng.randint(0, 700))
        at = iso_milli(_at(rng.uniform(0, 500_000)))
        dated = rng.random() < 0.7
        workspace = workspaces[project_id % len(workspaces)]
        projects.append(
            {
                "id": project_id,
                "name": name,
                "notes": rng.choice(text.PROJECT_DESCRIPTIONS),
                "workspace_id": workspace["id"],
                "team_id": rng.choice(teams)["id"] if workspace is organization else None,
                "owner_id": rng.choice(users)["id"],
                "start_on": start.isoformat() if dated else None,
                "due_on": (start + timedelta(days=rng.randint(1, 180))).isoformat()
                if dated
                else None,
                "color": rng.choice(asana.COLORS),
                "default_view": rng.choice(asana.DEFAULT_VIEWS),
                "privacy_setting": "public_to_workspace",
                "archived": project_id % 11 == 0,
                "created_at": at,
                "modified_at": at,
            }
        )
    conn.executemany(
        "INSERT INTO asana_projects VALUES (?, ?, ?, ?)", map(asana.project_row, projects)
    )
