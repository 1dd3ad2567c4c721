"""What the fake Asana answers: each resource's full and compact form, and `opt_fields`.

Without `opt_fields` a list item is compact (gid, resource_type, name) and a
single record is full. With it, Asana answers gid and resource_type plus the
named fields only; a nested object named alone shows its gid and
resource_type, and a dotted name (`workspace.name`) picks inside it, or inside
each object of a list. Only the values Asana's document allows are accepted
(`asana_fields`).
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from integrations.sandbox.store import dumps

GID_BASE = 1_200_000_000_000_000  # Asana gids are long numeric strings
IDENTITY = ("gid", "resource_type")


def gid(record_id: int) -> str:
    return str(GID_BASE + record_id)


def record_id(gid_value: str | None) -> int | None:
    """The row id behind a gid; None when it is not one of ours."""
    if not gid_value or not gid_value.isdigit() or int(gid_value) <= GID_BASE:
        return None
    return int(gid_value) - GID_BASE


def compact(resource_type: str, record: dict[str, Any]) -> dict[str, Any]:
    """The compact form every Asana resource has: gid, resource_type, name."""
    return {"gid": gid(record["id"]), "resource_type": resource_type, "name": record["name"]}


def select_fields(full: dict[str, Any], wanted: Iterable[str]) -> dict[str, Any]:
    """`full` cut down to what `opt_fields` names (see the module docstring)."""
    selected = {key: full[key] for key in IDENTITY if key in full}
    for path in wanted:
        _pick(full, selected, path.split("."))
    return selected


def _identity(value: dict[str, Any]) -> dict[str, Any]:
    return {key: value[key] for key in IDENTITY if key in value}


def _pick(source: dict[str, Any], target: dict[str, Any], parts: list[str]) -> None:
    head, rest = parts[0], parts[1:]
    if head not in source:
        return
    value = source[head]
    if isinstance(value, dict) and "gid" in value:
        inner = target.setdefault(head, _identity(value))
        if rest:
            _pick(value, inner, rest)
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        items = target.setdefault(head, [_identity(item) for item in value])
        for item, picked in zip(value, items, strict=True):
            if rest:
                _pick(item, picked, rest)
    else:
        target[head] = value


def workspace_full(workspace: dict[str, Any]) -> dict[str, Any]:
    return {
        **compact("workspace", workspace),
        "email_domains": ["sandbox.example"],
        "is_organization": bool(workspace.get("is_organization")),
    }


def user_full(user: dict[str, Any], workspaces: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        **compact("user", user),
        "email": user["email"],
        "photo": None,
        "workspaces": [compact("workspace", w) for w in workspaces],
    }


def team_full(team: dict[str, Any], workspace: dict[str, Any]) -> dict[str, Any]:
    team_gid = gid(team["id"])
    return {
        **compact("team", team),
        "description": team.get("description", ""),
        "html_description": f"<body>{html.escape(team.get('description', ''), quote=False)}</body>",
        "organization": compact("workspace", workspace),
        "permalink_url": f"https://app.asana.com/0/{team_gid}/overview",
        "visibility": "public",
    }


def project_full(
    project: dict[str, Any],
    workspace: dict[str, Any],
    owner: dict[str, Any] | None,
    team: dict[str, Any] | None,
) -> dict[str, Any]:
    project_gid = gid(project["id"])
    full = {
        "gid": project_gid,
        "resource_type": "project",
        "name": project["name"],
        "archived": project["archived"],
        "color": project["color"],
        "created_at": project["created_at"],
        "current_status": None,
        "current_status_update": None,
        "custom_field_settings": [],
        "custom_fields": [],
        "default_view": project["default_view"],
        "due_date": project["due_on"],
        "due_on": project["due_on"],
        "followers": [],
        "html_notes": f"<body>{html.escape(project['notes'], quote=False)}</body>",
        "icon": "list",
        "members": [],
        "modified_at": project["modified_at"],
        "notes": project["notes"],
        "owner": compact("user", owner) if owner else None,
        "permalink_url": f"https://app.asana.com/0/{project_gid}/list",
        "privacy_setting": project["privacy_setting"],
        "public": project["privacy_setting"] == "public_to_workspace",
        "start_on": project["start_on"],
        "workspace": compact("workspace", workspace),
    }
    # `team` is a non-nullable object in the schema: left out when there is none (§8).
    if team:
        full["team"] = compact("team", team)
    return full


def project_row(project: dict[str, Any]) -> tuple[Any, ...]:
    return (project["id"], project["workspace_id"], int(project["archived"]), dumps(project))
