"""Generic project tool contract (../shared/providers/README.md)."""

import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import requests
from standardwebhooks import Webhook

from .conftest import TIMEOUT

TOKEN = {"Authorization": "Bearer sandbox-projects"}


def call(sbx, method, path, headers=TOKEN, **kwargs):
    return requests.request(
        method, f"{sbx.url_for('projects')}{path}", headers=headers, timeout=TIMEOUT, **kwargs
    )


def issue_token(sbx, **overrides):
    body = {
        "grant_type": "client_credentials",
        "client_id": "sandbox-client",
        "client_secret": "sandbox-secret",
    }
    return requests.post(
        f"{sbx.url_for('projects')}/oauth/token", data={**body, **overrides}, timeout=TIMEOUT
    )


def test_oauth_client_credentials_form_or_json(sbx):
    token = issue_token(sbx).json()
    assert token["token_type"] == "Bearer" and token["expires_in"] == 3600 and token["access_token"]
    as_json = requests.post(
        f"{sbx.url_for('projects')}/oauth/token",
        json={
            "grant_type": "client_credentials",
            "client_id": "sandbox-client",
            "client_secret": "sandbox-secret",
        },
        timeout=TIMEOUT,
    )
    assert as_json.status_code == 200
    assert issue_token(sbx, client_secret="wrong").status_code == 401
    assert issue_token(sbx, grant_type="password").status_code == 400
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    assert call(sbx, "GET", "/users/me", headers=bearer).status_code == 200


def test_expired_tokens_get_401(sbx):
    bearer = {"Authorization": f"Bearer {issue_token(sbx).json()['access_token']}"}
    sbx.expire_tokens()
    expired = call(sbx, "GET", "/projects", headers=bearer)
    assert expired.status_code == 401
    assert expired.json()["error"]["code"] == "TOKEN_EXPIRED"
    fresh = {"Authorization": f"Bearer {issue_token(sbx).json()['access_token']}"}
    assert call(sbx, "GET", "/projects", headers=fresh).status_code == 200


