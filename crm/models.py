"""Affinity records synced into the hub: organizations and persons."""

from __future__ import annotations

from django.db import models

from integrations.models.synced import SyncedRecord


class Organization(SyncedRecord):
    name = models.CharField(max_length=300)
    domain = models.CharField(max_length=253, blank=True)
    domains = models.JSONField(default=list, blank=True)
    is_global = models.BooleanField(default=False)
    # Remote ids of its persons. Affinity's list/search answers carry no links,
    # so these come from GET by id, from writes, and from persons' own lists;
    # `links_loaded_at` says when the organization's own list was last read.
    # Database defaults too: the sync's upsert writes only the columns it owns.
    person_ids = models.JSONField(default=list, blank=True)
    persons_count = models.PositiveIntegerField(default=0)
    links_loaded_at = models.DateTimeField(null=True, blank=True)
    search_text = models.TextField(blank=True)
    # Derived from other fields or bookkeeping: not shown in the audit trail's changes.
    audit_ignored = ("persons_count", "links_loaded_at")

    class Meta(SyncedRecord.Meta):
        ordering = ["name"]
        indexes = [
            models.Index(fields=["connection", "is_deleted", "name"]),
            models.Index(fields=["connection", "domain"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def other_domains(self) -> list[str]:
        return [d for d in self.domains if isinstance(d, str) and d != self.domain]


class Person(SyncedRecord):
    first_name = models.CharField(max_length=200)
    last_name = models.CharField(max_length=200, blank=True)
    emails = models.JSONField(default=list, blank=True)
    primary_email = models.CharField(max_length=320, blank=True)
    organization_ids = models.JSONField(  # remote ids
        default=list, blank=True
    )
    links_loaded_at = models.DateTimeField(null=True, blank=True)
    # 0 external, 1 internal (a user of the Affinity account).
    person_type = models.PositiveSmallIntegerField(default=0)
    search_text = models.TextField(blank=True)
    # Derived from other fields or bookkeeping: not shown in the audit trail's changes.
    audit_ignored = ("primary_email", "links_loaded_at")

    class Meta(SyncedRecord.Meta):
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["connection", "is_deleted", "last_name", "first_name"]),
            models.Index(fields=["connection", "primary_email"]),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class AffinityList(SyncedRecord):
    """An Affinity list (affinity.md §3): what the lists' bulk action "Add to list" offers."""

    class Kind(models.IntegerChoices):
        PERSON = 0, "Persons"
        ORGANIZATION = 1, "Organizations"
        OPPORTUNITY = 8, "Opportunities"

    name = models.CharField(max_length=300)
    list_type = models.PositiveSmallIntegerField(choices=Kind.choices, default=Kind.ORGANIZATION)

    class Meta(SyncedRecord.Meta):
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
