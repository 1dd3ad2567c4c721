"""Form pieces every create and update form shares."""

from __future__ import annotations

import uuid

from django import forms


class OutboxFormMixin(forms.Form):
    """A hidden submission key, so a double submit or a reload writes once,
    and a way to put the provider's validation messages on the right fields."""

    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    # Provider field name -> form field name, where they differ.
    provider_field_names: dict[str, str] = {}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4().hex)

    def add_provider_errors(self, field_errors: dict[str, list[str]], fallback: str) -> None:
        """Show each provider message on its field; what matches no field goes on top."""
        for provider_name, messages in field_errors.items():
            name = self.provider_field_names.get(provider_name, provider_name)
            target = name if name in self.fields and name != "submission_key" else None
            for message in messages:
                text = message if target else f"{provider_name}: {message}"
                self.add_error(target, text)
        if not field_errors:
            self.add_error(None, fallback)
        # A new key: the corrected form is a new submission.
        self.data = self.data.copy()
        self.data["submission_key"] = uuid.uuid4().hex
