"""The default groups, one per team: each gets the view and change rights of its
service's resources (`Service.team`, `ResourcePages.permission`), so a recruiter sees
and edits candidates and offers, and sales organizations and persons.

The admin manages the groups afterwards: `ensure_default_groups()` creates a missing
group with its rights and leaves an existing one as the admin made it.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

from core.resources import ACTIONS, services


def default_groups() -> dict[str, list[str]]:
    """Group name -> its permissions ("app_label.codename"), from the registry."""
    groups: dict[str, list[str]] = {}
    for service, resources in services():
        if service.team:
            rights = groups.setdefault(service.team, [])
            rights += [r.permission(a) for r in resources for a in ACTIONS]
    return groups


def ensure_default_groups() -> list[str]:
    """Create the default groups that do not exist yet; returns the names created."""
    created = []
    for name, rights in default_groups().items():
        group, new = Group.objects.get_or_create(name=name)
        if new:
            group.permissions.set([permission_named(right) for right in rights])
            created.append(name)
    return created


def permission_named(right: str) -> Permission:
    """The `Permission` row of "app_label.codename"."""
    app_label, codename = right.split(".", 1)
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)
