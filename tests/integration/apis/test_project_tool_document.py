"""The generic project tool's fake publishes its OpenAPI document, so the tool can be
connected either way: as its built-in provider, or from the document (issue #16)."""

from __future__ import annotations

import json

import pytest
import requests

from integrations.models import Connection, OpenApiSource, OutboxItem
from integrations.openapi.service import openapi_client
from integrations.sandbox.credentials import PROJECTS_TOKEN
from integrations.sandbox.projecttool import DOCUMENT


@pytest.fixture
def connection(db, sandbox_clean) -> Connection:
    base_url = sandbox_clean.url_for("projects")
    row = Connection.objects.create(
        provider="openapi", name="tool", base_url=base_url, api_token=PROJECTS_TOKEN
    )
    OpenApiSource.objects.create(connection=row, document_url=f"{base_url}/openapi.json")
    return row


def test_the_fake_serves_the_document_without_credentials(sandbox):
    answer = requests.get(f"{sandbox.url_for('projects')}/openapi.json", timeout=5)
    assert answer.status_code == 200
    assert answer.json() == json.loads(DOCUMENT.read_text())


def test_the_document_loads_with_every_operation_supported(connection):
    client = openapi_client(connection)
    model = client._model
    names = {r.name: sorted(op.name for op in r.operations) for r in model.resources}
    assert names == {
        "projects": ["get", "list", "patch", "post", "post_bulk"],
        "users": ["get_me", "list"],
        "webhooks": ["list", "post"],
        "workspaces": ["list"],
    }
    assert model.unsupported == ()
    assert {s.kind for s in model.security_schemes} == {"bearer", "oauth2_client_credentials"}


def test_the_dynamic_client_reads_and_writes_the_fake(connection):
    client = openapi_client(connection)
    page = client.projects.list(page=1, limit=5, status="Active")
    assert len(page.data) <= 5 and all(p.status == "Active" for p in page.data)
    created = client.projects.post(name="From the document", workspace_id=1, tags=["a"])
    assert client.projects.get(created.id).name == "From the document"


def test_its_generated_pages_list_and_create(logged_in_client, connection):
    page = logged_in_client.get("/apis/tool/projects/").content.decode()
    assert 'href="/apis/tool/projects/1/"' in page and 'name="status"' in page
    form = logged_in_client.get("/apis/tool/projects/new/")
    key = form.context["form"].initial["submission_key"]
    data = {"submission_key": key, "name": "Made here", "workspace_id": "1", "status": "Active"}
    answer = logged_in_client.post("/apis/tool/projects/new/", {**data, "end_date": "2026-13-01"})
    assert "end_date" in answer.context["form"].errors  # not a date: nothing sent
    assert not OutboxItem.objects.exists()
    logged_in_client.post(
        "/apis/tool/projects/new/", {**data, "tags": "x\ny", "start_date": "2026-01-02"}
    )
    item = OutboxItem.objects.get()
    assert item.status == OutboxItem.Status.DONE, item.last_error
    project = openapi_client(connection).projects.get(int(item.remote_id))
    assert (project.name, project.tags, project.start_date) == (
        "Made here",
        ["x", "y"],
        "2026-01-02",
    )


def test_the_providers_refusal_lands_on_its_field(logged_in_client, connection):
    taken = openapi_client(connection).projects.get(1)
    form = logged_in_client.get("/apis/tool/projects/new/")
    key = form.context["form"].initial["submission_key"]
    data = {"submission_key": key, "name": taken["name"], "workspace_id": taken.workspace_id}
    answer = logged_in_client.post("/apis/tool/projects/new/", data)
    assert "already exists in this workspace" in answer.context["form"].errors["name"][0]
    assert OutboxItem.objects.get().status == OutboxItem.Status.FAILED


def test_its_generated_edit_page_patches_the_fake(logged_in_client, connection, sandbox_clean):
    """The document's `PATCH /projects/{id}` (the hub's extension of the contract) gives the
    generated pages an edit page, which sends only the changed field."""
    created = openapi_client(connection).projects.post(name="Before", workspace_id=1)
    form = logged_in_client.get(f"/apis/tool/projects/{created.id}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, "")}
    data["base"] = form["base"].value()
    logged_in_client.post(f"/apis/tool/projects/{created.id}/edit/", {**data, "name": "After"})
    item = OutboxItem.objects.get()
    assert item.status == OutboxItem.Status.DONE, item.last_error
    assert openapi_client(connection).projects.get(created.id).name == "After"
