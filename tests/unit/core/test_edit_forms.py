"""What an edit form counts as the person's change (core.forms.EditFormMixin, Edit)."""

from __future__ import annotations

from django import forms

from core.forms import EditFormMixin, edit_base


class NoteForm(EditFormMixin):
    title = forms.CharField()
    body = forms.CharField(widget=forms.Textarea, required=False)
    edit_fields = ("title", "body")


def _posted(**values: str) -> NoteForm:
    shown = {"title": "Plan", "body": "line one\nline two"}
    data = {"submission_key": "k", "base": edit_base(shown), **shown, **values}
    form = NoteForm(data, editing=True)
    assert form.is_valid(), form.errors
    return form


def test_a_textarea_sent_back_with_a_browsers_crlf_line_breaks_is_no_change():
    form = _posted(body="line one\r\nline two")

    assert form.edit().changed == []


def test_a_changed_textarea_is_written_with_lf_line_breaks():
    form = _posted(body="line one\r\nline three")

    edit = form.edit()
    assert edit.changed == ["body"]
    assert edit.merged({"title": "Plan", "body": "line one\nline two"}) == {
        "body": "line one\nline three"
    }
