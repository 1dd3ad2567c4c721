"""`.env.example` documents every setting the hub reads from the environment."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Read before any .env file, so it can only come from the real environment (settings.py).
NOT_IN_A_FILE = {"DJANGO_ENV_FILE"}


def test_every_setting_read_from_the_environment_is_in_env_example() -> None:
    settings = (ROOT / "config" / "settings.py").read_text()
    read = set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"", settings))
    documented = set(
        re.findall(r"^#?\s?([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.M)
    )
    assert read, "no env() reads found: the pattern no longer matches settings.py"
    assert read - NOT_IN_A_FILE - documented == set()
