"""Synced records and connections, from the duplicates tests' fixtures."""

from tests.unit.duplicates.conftest import (
    affinity,
    candidate,
    create_write,
    organization,
    recruitee,
)

__all__ = ["affinity", "candidate", "create_write", "organization", "recruitee"]