def test_unknown_token_gets_401_error_body(sbx):
    response = call(sbx, "GET", "/projects", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert set(response.json()["error"]) >= {"code", "message"}


def test_list_envelope_and_pages(sbx):
    body = call(sbx, "GET", "/projects", params={"page": 2, "limit": 5}).json()
    assert set(body) == {"data", "meta"}
    total = sbx.count("projects_projects")
    assert body["meta"] == {
        "currentPage": 2,
        "totalPages": -(-total // 5),
        "totalItems": total,
        "itemsPerPage": 5,
    }
    assert len(body["data"]) == 5
    assert set(body["data"][0]) >= {"id", "name", "status", "priority", "workspace_id", "tags"}
    assert call(sbx, "GET", "/projects", params={"limit": 0}).status_code == 400


def test_list_filters(sbx):
    active = call(sbx, "GET", "/projects", params={"status": "Active", "limit": 100}).json()["data"]
    assert active and {p["status"] for p in active} == {"Active"}
    in_one = call(sbx, "GET", "/projects", params={"workspace_id": 1, "limit": 100}).json()["data"]
    assert {p["workspace_id"] for p in in_one} == {1}


def test_rate_limit_headers_and_429(sbx):
    response = call(sbx, "GET", "/users/me")
    assert response.headers["X-RateLimit-Limit"] == "600"
    assert int(response.headers["X-RateLimit-Reset"]) > time.time()
    sbx.set_faults("projects", rate_limit_per_minute=1)
    assert call(sbx, "GET", "/workspaces").status_code == 200
    limited = call(sbx, "GET", "/workspaces")
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert limited.json()["error"]["code"] == "RATE_LIMITED"


def test_detail_and_404(sbx):
    assert call(sbx, "GET", "/projects/1").json()["id"] == 1
    missing = call(sbx, "GET", "/projects/99999")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "NOT_FOUND"


def test_create_and_validation(sbx):
    body = {
        "name": "Contract Test Project",
        "workspace_id": 1,
        "owner_id": 1,
        "status": "Active",
        "priority": "High",
        "start_date": "2025-01-01",
        "end_date": "2025-02-01",
        "tags": ["a"],
    }
    created = call(sbx, "POST", "/projects", json=body)
    assert created.status_code == 201
    assert created.json()["id"] and created.json()["name"] == body["name"]
    conflict = call(sbx, "POST", "/projects", json=body)
    assert conflict.status_code == 409 and conflict.json()["error"]["code"] == "CONFLICT"
    cases = [
        ({**body, "name": ""}, 400, "name"),
        ({**body, "name": "x1", "status": "Done"}, 400, "status"),
        ({**body, "name": "x2", "priority": "Urgent"}, 400, "priority"),
        ({**body, "name": "x3", "start_date": "2023-13-01"}, 400, "start_date"),
        ({**body, "name": "x4", "end_date": "2024-01-01"}, 400, "end_date"),
        ({**body, "name": "x5", "tags": "a,b"}, 400, "tags"),
        ({**body, "name": "x6", "owner_id": 999}, 404, "owner_id"),
        ({**body, "name": "x7", "workspace_id": 999}, 404, "workspace_id"),
    ]
    for payload, status, field in cases:
        response = call(sbx, "POST", "/projects", json=payload)
        assert response.status_code == status, payload
        assert response.json()["error"]["details"]["field"] == field
        assert {"code", "message", "details"} == set(response.json()["error"])


def test_bulk_create_reports_row_by_row(sbx):
    rows = [
        {"name": "Bulk A", "workspace_id": 2},
        {"name": "", "workspace_id": 2},
        {"name": "Bulk A", "workspace_id": 2},
    ]
    response = call(sbx, "POST", "/projects/bulk", json=rows)
    assert response.status_code == 207
    body = response.json()
    assert [p["name"] for p in body["data"]] == ["Bulk A"]
    assert [(e["index"], e["error"]["code"]) for e in body["errors"]] == [
        (1, "INVALID_INPUT"),
        (2, "CONFLICT"),
    ]
    assert call(sbx, "POST", "/projects/bulk", json={"name": "x"}).status_code == 400


def test_users_and_workspaces(sbx):
    assert set(call(sbx, "GET", "/users/me").json()) >= {"id", "name", "email"}
    users = call(sbx, "GET", "/users", params={"page": 1, "limit": 3}).json()
    assert len(users["data"]) == 3 and users["meta"]["totalItems"] == sbx.count("projects_users")
    workspaces = call(sbx, "GET", "/workspaces").json()
    assert workspaces["meta"]["totalItems"] == sbx.count("projects_workspaces")


def test_webhooks_register_list_and_deliver_signed_events(sbx):
    received = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    receiver = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.handle_request, daemon=True).start()
    url = f"http://127.0.0.1:{receiver.server_port}/hook"
    registered = call(sbx, "POST", "/webhooks", json={"url": url, "events": ["project.created"]})
    assert registered.status_code == 201
    secret = registered.json()["secret"]
    listed = call(sbx, "GET", "/webhooks", params={"limit": 100}).json()["data"]
    assert url in [w["url"] for w in listed]
    assert "secret" not in listed[0]  # shown once, at creation
    bad = {"url": "ftp://x", "events": ["project.created"]}
    assert call(sbx, "POST", "/webhooks", json=bad).status_code == 400
    call(sbx, "POST", "/projects", json={"name": "Hooked", "workspace_id": 1})
    deadline = time.time() + 3
    while not received and time.time() < deadline:
        time.sleep(0.02)
    receiver.server_close()
    headers, body = received[0]
    # Standard Webhooks (providers/README.md): checked with the library receivers use.
    assert secret.startswith("whsec_")
    event = Webhook(secret).verify(body, headers)
    assert headers["webhook-id"].startswith("msg_")
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 60
    assert set(event) == {"type", "timestamp", "data"}
    assert event["type"] == "project.created" and event["data"]["name"] == "Hooked"


def test_update_patches_the_fields_sent_checked_as_a_create(sbx):
    """`PATCH /projects/{id}`: the hub's extension of the contract (it names no update)."""
    body = {"name": "Patch me", "workspace_id": 1, "status": "Active", "tags": ["a"]}
    project = call(sbx, "POST", "/projects", json=body).json()
    call(sbx, "POST", "/projects", json={**body, "name": "Taken"})

    patched = call(sbx, "PATCH", f"/projects/{project['id']}",
                   json={"name": "Patched", "owner_id": None, "tags": []})  # fmt: skip
    assert patched.status_code == 200
    after = call(sbx, "GET", f"/projects/{project['id']}").json()
    assert (after["name"], after["owner_id"], after["tags"]) == ("Patched", None, [])
    assert (after["status"], after["workspace_id"]) == ("Active", 1)  # not sent: kept
    assert after["updated_at"] >= project["updated_at"]

    cases = [
        ({"name": "Taken"}, 409, "name"),
        ({"status": "Done"}, 400, "status"),
        ({"start_date": "2025-02-01", "end_date": "2025-01-01"}, 400, "end_date"),
        ({"owner_id": 999}, 404, "owner_id"),
        ({"workspace_id": 2}, 400, "workspace_id"),
    ]
    for payload, status, field in cases:
        response = call(sbx, "PATCH", f"/projects/{project['id']}", json=payload)
        assert response.status_code == status, payload
        assert response.json()["error"]["details"]["field"] == field
    assert call(sbx, "GET", f"/projects/{project['id']}").json()["name"] == "Patched"
    missing = call(sbx, "PATCH", "/projects/99999", json={"name": "x"})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "NOT_FOUND"
