"""`.env.example` and the README's settings table document every setting the hub reads."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Read before any .env file, so it can only come from the real environment (settings.py).
NOT_IN_A_FILE = {"DJANGO_ENV_FILE"}


def read_settings() -> set[str]:
    """Every variable config/settings.py reads: env.<type>("NAME") and _secret("NAME")."""
    settings = (ROOT / "config" / "settings.py").read_text()
    read = set(re.findall(r"(?:env(?:\.\w+)?|_secret)\(\s*\"([A-Z][A-Z0-9_]*)\"", settings))
    assert {"DJANGO_DEBUG", "DJANGO_SECRET_KEY"} <= read, "the pattern no longer matches"
    return read


def test_every_setting_read_from_the_environment_is_in_env_example() -> None:
    documented = set(
        re.findall(r"^#?\s?([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.M)
    )
    assert read_settings() - NOT_IN_A_FILE - documented == set()


def test_the_readmes_every_setting_table_has_every_setting() -> None:
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    documented = {
        name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", row.split("|")[1])
    }
    assert read_settings() - documented == set()
