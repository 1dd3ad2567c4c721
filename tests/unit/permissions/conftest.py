"""Synced records and connections, from the duplicates tests' fixtures."""

import pytest

from ats.models import Candidate
from ats.outbox import CandidateCreate
from integrations.models import DuplicateFlag
from integrations.outbox.duplicates import duplicates_flag
from tests.unit.duplicates.conftest import (
    affinity,
    candidate,
    candidate_payload,
    create_write,
    organization,
    recruitee,
)

__all__ = ["affinity", "candidate", "create_write", "organization", "recruitee"]


@pytest.fixture
def candidate_flag(recruitee, candidate, create_write) -> DuplicateFlag:
    """An open possible-duplicate flag: a candidate created here and its synced namesakes."""
    candidate(recruitee, "Ann Lee", ["ann@example.com"])
    candidate(recruitee, "Ann M. Lee", ["ann@example.com"])
    payload = candidate_payload("Ann Lee", "ann@example.com")
    create_write(recruitee, CandidateCreate.name, payload, summary="Create candidate Ann Lee")
    duplicates_flag(connection=recruitee, model=Candidate)
    return DuplicateFlag.objects.get()
