"""The writes this app offers, declared for the outbox: a project create per provider.

The payload is a `ProjectInput` as JSON (the hub's field names). Reconciliation
after an unknown outcome looks the project up by its exact name within its
workspace: names are unique per workspace at the generic tool, and an import
never sends two rows with the same name and workspace.
"""

from __future__ import annotations

from typing import Any

from integrations.models import OutboxItem
from integrations.outbox.identity import Identity, IdentityRule, first_identity
from integrations.outbox.operations import OutboxOperation
from integrations.providers import asana, projecttool
from integrations.providers.project_records import ProjectInput
from projects.sync import project_fields


class _ProjectCreate(OutboxOperation):
    record_model = "projects.Project"
    module: Any = None  # the provider module with project_create / parse_project
    identity_rules = {"name": IdentityRule("name", scope_field="workspace_remote_id")}

    def send(self, client: Any, item: OutboxItem) -> dict[str, Any]:
        return self.module.project_create(client, ProjectInput.from_json(item.payload)).raw

    def find_existing(self, client: Any, item: OutboxItem) -> dict[str, Any] | None:
        payload = item.payload
        found = self.module.project_find_by_name(
            client, name=str(payload.get("name", "")), workspace=str(payload.get("workspace", ""))
        )
        return found.raw if found else None

    def identity(self, payload: dict[str, Any]) -> Identity | None:
        """The name, within the workspace the write named (names are unique per workspace)."""
        workspace = str(payload.get("workspace") or "").strip()
        return first_identity("name", [payload.get("name")], scope=workspace)

    def fields_from_remote(self, remote: dict[str, Any]) -> dict[str, Any]:
        record = self.module.parse_project(remote)
        if record is None:
            return {}
        fields = project_fields(record)
        # Names the provider did not echo keep what was saved locally.
        return {k: v for k, v in fields.items() if v not in ("", None)}


class ProjectToolProjectCreate(_ProjectCreate):
    name = "projecttool.project_create"
    module = projecttool


class AsanaProjectCreate(_ProjectCreate):
    name = "asana.project_create"
    module = asana


OPERATIONS: list[type[OutboxOperation]] = [ProjectToolProjectCreate, AsanaProjectCreate]

CREATE_OPERATION = {"projecttool": ProjectToolProjectCreate.name, "asana": AsanaProjectCreate.name}
