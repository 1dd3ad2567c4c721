"""Project rules: the dates, and each provider's own rules through its hook."""

from __future__ import annotations

from datetime import date

import pytest

from integrations.providers import PROVIDERS, Provider, asana
from integrations.providers.project_records import ProjectInput
from projects.validation import project_problems


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (date(2026, 3, 1), None, "Asana needs an end date (due on) when a start date is set."),
        (date(2026, 3, 1), date(2026, 3, 1), "Asana does not allow the end date to equal"),
    ],
)
def test_asanas_project_rules_are_its_providers_hook(start, end, message):
    project = ProjectInput(name="Launch", workspace="1", start_date=start, end_date=end)
    assert asana.PROVIDER.project_rule_errors(project)["end_date"][0].startswith(message)
    assert project_problems(asana.PROVIDER, project)["end_date"][0].startswith(message)
    assert project_problems(PROVIDERS["projecttool"], project) == {}


def test_any_providers_rule_hook_reaches_the_form_and_the_import():
    class Strict(Provider):
        name = "strict"
        display_name = "Strict"
        project_fields = ("name",)

        def project_rule_errors(self, project):
            return {"name": ["Strict wants a longer name."]} if len(project.name) < 5 else {}

    assert project_problems(Strict(), ProjectInput(name="abc")) == {
        "name": ["Strict wants a longer name."]
    }
    assert project_problems(Strict(), ProjectInput(name="abcdef")) == {}
