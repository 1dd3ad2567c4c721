"""Bulk actions on a list: the rows a person ticks, one action and its target, each row
through the outbox.

A resource offers its actions with `ResourcePages.bulk_actions()` (by default "Delete"
when it has a delete page). The list's form posts the ticked ids, the action, its target
and one submission key; each row's write gets its own key made from it
(`<key>-<pk>`), so a double submit writes every row once. The writes are queued for the
background worker (`outbox.service.deliver_later`) and saved with the key as their
`OutboxItem.bulk_key`, and the result page lists each row's state (sent, refused and why,
waiting to retry), polled while any is still on its way: one read of the indexed
`bulk_key` (SQLite answered a prefix of `submission_key` by scanning the whole outbox).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet

from integrations.models import OutboxItem
from integrations.outbox.service import waiting_message
from integrations.shown_errors import outbox_error

# The most rows one bulk action takes (a list page shows at most 100).
BULK_MAX_ROWS = 100


@dataclass(frozen=True)
class BulkAction:
    """One action on the ticked rows.

    `write(request, record, target, submission_key)` sends one row's write through the
    outbox; `blocked(record)` says why a row is skipped ("" to write it); `targets` are
    the choices of the action's target ((value, label); none for an action without one).
    """

    key: str  # "delete", "add_to_list"
    label: str  # "Delete", "Add to list"
    write: Callable[[Any, Any, str, str], OutboxItem]
    blocked: Callable[[Any], str] = lambda record: ""
    targets: tuple[tuple[str, str], ...] = ()
    target_label: str = ""  # "List"
    confirm: str = ""  # asked in the browser before an action that cannot be undone


class BulkForm(forms.Form):
    """The action, its target and the submission key; the ticked ids are read apart
    (`ticked_ids`), so any count up to BULK_MAX_ROWS needs no choices here."""

    action = forms.ChoiceField()
    target = forms.CharField(required=False, max_length=64)
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, actions: list[BulkAction], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actions = {action.key: action for action in actions}
        self.fields["action"].choices = [(a.key, a.label) for a in actions]
        if not self.is_bound:
            self.initial["submission_key"] = uuid.uuid4()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        action = self.actions.get(data.get("action", ""))
        targets = {value for value, _ in action.targets} if action else set()
        if targets and data.get("target") not in targets:
            self.add_error("target", f"Choose the {action.target_label.lower()}.")
        return data

    @property
    def chosen(self) -> BulkAction:
        return self.actions[self.cleaned_data["action"]]


def ticked_ids(values: list[str]) -> list[int]:
    """The ticked rows' ids, in order, each once; anything not an id is dropped."""
    ids = [int(value) for value in values if value.isdigit()]
    return list(dict.fromkeys(ids))


def row_key(key: uuid.UUID | str, pk: Any) -> str:
    """One row's submission key within a bulk submission."""
    return f"{key}-{pk}"


@dataclass(frozen=True)
class RowResult:
    label: str
    state: str  # "sent", "refused", "waiting", "attention", "dismissed"
    words: str
    item_id: int


def submission_rows(key: uuid.UUID, *, user: Any) -> QuerySet[OutboxItem]:
    """The outbox rows of the bulk submission `key` made by `user` (a superuser: anyone's)."""
    rows = OutboxItem.objects.filter(bulk_key=key)
    if not user.is_superuser:
        rows = rows.filter(created_by=user)
    return rows.select_related("connection").order_by("pk")


def results(key: uuid.UUID, *, user: Any) -> list[RowResult]:
    """Each row's state in the bulk submission `key` (`submission_rows`)."""
    return [_result(item, user) for item in submission_rows(key, user=user)]


def _result(item: OutboxItem, user: Any) -> RowResult:
    status = OutboxItem.Status
    if item.status == status.DONE:
        state, words = "sent", f"Sent to {item.connection.provider_display}."
    elif item.status == status.FAILED:
        state, words = "refused", outbox_error(item).for_user(user)
    elif item.status == status.NEEDS_ATTENTION:
        state, words = "attention", outbox_error(item).for_user(user)
    elif item.status == status.DISMISSED:
        state, words = "dismissed", outbox_error(item).for_user(user)
    else:
        shown = outbox_error(item).for_user(user) if item.last_error else ""
        state, words = "waiting", f"{waiting_message(item)} {shown}".strip()
    return RowResult(label=item.summary, state=state, words=words, item_id=item.pk)
