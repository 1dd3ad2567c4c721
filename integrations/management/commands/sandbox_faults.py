"""Show or change a running sandbox's faults through its control endpoint.

manage.py sandbox_faults show
manage.py sandbox_faults set affinity error_rate=0.3 error_statuses=429,503 seed=7
manage.py sandbox_faults clear          # no faults anywhere
manage.py sandbox_faults reset          # no faults, fresh rate-limit budgets
"""

from __future__ import annotations

import json
from typing import cast

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from integrations.sandbox.faults import parse_assignments

TIMEOUT = (3, 10)


class Command(BaseCommand):
    help = "Show or change the faults of a running sandbox (see `run_sandbox`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=("show", "set", "clear", "reset"))
        parser.add_argument("provider", nargs="?", help="for set: a provider or 'all'")
        parser.add_argument("pairs", nargs="*", metavar="KEY=VALUE")
        parser.add_argument("--url", default=None, help="sandbox URL (default: SANDBOX_URL)")

    def handle(self, *args: object, **options: object) -> None:
        base = str(options["url"] or settings.SANDBOX_URL).rstrip("/")
        if not base:
            raise CommandError("No sandbox URL: set SANDBOX_URL or pass --url.")
        action = options["action"]
        control = f"{base}/_sandbox"
        try:
            if action == "show":
                response = requests.get(f"{control}/faults", timeout=TIMEOUT)
            elif action == "set":
                response = requests.put(
                    f"{control}/faults/{self._provider(options)}",
                    json=parse_assignments(cast(list[str], options["pairs"])),
                    timeout=TIMEOUT,
                )
            elif action == "clear":
                response = requests.delete(f"{control}/faults", timeout=TIMEOUT)
            else:
                response = requests.post(f"{control}/reset", timeout=TIMEOUT)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        except requests.RequestException as exc:
            raise CommandError(f"The sandbox at {base} did not answer: {exc}") from exc
        if response.status_code != 200:
            raise CommandError(f"The sandbox refused: {response.status_code} {response.text}")
        self.stdout.write(json.dumps(response.json(), indent=2))

    @staticmethod
    def _provider(options: dict[str, object]) -> str:
        if not options["provider"]:
            raise CommandError("set needs a fake's name (GET /_sandbox/faults lists them) or all.")
        return str(options["provider"])
