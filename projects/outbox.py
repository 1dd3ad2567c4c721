"""The writes this app offers, declared for the outbox: a project create and update per
provider.

A create's payload is a `ProjectInput` as JSON (the hub's field names); an update's is
`{"remote_id", "project": <the whole ProjectInput as edited>, "fields": [changed names]}`,
so the provider's rules see the whole project while only the changes are sent. Reconciliation
after an unknown outcome looks the project up by its exact name within its
workspace, created no earlier than the slack before the write was saved: names are
unique per workspace at the generic tool, Asana keeps any number of namesakes (an older
one is not this write's), and an import never sends two rows with the same name and
workspace.
"""

from __future__ import annotations

from typing import Any

from integrations.models import OutboxItem
from integrations.outbox.identity import Identity, IdentityRule, first_identity
from integrations.outbox.operations import RECONCILE_SLACK, OutboxOperation
from integrations.providers import asana, projecttool
from integrations.providers.project_records import ProjectInput
from projects.sync import project_fields


class _ProjectOperation(OutboxOperation):
    record_model = "projects.Project"
    module: Any = None  # the provider module: project_create / _update / _get, parse_project

    def fields_from_remote(self, remote: dict[str, Any]) -> dict[str, Any]:
        record = self.module.parse_project(remote)
        if record is None:
            return {}
        fields = project_fields(record)
        # Names the provider did not echo keep what was saved locally.
        return {k: v for k, v in fields.items() if v not in ("", None)}


class _ProjectCreate(_ProjectOperation):
    identity_rules = {"name": IdentityRule("name", scope_field="workspace_remote_id")}

    def send(self, client: Any, item: OutboxItem) -> dict[str, Any]:
        return self.module.project_create(client, ProjectInput.from_json(item.payload)).raw

    def find_existing(self, client: Any, item: OutboxItem) -> dict[str, Any] | None:
        payload = item.payload
        found = self.module.project_find_by_name(
            client,
            name=str(payload.get("name", "")),
            workspace=str(payload.get("workspace", "")),
            created_since=item.created_at - RECONCILE_SLACK,
        )
        return found.raw if found else None

    def identity(self, payload: dict[str, Any]) -> Identity | None:
        """The name, within the workspace the write named (names are unique per workspace)."""
        workspace = str(payload.get("workspace") or "").strip()
        return first_identity("name", [payload.get("name")], scope=workspace)


class _ProjectUpdate(_ProjectOperation):
    """Send the changed fields of a project; PATCH (generic tool) and PUT (Asana) of the
    same values give the same project, so a repeat is harmless."""

    creates_record = False

    def submitted(self, payload: dict[str, Any]) -> dict[str, Any]:
        """The changed fields and their values: the rest of `project` is the stored row,
        which a sync may have changed between two submissions of one form."""
        project, fields = payload.get("project") or {}, payload.get("fields") or []
        return {"remote_id": payload.get("remote_id"), **{f: project.get(f) for f in fields}}

    def send(self, client: Any, item: OutboxItem) -> dict[str, Any]:
        p = item.payload
        project = ProjectInput.from_json(p.get("project") or {})
        return self.module.project_update(client, p["remote_id"], project, p["fields"]).raw

    def find_existing(self, client: Any, item: OutboxItem) -> dict[str, Any] | None:
        """After an unknown outcome: the project if it already holds every change."""
        current = self.module.project_get(client, item.payload["remote_id"])
        if current is None:
            return None
        wanted = ProjectInput.from_json(item.payload.get("project") or {})
        landed = all(project_value(current, name) == getattr(wanted, name) for name in
                     item.payload["fields"])  # fmt: skip
        return current.raw if landed else None


def project_value(record: Any, name: str) -> Any:
    """A `ProjectRecord`'s value under the `ProjectInput` field `name`."""
    source = {"owner": "owner_id"}.get(name, name)
    value = getattr(record, source)
    return tuple(value) if name == "tags" else value


class ProjectToolProjectCreate(_ProjectCreate):
    name = "projecttool.project_create"
    module = projecttool


class AsanaProjectCreate(_ProjectCreate):
    name = "asana.project_create"
    module = asana


class ProjectToolProjectUpdate(_ProjectUpdate):
    name = "projecttool.project_update"
    module = projecttool


class AsanaProjectUpdate(_ProjectUpdate):
    name = "asana.project_update"
    module = asana


OPERATIONS: list[type[OutboxOperation]] = [
    ProjectToolProjectCreate,
    AsanaProjectCreate,
    ProjectToolProjectUpdate,
    AsanaProjectUpdate,
]

CREATE_OPERATION = {"projecttool": ProjectToolProjectCreate.name, "asana": AsanaProjectCreate.name}
UPDATE_OPERATION = {"projecttool": ProjectToolProjectUpdate.name, "asana": AsanaProjectUpdate.name}
