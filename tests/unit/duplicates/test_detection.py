"""The duplicate check after a sync: what counts as a copy of one create, and a flag's life."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ats.models import Candidate
from crm.models import Organization, Person
from integrations.models import DuplicateFlag, OutboxItem
from integrations.outbox.duplicates import duplicate_flag_dismiss, duplicates_flag
from projects.models import Project
from tests.unit.duplicates.conftest import candidate_payload

pytestmark = pytest.mark.django_db

CREATE = "recruitee.candidate_create"


def _flags() -> list[DuplicateFlag]:
    return list(DuplicateFlag.objects.order_by("pk"))


def _open() -> list[DuplicateFlag]:
    return list(DuplicateFlag.objects.filter(closed_at=None, dismissed_at=None))


def test_two_synced_copies_of_one_create_make_a_flag(recruitee, candidate, create_write):
    first = candidate(recruitee, "Ann Lee", ["ann@example.com"])
    second = candidate(recruitee, "Ann Lee", ["ann@example.com"])
    candidate(recruitee, "Bob Stone", ["bob@example.com"])
    item = create_write(recruitee, CREATE, candidate_payload("Ann Lee", "ann@example.com"))

    duplicates_flag(connection=recruitee, model=Candidate)

    [flag] = _flags()
    assert flag.is_open
    assert (flag.identity_kind, flag.identity_value) == ("email", "ann@example.com")
    assert flag.record_ids == sorted([first.pk, second.pk])
    assert flag.outbox_item == item
    assert flag.connection == recruitee
    assert flag.record_type == "ats.Candidate"


def test_one_copy_is_no_duplicate(recruitee, candidate, create_write):
    candidate(recruitee, "Ann Lee", ["ann@example.com"])
    create_write(recruitee, CREATE, candidate_payload("Ann Lee", "ann@example.com"))

    duplicates_flag(connection=recruitee, model=Candidate)

    assert _flags() == []


def test_another_connections_copy_does_not_count(
    recruitee, other_recruitee, candidate, create_write
):
    candidate(recruitee, "Ann Lee", ["ann@example.com"])
    candidate(other_recruitee, "Ann Lee", ["ann@example.com"])
    create_write(recruitee, CREATE, candidate_payload("Ann Lee", "ann@example.com"))

    duplicates_flag(connection=recruitee, model=Candidate)
    duplicates_flag(connection=other_recruitee, model=Candidate)

    assert _flags() == []


def test_emails_match_ignoring_case_and_position(recruitee, candidate, create_write):
    first = candidate(recruitee, "Ann Lee", ["ann@example.com"])
    second = candidate(recruitee, "A. Lee", ["work@example.org", "ANN@Example.COM"])
    create_write(recruitee, CREATE, candidate_payload("Ann Lee", " Ann@EXAMPLE.com "))

    duplicates_flag(connection=recruitee, model=Candidate)

    [flag] = _flags()
    assert flag.identity_value == "ann@example.com"
    assert flag.record_ids == sorted([first.pk, second.pk])


def test_an_email_containing_the_other_is_not_the_same(recruitee, candidate, create_write):
    candidate(recruitee, "Ann Lee", ["ann@example.com"])
    candidate(recruitee, "Joann Lee", ["joann@example.com"])
    candidate(recruitee, "Ann Lee", ["ann@example.com.au"])
    create_write(recruitee, CREATE, candidate_payload("Ann Lee", "ann@example.com"))

    duplicates_flag(connection=recruitee, model=Candidate)

    assert _flags() == []


def test_deleted_copies_and_pending_local_rows_do_not_count(recruitee, candidate, create_write):
    candidate(recruitee, "Ann Lee", ["ann@example.com"])
    candidate(recruitee, "Ann Lee", ["ann@example.com"], is_deleted=True)
    candidate(recruitee, "Ann Lee", ["ann@example.com"], remote_id=None, sync_status="pending")
    create_write(recruitee, CREATE, candidate_payload("Ann Lee", "ann@example.com"))

    duplicates_flag(connection=recruitee, model=Candidate)

    assert _flags() == []


def test_only_done_creates_within_the_window_are_compared(recruitee, candidate, create_write):
    candidate(recruitee, "Ann Lee", ["ann@example.com"])
    candidate(recruitee, "Ann Lee", ["ann@example.com"])
    create_write(
        recruitee, CREATE, candidate_payload("Ann Lee", "ann@example.com"), status="pending"
    )
    create_write(
        recruitee, CREATE, candidate_payload("Ann Lee", "ann@example.com"), status="failed"
    )
    create_write(
        recruitee,
        CREATE,
        candidate_payload("Ann Lee", "ann@example.com"),
        created_at=timezone.now() - timedelta(days=31),
    )
    # An update carries no identity: it never creates a copy.
    create_write(
        recruitee,
        "recruitee.candidate_update",
        {"remote_id": "1", "changes": {"emails": ["ann@example.com"]}},
    )

    duplicates_flag(connection=recruitee, model=Candidate)

    assert _flags() == []


def test_two_creates_with_one_email_make_one_flag(recruitee, candidate, create_write):
    candidate(recruitee, "Ann Lee", ["ann@example.com"])
    candidate(recruitee, "Ann Lee", ["ann@example.com"])
    create_write(recruitee, CREATE, candidate_payload("Ann Lee", "ann@example.com"))
    latest = create_write(recruitee, CREATE, candidate_payload("Ann Lee", "ANN@example.com"))

    duplicates_flag(connection=recruitee, model=Candidate)

    [flag] = _flags()
    assert flag.outbox_item == latest


def test_a_rerun_updates_the_copies_and_closes_the_flag_at_one(recruitee, candidate, create_write):
    first = candidate(recruitee, "Ann Lee", ["ann@example.com"])
    second = candidate(recruitee, "Ann Lee", ["ann@example.com"])
    create_write(recruitee, CREATE, candidate_payload("Ann Lee", "ann@example.com"))
    duplicates_flag(connection=recruitee, model=Candidate)

    third = candidate(recruitee, "Ann Lee", ["ann@example.com"])
    duplicates_flag(connection=recruitee, model=Candidate)
    [flag] = _flags()
    assert flag.record_ids == sorted([first.pk, second.pk, third.pk])

    Candidate.objects.filter(pk__in=[second.pk, third.pk]).update(is_deleted=True)
    duplicates_flag(connection=recruitee, model=Candidate)
    flag.refresh_from_db()
    assert flag.closed_at is not None
    assert flag.record_ids == [first.pk]
    assert _open() == []


def test_an_open_flag_is_still_closed_after_its_create_left_the_window(
    recruitee, candidate, create_write
):
    candidate(recruitee, "Ann Lee", ["ann@example.com"])
    second = candidate(recruitee, "Ann Lee", ["ann@example.com"])
    item = create_write(recruitee, CREATE, candidate_payload("Ann Lee", "ann@example.com"))
    duplicates_flag(connection=recruitee, model=Candidate)

    OutboxItem.objects.filter(pk=item.pk).update(created_at=timezone.now() - timedelta(days=60))
    second.is_deleted = True
    second.save()
    duplicates_flag(connection=recruitee, model=Candidate)

    [flag] = _flags()
    assert flag.closed_at is not None


def test_a_dismissal_survives_a_rerun_but_not_a_new_copy(
    recruitee, candidate, create_write, django_user_model
):
    someone = django_user_model.objects.create_user(username="bea", password="x-long-password")
    candidate(recruitee, "Ann Lee", ["ann@example.com"])
    candidate(recruitee, "Ann Lee", ["ann@example.com"])
    create_write(recruitee, CREATE, candidate_payload("Ann Lee", "ann@example.com"))
    duplicates_flag(connection=recruitee, model=Candidate)
    [flag] = _flags()

    duplicate_flag_dismiss(flag=flag, user=someone)
    duplicates_flag(connection=recruitee, model=Candidate)
    flag.refresh_from_db()
    assert flag.dismissed_at is not None
    assert flag.dismissed_by == someone
    assert _open() == []

    newcomer = candidate(recruitee, "Ann Lee", ["ann@example.com"])
    duplicates_flag(connection=recruitee, model=Candidate)
    flag.refresh_from_db()
    assert flag.is_open
    assert newcomer.pk in flag.record_ids
    assert flag.dismissed_by is None


def test_a_closed_flag_reopens_when_a_second_copy_comes_back(recruitee, candidate, create_write):
    candidate(recruitee, "Ann Lee", ["ann@example.com"])
    second = candidate(recruitee, "Ann Lee", ["ann@example.com"])
    create_write(recruitee, CREATE, candidate_payload("Ann Lee", "ann@example.com"))
    duplicates_flag(connection=recruitee, model=Candidate)
    Candidate.objects.filter(pk=second.pk).update(is_deleted=True)
    duplicates_flag(connection=recruitee, model=Candidate)
    assert _open() == []

    Candidate.objects.filter(pk=second.pk).update(is_deleted=False)
    duplicates_flag(connection=recruitee, model=Candidate)

    assert len(_open()) == 1


def test_persons_match_by_email(affinity, person, create_write):
    first = person(affinity, "Ann", "Lee", ["ann@example.com"])
    second = person(affinity, "Annie", "Lee", ["other@example.com", "Ann@Example.com"])
    person(affinity, "Bob", "Lee", ["bob@example.com"])
    payload = {"first_name": "Ann", "last_name": "Lee", "emails": ["ann@example.com"]}
    create_write(affinity, "affinity.person.create", payload)

    duplicates_flag(connection=affinity, model=Person)

    [flag] = _flags()
    assert (flag.identity_kind, flag.record_type) == ("email", "crm.Person")
    assert flag.record_ids == sorted([first.pk, second.pk])


def test_organizations_match_by_domain_when_the_write_had_one(affinity, organization, create_write):
    first = organization(affinity, "Acme", ["acme.com"])
    second = organization(affinity, "Acme Inc.", ["acme.io", "ACME.com"])
    organization(affinity, "Acme", ["acme.org"])  # same name, other domain: not this one
    organization(affinity, "Acme", ["acme.com"], is_global=True)  # Affinity's own data set
    create_write(affinity, "affinity.organization.create", {"name": "Acme", "domain": "acme.com"})

    duplicates_flag(connection=affinity, model=Organization)

    [flag] = _flags()
    assert (flag.identity_kind, flag.identity_value) == ("domain", "acme.com")
    assert flag.record_ids == sorted([first.pk, second.pk])


def test_organizations_match_by_name_without_a_domain(affinity, organization, create_write):
    first = organization(affinity, "Ørsted Lab", [])
    second = organization(affinity, "ørsted lab", ["orsted.example"])
    organization(affinity, "Ørsted Laboratories", [])
    create_write(affinity, "affinity.organization.create", {"name": "Ørsted Lab", "domain": ""})

    duplicates_flag(connection=affinity, model=Organization)

    [flag] = _flags()
    assert (flag.identity_kind, flag.identity_value) == ("name", "ørsted lab")
    assert flag.record_ids == sorted([first.pk, second.pk])


@pytest.mark.parametrize("operation", ["projecttool.project_create", "asana.project_create"])
def test_projects_match_by_name_within_the_workspace(projecttool, project, create_write, operation):
    first = project(projecttool, "Website relaunch", workspace="10")
    second = project(projecttool, "Website Relaunch", workspace="10")
    project(projecttool, "Website relaunch", workspace="11")
    create_write(projecttool, operation, {"name": "Website relaunch", "workspace": "10"})

    duplicates_flag(connection=projecttool, model=Project)

    [flag] = _flags()
    assert (flag.identity_kind, flag.identity_scope) == ("name", "10")
    assert flag.record_ids == sorted([first.pk, second.pk])


def test_a_project_write_without_a_workspace_compares_every_workspace(
    projecttool, project, create_write
):
    project(projecttool, "Roadmap", workspace="10")
    project(projecttool, "Roadmap", workspace="11")
    create_write(projecttool, "projecttool.project_create", {"name": "Roadmap", "workspace": ""})

    duplicates_flag(connection=projecttool, model=Project)

    assert len(_flags()) == 1
