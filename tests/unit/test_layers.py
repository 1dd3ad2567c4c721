"""Layers point one way: the integrations package never imports a domain app,
and its HTTP layer never imports Django's ORM or the hub's models.

Every import statement counts, at the top of a module, inside a function or
under `if TYPE_CHECKING:`, because each one is a dependency of the layer.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path, root: Path = ROOT) -> set[str]:
    """The absolute module names a file imports (relative imports resolved)."""
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def offending_imports(package: str, forbidden: tuple[str, ...], root: Path = ROOT) -> list[str]:
    found = []
    for path in sorted((root / package.replace(".", "/")).rglob("*.py")):
        for name in sorted(imported_modules(path, root)):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                found.append(f"{path.relative_to(root)} imports {name}")
    return found


def test_the_scan_sees_imports_hidden_in_functions(tmp_path):
    (tmp_path / "integrations").mkdir()
    (tmp_path / "integrations" / "_layers_probe.py").write_text(
        "def load():\n    from ats.sync import RESOURCES\n    import crm.outbox\n"
    )
    found = offending_imports("integrations", ("ats", "crm"), root=tmp_path)
    assert found == [
        "integrations/_layers_probe.py imports ats.sync",
        "integrations/_layers_probe.py imports ats.sync.RESOURCES",
        "integrations/_layers_probe.py imports crm.outbox",
    ]


def test_relative_imports_are_resolved():
    path = ROOT / "integrations" / "http" / "client.py"
    assert "integrations.http.errors" in imported_modules(path)


@pytest.mark.parametrize("app", ["ats", "crm", "projects", "apis"])
def test_integrations_never_imports_a_domain_app(app):
    assert offending_imports("integrations", (app,)) == []


def test_the_http_layer_knows_nothing_of_django_models():
    forbidden = ("django.db", "django.apps", "integrations.models")
    assert offending_imports("integrations.http", forbidden) == []


def test_the_sandbox_imports_nothing_of_the_hub_or_django():
    """The other side of the wire: a fake that shared the hub's code would agree with the
    hub rather than with the provider. Fakes are loaded by dotted path (importlib)."""
    forbidden = ("django", "integrations.http", "integrations.models", "integrations.providers")
    assert offending_imports("integrations.sandbox", forbidden) == []
