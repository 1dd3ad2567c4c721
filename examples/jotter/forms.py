from django import forms

from core.forms import OutboxFormMixin


class NoteForm(OutboxFormMixin):
    title = forms.CharField(max_length=300)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False)
