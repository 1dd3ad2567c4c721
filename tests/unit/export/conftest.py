"""Synced records and connections, from the duplicates tests' fixtures."""

from tests.unit.duplicates.conftest import (
    affinity,
    candidate,
    organization,
    other_recruitee,
    person,
    project,
    projecttool,
    recruitee,
)

__all__ = [
    "affinity",
    "candidate",
    "organization",
    "other_recruitee",
    "person",
    "project",
    "projecttool",
    "recruitee",
]
