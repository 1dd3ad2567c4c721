"""The project tool's Idempotency-Key contract (../shared/providers/README.md), over HTTP."""

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from email.message import Message

import pytest
import requests
from django.conf import settings

from integrations.sandbox import projecttool
from integrations.sandbox.app import SandboxApp
from integrations.sandbox.idempotency import IdempotencyKeys
from integrations.sandbox.server import start_in_thread
from integrations.sandbox.store import SandboxStore
from integrations.sandbox.wire import Request

from .conftest import TIMEOUT

TOKEN = {"Authorization": "Bearer sandbox-projects"}
PROJECTS = "projects_projects"


def new_project() -> dict:
    return {"name": f"Idempotent {uuid.uuid4().hex[:10]}", "workspace_id": 1}


def post(base, path, body, key, headers=TOKEN, timeout=TIMEOUT):
    return requests.post(
        f"{base}{path}",
        json=body,
        headers={**headers, "Idempotency-Key": key},
        timeout=timeout,
    )


@pytest.fixture
def base(sbx):
    return sbx.url_for("projects")


def test_same_key_same_body_answers_the_stored_response_and_creates_nothing(sbx, base):
    before = sbx.count(PROJECTS)
    body, key = new_project(), uuid.uuid4().hex
    first = post(base, "/projects", body, key)
    again = post(base, "/projects", dict(reversed(body.items())), key)  # key order is no change
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert sbx.count(PROJECTS) == before + 1
    assert again.headers["X-RateLimit-Limit"] == "600"  # a replay is still a provider answer


def test_same_key_other_body_is_a_422_mismatch(sbx, base):
    key = uuid.uuid4().hex
    assert post(base, "/projects", new_project(), key).status_code == 201
    before = sbx.count(PROJECTS)
    other = post(base, "/projects", new_project(), key)
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "IDEMPOTENCY_MISMATCH"
    assert other.json()["error"]["message"]
    assert post(base, "/webhooks", {"url": "http://x.test/h"}, key).status_code == 422
    assert sbx.count(PROJECTS) == before


def test_keys_are_optional_and_independent(sbx, base):
    before = sbx.count(PROJECTS)
    assert post(base, "/projects", new_project(), uuid.uuid4().hex).status_code == 201
    assert post(base, "/projects", new_project(), uuid.uuid4().hex).status_code == 201
    plain = requests.post(f"{base}/projects", json=new_project(), headers=TOKEN, timeout=TIMEOUT)
    assert plain.status_code == 201
    assert sbx.count(PROJECTS) == before + 3


@pytest.mark.parametrize(("length", "status"), [(255, 201), (256, 400), (0, 400)])
def test_a_key_empty_or_longer_than_255_characters_is_a_400(sbx, base, length, status):
    before = sbx.count(PROJECTS)
    response = post(base, "/projects", new_project(), "k" * length)
    assert response.status_code == status
    if status == 400:
        error = response.json()["error"]
        assert error["code"] == "INVALID_INPUT"
        assert error["details"]["field"] == "Idempotency-Key"
        assert "255" in error["message"]
    assert sbx.count(PROJECTS) == before + (status == 201)


def test_a_key_in_progress_during_a_real_hang_answers_409_then_the_stored_answer(sbx, base):
    sbx.set_faults("projects", hang_rate=1, hang_seconds=1.5, max_faults=1, methods=["POST"])
    before = sbx.count(PROJECTS)
    body, key = new_project(), uuid.uuid4().hex
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):  # the client gives up on the first
        post(base, "/projects", body, key, timeout=(TIMEOUT, 0.3))
    during = post(base, "/projects", body, key)
    assert time.monotonic() - started < 1.5, "the 409 must come at once, not after the hang"
    assert during.status_code == 409
    assert during.json()["error"]["code"] == "IDEMPOTENCY_IN_PROGRESS"
    assert sbx.count(PROJECTS) == before  # still in the provider's queue
    deadline = time.monotonic() + 5
    while sbx.count(PROJECTS) == before and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.1)  # the answer is stored in the same transaction as the project
    after = post(base, "/projects", body, key)
    assert after.status_code == 201 and after.json()["name"] == body["name"]
    assert sbx.count(PROJECTS) == before + 1


def test_concurrent_requests_with_one_key_create_one_project(sbx, base):
    before = sbx.count(PROJECTS)
    body, key = new_project(), uuid.uuid4().hex
    barrier = threading.Barrier(8)

    def send(_):
        barrier.wait()
        return post(base, "/projects", body, key)

    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(send, range(8)))
    assert sbx.count(PROJECTS) == before + 1
    created = [r for r in responses if r.status_code == 201]
    assert created and {r.json()["id"] for r in created} == {created[0].json()["id"]}
    others = [r.json()["error"]["code"] for r in responses if r.status_code != 201]
    assert set(others) <= {"IDEMPOTENCY_IN_PROGRESS"}  # not the duplicate name's CONFLICT


@pytest.mark.parametrize("fault", ["drop_after_rate", "truncate_rate"])
def test_an_answer_lost_after_the_write_is_replayed_on_retry(sbx, base, fault):
    sbx.set_faults("projects", **{fault: 1}, max_faults=1, methods=["POST"])
    before = sbx.count(PROJECTS)
    body, key = new_project(), uuid.uuid4().hex
    with pytest.raises(requests.exceptions.RequestException):
        post(base, "/projects", body, key)
    retry = post(base, "/projects", body, key)
    assert retry.status_code == 201 and retry.json()["name"] == body["name"]
    assert sbx.count(PROJECTS) == before + 1


