"""Write .env from .env.example with freshly generated secrets.

Standard library only: it runs before anything else is installed. An existing
.env is never touched.
"""

import base64
import os
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATORS = {
    "DJANGO_SECRET_KEY": lambda: secrets.token_urlsafe(50),
    "FIELD_ENCRYPTION_KEY": lambda: base64.urlsafe_b64encode(os.urandom(32)).decode(),
}


def render(example: str) -> str:
    lines = []
    for line in example.splitlines():
        name, sep, _ = line.partition("=")
        if sep and name in GENERATORS:
            line = f"{name}={GENERATORS[name]()}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def main() -> int:
    target = ROOT / ".env"
    if target.exists():
        print(".env exists; keeping it.")
        return 0
    target.write_text(render((ROOT / ".env.example").read_text()))
    target.chmod(0o600)
    print("Wrote .env with fresh secrets.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
