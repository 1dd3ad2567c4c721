"""Recruitee records synced into the hub: offers, candidates and their placements."""

from __future__ import annotations

from django.db import models

from integrations.models.synced import SyncedRecord


class Offer(SyncedRecord):
    title = models.CharField(max_length=300)
    status = models.CharField(max_length=40, blank=True)
    kind = models.CharField(max_length=40, blank=True)
    location = models.CharField(max_length=300, blank=True)
    department = models.CharField(max_length=200, blank=True)
    candidates_count = models.PositiveIntegerField(default=0)
    # [{"id": 1, "name": "Applied", "category": "apply", "position": 0}, …]
    stages = models.JSONField(default=list, blank=True)

    class Meta(SyncedRecord.Meta):
        ordering = ["title"]
        indexes = [models.Index(fields=["connection", "is_deleted", "title"])]

    def __str__(self) -> str:
        return self.title


LIST_FILTER_COLUMNS = ["search_text", "is_qualified", "is_disqualified"]


class Candidate(SyncedRecord):
    name = models.CharField(max_length=300)
    # Name, emails and phone digits, folded (core.search): what the list's search matches.
    search_text = models.TextField(blank=True)
    emails = models.JSONField(default=list, blank=True)
    phones = models.JSONField(default=list, blank=True)
    initials = models.CharField(max_length=8, blank=True)
    photo_thumb_url = models.URLField(max_length=1000, blank=True)
    source = models.CharField(max_length=100, blank=True)
    referrer = models.CharField(max_length=200, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    is_qualified = models.BooleanField(default=False)
    is_disqualified = models.BooleanField(default=False)
    # Derived from other fields or bookkeeping: not shown in the audit trail's changes.
    audit_ignored = ("initials", "photo_thumb_url", "last_activity_at")

    class Meta(SyncedRecord.Meta):
        ordering = ["-remote_created_at"]
        # One index per sort order of the list, the id right after the sort key (the
        # tie-breaker, so no sort step). Each also carries what the list filters on
        # (search text, qualified flags): a search walks the index alone and reads
        # table rows only for the page it shows. See ats.selectors.candidate_list.
        indexes = [
            models.Index(
                fields=[
                    "connection",
                    "is_deleted",
                    "-remote_created_at",
                    "-id",
                    *LIST_FILTER_COLUMNS,
                ],
                name="ats_candidate_created_idx",
            ),
            models.Index(
                fields=["connection", "is_deleted", "name", "id", *LIST_FILTER_COLUMNS],
                name="ats_candidate_name_idx",
            ),
            models.Index(
                fields=[
                    "connection",
                    "is_deleted",
                    "-last_activity_at",
                    "-id",
                    *LIST_FILTER_COLUMNS,
                ],
                name="ats_candidate_activity_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Placement(models.Model):
    """A candidate's place in one offer's pipeline, kept for the offer and stage filters."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="placements")
    offer_remote_id = models.CharField(max_length=64)
    stage_remote_id = models.CharField(max_length=64, blank=True)
    stage_name = models.CharField(max_length=200, blank=True)
    is_disqualified = models.BooleanField(default=False)
    # Recruitee's "hired": a `hire` stage or `hired_at` set (PlacementRecord.is_hired).
    is_hired = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(
                fields=["offer_remote_id", "stage_name", "candidate"],
                name="ats_placement_offer_idx",
            ),
            models.Index(fields=["stage_name", "candidate"], name="ats_placement_stage_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id} in offer {self.offer_remote_id}"
