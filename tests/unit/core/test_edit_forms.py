"""What an edit form counts as the person's change (core.forms.EditFormMixin, Edit)."""

from __future__ import annotations

from django import forms

from core.forms import EditFormMixin, edit_base


class NoteForm(EditFormMixin):
    title = forms.CharField()
    body = forms.CharField(widget=forms.Textarea, required=False)
    edit_fields = ("title", "body")

    def clean_title(self) -> str:
        return " ".join(self.cleaned_data["title"].split())  # as crm's names are tidied


def _posted(shown: dict[str, str] | None = None, **values: str) -> NoteForm:
    shown = shown or {"title": "Plan", "body": "line one\nline two"}
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


def test_a_text_stored_with_crlf_and_sent_back_as_shown_is_no_change():
    stored = {"title": "Plan", "body": "line one\r\nline two"}
    form = _posted(stored, body="line one\r\nline two")

    edit = form.edit()
    assert edit.changed == []
    assert edit.merged({**stored, "body": "changed elsewhere"}) == {}  # no false conflict


def test_a_value_the_form_would_tidy_and_left_as_shown_is_not_sent():
    shown = {"title": "Plan  A", "body": ""}  # two spaces, as the provider has it
    form = _posted(shown, body="new text")

    edit = form.edit()
    assert edit.changed == ["body"]
    assert edit.merged({"title": "Renamed elsewhere", "body": ""}) == {"body": "new text"}
