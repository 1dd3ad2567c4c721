"""The sync and outbox registries: filled by the apps' `ready()`, strict about keys."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.core.exceptions import ImproperlyConfigured

from ats.outbox import CandidateCreate
from ats.sync import CANDIDATES
from integrations.outbox import registry as outbox_registry
from integrations.sync import registry as sync_registry


def test_the_apps_register_every_resource_and_operation_at_startup():
    assert {"recruitee.candidates", "affinity.persons", "asana.projects"} <= set(
        sync_registry.resources()
    )
    assert {"recruitee.candidate_create", "affinity.person.create", "asana.project_create"} <= set(
        outbox_registry.operations()
    )
    assert sync_registry.resource_for("recruitee.candidates") is CANDIDATES
    assert isinstance(outbox_registry.operation_for("recruitee.candidate_create"), CandidateCreate)


def test_registering_the_same_declarations_again_changes_nothing():
    before_resources, before_operations = sync_registry.resources(), outbox_registry.operations()
    sync_registry.register_resources(CANDIDATES)
    outbox_registry.register_operations(CandidateCreate)
    assert sync_registry.resources() == before_resources
    assert outbox_registry.operations() == before_operations


def test_another_resource_under_a_taken_key_is_refused():
    impostor = replace(CANDIDATES, incremental=not CANDIDATES.incremental)
    with pytest.raises(ImproperlyConfigured, match=r"'recruitee\.candidates' is registered twice"):
        sync_registry.register_resources(impostor)
    assert sync_registry.resource_for("recruitee.candidates") is CANDIDATES


def test_another_operation_under_a_taken_name_is_refused():
    class Impostor(CandidateCreate):
        pass

    with pytest.raises(ImproperlyConfigured, match=r"'recruitee\.candidate_create' is registered"):
        outbox_registry.register_operations(Impostor)
    assert type(outbox_registry.operation_for("recruitee.candidate_create")) is CandidateCreate


@pytest.mark.parametrize(
    ("provider", "label"), [("recruitee", "organizations"), ("jira", "candidates")]
)
def test_a_resource_its_provider_does_not_declare_is_refused(provider, label):
    stray = replace(CANDIDATES, key=f"{provider}.{label}", provider=provider, label=label)
    with pytest.raises(ImproperlyConfigured, match=f"does not declare '{label}'"):
        sync_registry.register_resources(stray)
    assert stray.key not in sync_registry.resources()


def test_an_operation_without_a_name_is_refused():
    class Nameless(CandidateCreate):
        name = ""

    with pytest.raises(ImproperlyConfigured, match="Nameless has no name"):
        outbox_registry.register_operations(Nameless)


def test_unknown_keys_name_what_is_registered():
    with pytest.raises(LookupError, match=r"named 'jira\.issues'; known: recruitee\.offers, "):
        sync_registry.resource_for("jira.issues")
    with pytest.raises(LookupError, match=r"named 'jira\.x'; known: recruitee\.candidate_create, "):
        outbox_registry.operation_for("jira.x")