@pytest.mark.parametrize("status", [429, 500, 503])
def test_an_injected_error_stores_nothing_and_the_retry_creates(sbx, base, status):
    sbx.set_faults("projects", error_rate=1, error_statuses=[status], max_faults=1)
    before = sbx.count(PROJECTS)
    body, key = new_project(), uuid.uuid4().hex
    assert post(base, "/projects", body, key).status_code == status
    assert sbx.count(PROJECTS) == before
    assert post(base, "/projects", body, key).status_code == 201
    assert sbx.count(PROJECTS) == before + 1


def test_a_request_refused_at_the_door_does_not_use_up_its_key(sbx, base):
    body, key = new_project(), uuid.uuid4().hex
    refused = post(base, "/projects", body, key, headers={"Authorization": "Bearer wrong"})
    assert refused.status_code == 401
    sbx.set_faults("projects", rate_limit_per_minute=1)
    requests.get(f"{base}/users/me", headers=TOKEN, timeout=TIMEOUT)  # spends the budget
    assert post(base, "/projects", body, key).status_code == 429
    sbx.reset_faults()
    assert post(base, "/projects", body, key).status_code == 201


def test_the_endpoints_own_errors_are_stored(sbx, base):
    key = uuid.uuid4().hex
    invalid = {"name": "", "workspace_id": 1}
    first = post(base, "/projects", invalid, key)
    again = post(base, "/projects", invalid, key)
    assert first.status_code == again.status_code == 400
    assert again.json() == first.json()
    # A corrected body needs a new key: the old one belongs to the refused request.
    assert post(base, "/projects", new_project(), key).status_code == 422


def test_a_crashed_request_frees_its_key(sbx, base, monkeypatch):
    before = sbx.count(PROJECTS)
    body, key = new_project(), uuid.uuid4().hex
    real = projecttool.create_project

    def crash(conn, data):
        real(conn, data)  # the insert happens, then the endpoint dies: it is rolled back
        raise RuntimeError("the endpoint crashed")

    monkeypatch.setattr(projecttool, "create_project", crash)
    with pytest.raises(requests.exceptions.ConnectionError):
        post(base, "/projects", body, key)
    monkeypatch.setattr(projecttool, "create_project", real)
    assert sbx.count(PROJECTS) == before
    assert post(base, "/projects", body, key).status_code == 201
    assert sbx.count(PROJECTS) == before + 1


def test_keys_are_kept_for_24_hours(sbx, base):
    key = uuid.uuid4().hex
    assert post(base, "/projects", new_project(), key).status_code == 201
    age = sbx.store.connection()
    age.execute("UPDATE idempotency_keys SET created_at = created_at - 86300 WHERE key = ?", (key,))
    assert post(base, "/projects", new_project(), key).status_code == 422  # 23h58 old: kept
    age.execute("UPDATE idempotency_keys SET created_at = created_at - 101 WHERE key = ?", (key,))
    assert post(base, "/projects", new_project(), key).status_code == 201  # 24 h: a new request


def test_bulk_create_and_webhooks_honour_keys(sbx, base):
    before = sbx.count(PROJECTS), sbx.count("projects_webhooks")
    rows, key = [new_project(), new_project(), {"name": ""}], uuid.uuid4().hex
    first = post(base, "/projects/bulk", rows, key)
    again = post(base, "/projects/bulk", rows, key)
    assert first.status_code == again.status_code == 207
    assert again.json() == first.json() and len(first.json()["data"]) == 2
    hook = {"url": "http://127.0.0.1:9/hook", "events": ["project.created"]}
    first_hook = post(base, "/webhooks", hook, key + "-hook")
    try:
        assert post(base, "/webhooks", hook, key + "-hook").json() == first_hook.json()
        counts = sbx.count(PROJECTS), sbx.count("projects_webhooks")
        assert counts == (before[0] + 2, before[1] + 1)
    finally:  # later tests' creates would post to it
        with sbx.store.transaction() as conn:
            conn.execute("DELETE FROM projects_webhooks WHERE id = ?", (first_hook.json()["id"],))


def test_keys_survive_a_restart_and_unfinished_ones_are_released(tmp_path):
    path = tmp_path / "sandbox.sqlite3"
    body, key = new_project(), "survives"
    first_run = start_in_thread(SandboxApp(SandboxStore(path), settings.SANDBOX_FAKES))
    try:
        base = first_run.url + "/projects-api"
        _seed_workspace(first_run.app.store)
        created = post(base, "/projects", body, key)
        assert created.status_code == 201
    finally:
        first_run.stop()
    # A request that was in progress when its process died holds this key:
    dead = Request("POST", "/projects", {}, Message(), b"{}")
    IdempotencyKeys(SandboxStore(path), "projects").reserve("died-mid-way", dead)

    second_run = start_in_thread(SandboxApp(SandboxStore(path), settings.SANDBOX_FAKES))
    try:
        base = second_run.url + "/projects-api"
        replay = post(base, "/projects", body, key)
        assert replay.status_code == 201 and replay.json() == created.json()
        assert second_run.app.store.count(PROJECTS) == 1
        assert post(base, "/projects", new_project(), "died-mid-way").status_code == 201
    finally:
        second_run.stop()


def _seed_workspace(store: SandboxStore) -> None:
    with store.transaction() as conn:
        conn.execute("INSERT INTO projects_workspaces VALUES (1, '{\"id\": 1}')")
        conn.execute("INSERT INTO projects_users VALUES (1, '{\"id\": 1}')")
