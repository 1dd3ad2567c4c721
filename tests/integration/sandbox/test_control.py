"""The control endpoint, the seed and the management commands around them."""

import json

import pytest
import requests
from django.core.management import call_command

from integrations.sandbox.faults import FaultConfig
from integrations.sandbox.seed import SMALL, seed_all
from integrations.sandbox.store import SandboxStore

from .conftest import TIMEOUT


def test_health_and_counts(sbx):
    assert requests.get(f"{sbx.url}/_sandbox/health", timeout=TIMEOUT).json() == {"status": "ok"}
    counts = requests.get(f"{sbx.url}/_sandbox/counts", timeout=TIMEOUT).json()
    assert counts["affinity_organizations"] == sbx.count("affinity_organizations")


def test_set_show_and_clear_faults_over_http(sbx):
    control = f"{sbx.url}/_sandbox"
    response = requests.put(
        f"{control}/faults/affinity",
        json={"error_rate": 1, "error_statuses": [502]},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200
    assert response.json()["affinity"]["error_statuses"] == [502]
    assert (
        requests.get(
            f"{sbx.url_for('affinity')}/auth/whoami", auth=("", "sandbox-affinity"), timeout=TIMEOUT
        ).status_code
        == 502
    )
    assert (
        requests.delete(f"{control}/faults", timeout=TIMEOUT).json()["affinity"]
        == FaultConfig().to_dict()
    )
    assert (
        requests.get(
            f"{sbx.url_for('affinity')}/auth/whoami", auth=("", "sandbox-affinity"), timeout=TIMEOUT
        ).status_code
        == 200
    )


@pytest.mark.parametrize(
    "body", [{"nope": 1}, {"error_rate": 2}, {"error_statuses": [418]}, {"latency_ms": -1}]
)
def test_bad_fault_settings_are_refused(sbx, body):
    response = requests.put(f"{sbx.url}/_sandbox/faults/recruitee", json=body, timeout=TIMEOUT)
    assert response.status_code == 400
    assert response.json()["error"]


def test_unknown_provider_and_path(sbx):
    assert (
        requests.put(f"{sbx.url}/_sandbox/faults/jira", json={}, timeout=TIMEOUT).status_code == 404
    )
    assert requests.get(f"{sbx.url}/nowhere", timeout=TIMEOUT).status_code == 404


def test_reset_restores_budgets(sbx):
    sbx.set_faults("affinity", rate_limit_per_minute=1)
    requests.get(
        f"{sbx.url_for('affinity')}/auth/whoami", auth=("", "sandbox-affinity"), timeout=TIMEOUT
    )
    assert requests.post(f"{sbx.url}/_sandbox/reset", timeout=TIMEOUT).status_code == 200
    response = requests.get(
        f"{sbx.url_for('affinity')}/auth/whoami", auth=("", "sandbox-affinity"), timeout=TIMEOUT
    )
    assert response.headers["X-Ratelimit-Limit-User"] == "900"
    assert response.headers["X-Ratelimit-Limit-User-Remaining"] == "899"


def test_sandbox_faults_command_talks_to_the_control_endpoint(sbx, capsys):
    call_command(
        "sandbox_faults", "set", "asana", "latency_ms=5", "error_statuses=429,503", url=sbx.url
    )
    shown = json.loads(capsys.readouterr().out)
    assert shown["asana"]["latency_ms"] == 5 and shown["asana"]["error_statuses"] == [429, 503]
    call_command("sandbox_faults", "reset", url=sbx.url)
    assert json.loads(capsys.readouterr().out)["asana"]["latency_ms"] == 0


def test_seed_is_deterministic(tmp_path):
    def dump(name):
        store = SandboxStore(tmp_path / name)
        seed_all(store, SMALL, seed=7)
        conn = store.connection()
        return [
            conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()  # noqa: S608
            for t in ("recruitee_candidates", "affinity_persons", "asana_projects")
        ]

    assert dump("a.sqlite3") == dump("b.sqlite3")


def test_sandbox_seed_command_sizes_and_reset(tmp_path, capsys):
    path = str(tmp_path / "seeded.sqlite3")
    call_command(
        "sandbox_seed",
        database=path,
        candidates=25,
        offers=3,
        organizations=5,
        persons=9,
        projects=4,
        workspaces=2,
    )
    store = SandboxStore(path)
    assert store.count("recruitee_candidates") == 25 and store.count("affinity_persons") == 9
    assert store.count("projects_projects") == 4 and store.count("asana_workspaces") == 2
    with pytest.raises(Exception, match="--reset"):
        call_command("sandbox_seed", database=path)
    call_command("sandbox_seed", database=path, reset=True, candidates=3)
    assert store.count("recruitee_candidates") == 3
