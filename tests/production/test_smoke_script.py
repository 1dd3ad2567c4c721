"""The smoke test (scripts/smoke_test.py) runs what docs/deploy.md says, and misses no page."""

import importlib.util
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "smoke_test.py"
spec = importlib.util.spec_from_file_location("smoke_test", SCRIPT)
smoke_test = sys.modules["smoke_test"] = importlib.util.module_from_spec(spec)
spec.loader.exec_module(smoke_test)


def test_it_runs_the_deploy_docs_commands_in_order():
    steps = smoke_test.deploy_steps(smoke_test.DEPLOY_DOC.read_text())
    commands = [step.command.split()[2] if "manage.py" in step.command else step.command.split()[0]
                for step in steps]  # fmt: skip
    assert commands == [
        "collectstatic",
        "migrate",
        "check",
        "ensure_admin",
        "ensure_groups",
        ".venv/bin/gunicorn",
        "run_sandbox",
        "connections_from_env",
        "sync",
    ]
    assert [step.background for step in steps] == [False] * 5 + [True, True, False, False]
    assert "--workers 3" in steps[5].command  # the continued line is joined
    assert steps[2].command.endswith("check --deploy --fail-level WARNING")


def test_the_env_file_is_the_example_with_production_values(tmp_path):
    smoke_test.write_env(tmp_path, {"DJANGO_DEBUG": "false", "DJANGO_BEHIND_TLS_PROXY": "true"})
    lines = (tmp_path / ".env").read_text().splitlines()
    assert "DJANGO_DEBUG=false" in lines
    assert "DJANGO_DEBUG=true" not in lines
    assert "DJANGO_BEHIND_TLS_PROXY=true" in lines  # was commented out in the example
    assert "DATABASE_CONN_MAX_AGE=60" in lines


def test_every_url_it_leaves_out_is_in_the_url_conf():
    names = {pattern["name"] for pattern in smoke_test.app_url_patterns()}
    assert "ats:candidate_detail" in names
    assert set(smoke_test.NOT_PAGES) <= names
