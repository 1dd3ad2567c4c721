"""Forms of the projects pages. The provider's capabilities decide which fields exist."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from django import forms

from core.csv_safety import formula_reason
from core.forms import Edit, EditFormMixin, ListFilterForm
from integrations.providers.project_records import (
    PROJECT_FIELDS,
    UPDATABLE_PROJECT_FIELDS,
    ProjectInput,
)
from projects.csv_import import MAX_UPLOAD_BYTES
from projects.selectors import ProjectFilters
from projects.validation import FIELD_LABELS, ProjectChoices, project_problems

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProjectFilterForm(ListFilterForm):
    """The project list's `?q=&sort=&status=&workspace=`.

    Status and workspace are free text, not choices: a status the provider declares
    but no synced project carries yet, or a workspace not synced yet, still filters
    (to nothing) instead of being dropped.
    """

    status = forms.CharField(required=False, max_length=40)
    workspace = forms.CharField(required=False, max_length=64)

    def filters(self) -> ProjectFilters:
        data = self.valid_data()
        return ProjectFilters(
            search=data.get("q") or "",
            sort=self.sort_value(),
            status=data.get("status") or "",
            workspace=data.get("workspace") or "",
        )


def tags_text(tags: Any) -> str:
    """Tags as the form shows them: "a, b"."""
    return ", ".join(tags)


class TagsField(forms.CharField):
    """Tags typed as "a, b" (or "a; b"). A project's tags are shown joined, so that a field
    sent back as shown counts as untouched (`EditFormMixin.untouched`) even when a tag
    holds a comma or semicolon the form would split."""

    def prepare_value(self, value: Any) -> Any:
        return tags_text(value) if isinstance(value, list | tuple) else value


class ProjectForm(EditFormMixin, forms.Form):
    """Create or edit a project. Only the fields the provider supports are offered, so
    nothing a person types is dropped on the way; an edit (`current`: the project as the
    hub holds it) offers only what can change (UPDATABLE_PROJECT_FIELDS), and carries
    them as shown (`base`) so that only what the person changed is saved and sent."""

    edit_fields = UPDATABLE_PROJECT_FIELDS

    def __init__(
        self, *args, choices: ProjectChoices, current: ProjectInput | None = None, **kwargs
    ) -> None:
        super().__init__(*args, editing=current is not None, **kwargs)
        self.choices = choices
        self.current = current
        self.provider_field_names = dict(choices.provider.project_field_names)
        for name, field in self._all_fields(choices).items():
            if current is not None and name not in UPDATABLE_PROJECT_FIELDS:
                continue
            if current is not None and name in ("status", "priority"):
                field.choices = field.choices[1:]  # an edit keeps a status: no "Default"
            if choices.supports(name):
                field.label = FIELD_LABELS[name]
                self.fields[name] = field
        if choices.default_workspace and "workspace" in self.fields:
            self.initial.setdefault("workspace", choices.default_workspace)
        # The hidden key goes last, after the visible fields.
        self.order_fields([*(n for n in self.fields if n != "submission_key"), "submission_key"])

    @staticmethod
    def _all_fields(choices: ProjectChoices) -> dict[str, forms.Field]:
        def pick(options, blank: str) -> list[tuple[str, str]]:
            return [("", blank), *options]

        required_workspace = "workspace" in choices.required
        return {
            "name": forms.CharField(max_length=300),
            "description": forms.CharField(
                required=False, widget=forms.Textarea(attrs={"rows": 4})
            ),
            "owner": forms.ChoiceField(required=False, choices=pick(choices.users, "No owner")),
            "workspace": forms.ChoiceField(
                required=required_workspace,
                choices=pick(choices.workspaces, "Choose a workspace"),
            ),
            # Required only in an organization workspace: checked in clean().
            "team": forms.ChoiceField(
                required=False,
                choices=pick(choices.teams_by_workspace(), "No team"),
                help_text="Needed in an organization workspace; pick one of its teams.",
            ),
            "start_date": forms.DateField(required=False, widget=DATE_WIDGET),
            "end_date": forms.DateField(
                required=False, widget=DATE_WIDGET, help_text="On or after the start date."
            ),
            "status": forms.ChoiceField(
                required=False, choices=pick([(s, s) for s in choices.statuses], "Default")
            ),
            "priority": forms.ChoiceField(
                required=False, choices=pick([(p, p) for p in choices.priorities], "Default")
            ),
            "tags": TagsField(
                required=False, max_length=500, help_text="Separate tags with commas."
            ),
            "template": forms.RegexField(
                regex=r"^\d+$",
                required=False,
                label="Template",
                help_text="The id of a project template (a number).",
                error_messages={"invalid": "Enter the template's id (a number)."},
            ),
        }

    def clean(self) -> dict:
        data = super().clean()
        for name in ("name", "description", "tags"):
            if reason := formula_reason(data.get(name) or ""):
                self.add_error(name, f"This {reason}; remove the first character.")
        if self.errors:
            return data
        project = self.project()
        problems = project_problems(self.choices.provider, project)
        if self.current is None:  # a project keeps its workspace and team
            problems = {**problems, **self.choices.team_problems(project)}
        for name, messages in problems.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
        return data

    def project(self) -> ProjectInput:
        """What was asked for; an edit keeps the fields it does not offer as they were."""
        data = self.cleaned_data
        tags = tuple(t.strip() for t in re.split(r",|;", data.get("tags") or "") if t.strip())
        asked = ProjectInput(
            name=(data.get("name") or "").strip(),
            description=(data.get("description") or "").strip(),
            owner=data.get("owner") or "",
            workspace=data.get("workspace") or "",
            team=data.get("team") or "",
            start_date=data.get("start_date"),
            end_date=data.get("end_date"),
            status=data.get("status") or "",
            priority=data.get("priority") or "",
            tags=tags,
            template=data.get("template") or "",
        )
        if self.current is None:
            return asked
        # What the form does not offer stays; what the provider has no field for (an
        # archived Asana project reads as status "Archived") is not the edit's to send.
        kept = {
            n: getattr(self.current, n)
            for n in PROJECT_FIELDS
            if n not in self.fields and self.choices.supports(n)
        }
        return dataclasses.replace(asked, **kept)

    def base_values(self) -> dict[str, Any]:
        return {name: getattr(self.current, name) for name in self.compared_fields()}

    def edit(self) -> Edit:
        """The edit in `ProjectInput`'s terms (tags a tuple, dates dates)."""
        base = ProjectInput.from_json(self.cleaned_data["base"])
        asked = self.project()
        names = self.cleaned_data["base"]
        return Edit(
            base={name: getattr(base, name) for name in names},
            mine={name: getattr(asked, name) for name in names},
            untouched=self.untouched(),
        )


class ProjectImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=f"UTF-8, comma-separated, at most {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
