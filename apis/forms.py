"""The delete confirmation of the generated pages."""

from __future__ import annotations

from core.forms import OutboxFormMixin


class ConfirmDeleteForm(OutboxFormMixin):
    """Only the submission key: a double submit deletes (and queues) once.

    The crm branch adds `core.forms.ConfirmForm` for the framework's delete page;
    once it lands this is that form.
    """
