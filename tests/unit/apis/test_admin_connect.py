"""Connecting an API in the admin: the document is validated before anything is saved, and
the page says what the hub found (issue #16)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apis.models import ResourceColumns
from integrations.models import Connection, OpenApiSource

DOCUMENT = Path("integrations/sandbox/documents/jsonplaceholder.json")
ADD = "/admin/integrations/connection/add/"


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


def _form(upload: SimpleUploadedFile | None = None, **fields: str) -> dict:
    data = {
        "provider": "openapi",
        "name": "placeholder",
        "base_url": "http://127.0.0.1:9/jsonplaceholder",
        "api_token": "s3cret-token-value",
        "is_active": "on",
        "sync_interval_minutes": "60",
        "openapi_source-TOTAL_FORMS": "1",
        "openapi_source-INITIAL_FORMS": "0",
        "openapi_source-MIN_NUM_FORMS": "0",
        "openapi_source-MAX_NUM_FORMS": "1",
        "openapi_source-0-document_url": "",
        "openapi_source-0-security_scheme": "",
        "openapi_source-0-basic_username": "",
        **fields,
    }
    if upload is not None:
        data["openapi_source-0-upload"] = upload
    return data


def test_uploading_the_document_saves_it_and_says_what_was_found(admin_client):
    upload = SimpleUploadedFile("jsonplaceholder.json", DOCUMENT.read_bytes())
    response = admin_client.post(ADD, _form(upload), follow=True)
    page = response.content.decode()
    connection = Connection.objects.get(provider="openapi", name="placeholder")
    source = OpenApiSource.objects.get(connection=connection)
    assert json.loads(source.document)["info"]["title"] == "JSONPlaceholder"
    assert source.document_sha256 and source.fetched_at
    assert "6 resources" in page
    assert "posts: delete, get, list, list_comments, patch, post, put" in page
    assert "0 operations not supported." in page
    # saving tests it, once the document is stored: nothing listens on port 9
    assert "Test failed: The document of OpenAPI · placeholder is valid (41 operations)" in page
    assert "but http://127.0.0.1:9/jsonplaceholder did not answer" in page


def test_an_invalid_document_is_an_error_and_nothing_is_saved(admin_client):
    broken = json.loads(DOCUMENT.read_text())
    del broken["info"]
    upload = SimpleUploadedFile("broken.json", json.dumps(broken).encode())
    response = admin_client.post(ADD, _form(upload))
    assert response.status_code == 200
    assert "The document was not saved" in response.content.decode()
    assert not Connection.objects.exists() and not OpenApiSource.objects.exists()


def test_an_openapi_connection_needs_a_document_and_a_base_url(admin_client):
    response = admin_client.post(ADD, _form(base_url=""))
    page = response.content.decode()
    assert "needs the API&#x27;s base URL" in page
    assert "Give the document" in page or "needs its document" in page
    assert not Connection.objects.exists()


def test_unsupported_operations_are_listed_with_why(admin_client):
    document = json.loads(DOCUMENT.read_text())
    document["paths"]["/photos"]["post"]["requestBody"]["content"] = {
        "multipart/form-data": {"schema": {"type": "object"}}
    }
    upload = SimpleUploadedFile("doc.json", json.dumps(document).encode())
    page = admin_client.post(ADD, _form(upload), follow=True).content.decode()
    assert "1 operations not supported:" in page
    assert "POST /photos: the request body is multipart/form-data" in page


def test_the_stored_secret_is_never_shown(admin_client):
    upload = SimpleUploadedFile("jsonplaceholder.json", DOCUMENT.read_bytes())
    admin_client.post(ADD, _form(upload))
    connection = Connection.objects.get()
    page = admin_client.get(f"/admin/integrations/connection/{connection.pk}/change/")
    assert "s3cret-token-value" not in page.content.decode()
    assert "JSONPlaceholder (OpenAPI" in page.content.decode()  # what was found, again


def test_an_administrator_picks_columns_among_the_item_fields(admin_client):
    admin_client.post(ADD, _form(SimpleUploadedFile("d.json", DOCUMENT.read_bytes())))
    connection = Connection.objects.get()
    url = "/admin/apis/resourcecolumns/add/"
    data = {"connection": connection.pk, "resource": "posts", "columns": '["title", "nope"]'}
    refused = admin_client.post(url, data).content.decode()
    assert "Not fields of one item: nope. Known: userId, id, title, body." in refused
    missing = admin_client.post(url, {**data, "resource": "nothing"}).content.decode()
    assert "has no list of &#x27;nothing&#x27;" in missing
    admin_client.post(url, {**data, "columns": '["title", "id"]'})
    chosen = ResourceColumns.objects.get()
    assert chosen.columns == ["title", "id"]
    page = admin_client.get(f"/admin/apis/resourcecolumns/{chosen.pk}/change/").content.decode()
    assert "id, userId, title, body" in page  # the defaults, for reference


def test_a_document_over_the_usual_body_cap_can_be_uploaded(admin_client, settings):
    document = json.loads(DOCUMENT.read_text())
    document["info"]["description"] = "x" * (2 * 1024 * 1024)  # Asana's is about 3 MB
    upload = SimpleUploadedFile("big.json", json.dumps(document).encode())
    assert upload.size > settings.REQUEST_MAX_BODY_BYTES
    response = admin_client.post(ADD, _form(upload))
    assert response.status_code == 302
    assert OpenApiSource.objects.get().document


@pytest.mark.parametrize(
    "given", [str(DOCUMENT.resolve()), "integrations/sandbox/documents/jsonplaceholder.json"]
)
def test_the_document_url_is_a_url_not_a_file_on_the_hubs_machine(admin_client, given):
    """A path typed as the URL is refused unread: the admin page is no way to read the
    server's files (their content would come back in the validation error)."""
    response = admin_client.post(ADD, _form(**{"openapi_source-0-document_url": given}))
    assert response.status_code == 200  # the form again, with the error
    assert "not an absolute http(s) URL" in response.content.decode()
    assert not Connection.objects.exists() and not OpenApiSource.objects.exists()
