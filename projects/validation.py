"""Rules a project must meet before anything is sent, shared by the form and the CSV import.

`ProjectChoices` is what the provider offers (its statuses, its synced users and
workspaces); `project_problems` applies the rules on dates and each provider's
own rules (`Provider.project_rule_errors`; Asana: `start_on` needs `due_on`, and
they may not be equal).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from integrations.providers.base import Provider
from integrations.providers.project_records import ProjectInput

FIELD_LABELS = {
    "name": "Name",
    "description": "Description",
    "owner": "Owner",
    "workspace": "Workspace",
    "team": "Team",
    "start_date": "Start date",
    "end_date": "End date",
    "status": "Status",
    "priority": "Priority",
    "tags": "Tags",
    "template": "Template",
}


@dataclass(frozen=True)
class ProjectChoices:
    """The provider's capabilities and the pickers' options for one connection."""

    provider: Provider
    users: list[tuple[str, str]] = field(default_factory=list)  # (remote id, label)
    workspaces: list[tuple[str, str]] = field(default_factory=list)
    user_emails: dict[str, str] = field(default_factory=dict)  # lower-case email -> id
    default_workspace: str = ""
    teams: list[tuple[str, str]] = field(default_factory=list)  # (remote id, name)
    team_workspaces: dict[str, str] = field(default_factory=dict)  # team id -> workspace id
    organizations: frozenset[str] = frozenset()  # workspaces whose projects need a team

    @property
    def fields(self) -> tuple[str, ...]:
        return self.provider.project_fields

    @property
    def required(self) -> tuple[str, ...]:
        return self.provider.required_project_fields

    @property
    def statuses(self) -> tuple[str, ...]:
        return self.provider.project_statuses

    @property
    def priorities(self) -> tuple[str, ...]:
        return self.provider.project_priorities

    def supports(self, name: str) -> bool:
        return name in self.fields

    def teams_by_workspace(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """The teams grouped under their workspace's name (a select's option groups)."""
        names = dict(self.workspaces)
        groups: dict[str, list[tuple[str, str]]] = {}
        for team_id, name in self.teams:
            workspace = self.team_workspaces.get(team_id, "")
            groups.setdefault(names.get(workspace, workspace), []).append((team_id, name))
        return list(groups.items())

    def team_problems(self, project: ProjectInput) -> dict[str, list[str]]:
        """A project in an organization workspace needs one of its teams (Asana,
        project-tool.md §8); a team of another workspace is refused."""
        if not self.supports("team"):
            return {}
        if project.team:
            if self.team_workspaces.get(project.team) != project.workspace:
                return {"team": ["Pick a team of the chosen workspace."]}
            return {}
        if project.workspace in self.organizations:
            name = self.provider.display_name
            return {"team": [f"{name} needs a team for a project in an organization workspace."]}
        return {}


def project_problems(provider: Provider, project: ProjectInput) -> dict[str, list[str]]:
    """{field: [messages]} for what the provider would refuse; empty when all is well."""
    problems = project_rule_problems(provider, project)
    supported = set(provider.project_fields)
    for name in sorted(project.used_fields() - supported):
        label = FIELD_LABELS.get(name, name)
        problems.setdefault(name, []).append(
            f"{provider.display_name} has no {label.lower()}; leave it empty."
        )
    return problems


def project_rule_problems(provider: Provider, project: ProjectInput) -> dict[str, list[str]]:
    """{field: [messages]} for the rules between fields (the dates' order, the provider's
    own): what an edit must still meet once merged over the project as stored now."""
    if project.start_date and project.end_date and project.end_date < project.start_date:
        return {"end_date": ["The end date must be on or after the start date."]}
    return provider.project_rule_errors(project)
