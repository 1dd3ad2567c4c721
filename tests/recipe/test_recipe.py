"""The proof of docs/adding-a-provider.md: Jotter, an example provider added by following it.

`examples/jotter/` holds all of it (provider module, sandbox fake, app, pages,
tests) and `examples/jotter/settings.py` adds only the recipe's registry lines
to the test settings. Its own tests run here, in a child process with those
settings; the other tests check that it needed nothing else.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

from examples.jotter.provider import PROVIDER

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = "examples/jotter/"
# Registry settings of the recipe (config/settings.py), plus the provider's credentials.
REGISTRY_SETTINGS = {"INTEGRATIONS_PROVIDERS", "SANDBOX_FAKES", "HUB_APPS", "INSTALLED_APPS"}
# Where the example may be named outside its directory: the docs that point at it, and this.
MENTIONS_ALLOWED = {
    "README.md",
    "docs/adding-a-provider.md",
    "docs/architecture.md",
    "tests/recipe/test_recipe.py",
}


def test_the_example_passes_its_own_tests_with_only_the_registry_lines(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "examples.jotter.settings",
        # Its own database file, whatever the suite runs on (the test database is taken).
        "DATABASE_URL": f"sqlite:///{tmp_path / 'jotter.sqlite3'}",
    }
    done = subprocess.run(  # noqa: S603 - our own test run
        [sys.executable, "-m", "pytest", f"{EXAMPLE}tests", "-q", "-p", "no:randomly",
         "-p", "no:cacheprovider", "-W", "ignore::pytest.PytestAssertRewriteWarning"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and "failed" not in done.stdout


def test_its_settings_add_only_the_registry_lines():
    tree = ast.parse((ROOT / EXAMPLE / "settings.py").read_text())
    assigned = {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    assert assigned == REGISTRY_SETTINGS | set(PROVIDER.settings_names.values())


def test_nothing_outside_its_directory_names_it():
    command = ["git", "ls-files", "--cached", "--others", "--exclude-standard"]
    listed = subprocess.run(  # noqa: S603 - git, on this checkout
        command, cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    naming = set()
    for name in listed:
        path = ROOT / name
        if name.startswith(EXAMPLE) or name in MENTIONS_ALLOWED or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary: vendored fonts, images
        if "jotter" in text.lower():
            naming.add(name)
    assert naming == set()
