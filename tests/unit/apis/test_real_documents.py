"""Generated pages from every real document of ../shared/specs/: each resource either gets
pages (a description, its columns, filters and forms, none crashing) or says why not."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from apis.pages import ApiResourcePages, summarize
from integrations.models import Connection
from integrations.openapi.cache import local_document
from integrations.openapi.client import CompiledApi

SHARED_SPECS = Path(__file__).resolve().parents[3].parent / "shared" / "specs"
DOCUMENTS = sorted(
    [SHARED_SPECS / "asana_oas.yaml", *(SHARED_SPECS / "oai-examples").glob("*.yaml")]
)


@functools.cache
def compiled_document(path: Path) -> CompiledApi:
    """Each document validated once for the module (Asana's takes seconds)."""
    return local_document(path)


@pytest.mark.filterwarnings("ignore::integrations.openapi.errors.NamingWarning")  # pinned elsewhere
@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_each_resource_gets_pages_or_says_why_not(path, db):
    if not path.exists():
        pytest.skip(f"{path} is missing: the real OpenAPI documents live in ../shared/specs/")
    compiled = compiled_document(path)
    connection = Connection.objects.create(
        provider="openapi", name="real", base_url="https://x.test"
    )
    for resource in compiled.model.resources:
        summary = summarize(resource)
        if not summary.pages:
            assert summary.problems, resource.name
            continue
        pages = ApiResourcePages(connection, compiled, resource)
        assert pages.columns or not pages.item.get("properties"), resource.name
        pages.filter_form({}).filters()
        for page in ("create", "edit"):
            if page in pages.pages:
                form = pages.form_for(page)()
                assert "submission_key" in form.fields


def test_asana_offers_project_pages(db):
    path = SHARED_SPECS / "asana_oas.yaml"
    if not path.exists():
        pytest.skip(f"{path} is missing: the real OpenAPI documents live in ../shared/specs/")
    compiled = compiled_document(path)
    connection = Connection.objects.create(
        provider="openapi", name="asana", base_url="https://x.test"
    )
    projects = ApiResourcePages(connection, compiled, compiled.model.resource("projects"))
    assert projects.pages == ("list", "detail", "create", "edit", "delete")
    assert next(c.field for c in projects.columns) == "gid"
