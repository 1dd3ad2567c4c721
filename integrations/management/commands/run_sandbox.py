"""Serve the sandbox provider APIs as their own process: `manage.py run_sandbox --port 8001`."""

from __future__ import annotations

from typing import cast
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from integrations.sandbox.app import SandboxApp
from integrations.sandbox.credentials import DEMO_CREDENTIALS
from integrations.sandbox.faults import FaultConfig, parse_assignments
from integrations.sandbox.seed import SeedSizes
from integrations.sandbox.server import SandboxServer
from integrations.sandbox.store import SandboxStore

DEFAULT_PORT = 8001


class Command(BaseCommand):
    help = "Serve the fake provider APIs (settings.SANDBOX_FAKES) on one port."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", help="default: the host of SANDBOX_URL, or 127.0.0.1")
        parser.add_argument("--port", type=int, help="default: the port of SANDBOX_URL, or 8001")
        parser.add_argument("--database", help="SQLite file (default: SANDBOX_DATABASE_PATH)")
        parser.add_argument(
            "--seed-if-empty", action="store_true", help="seed the default data set when empty"
        )
        parser.add_argument("--seed", type=int, default=1, help="seed for --seed-if-empty")
        parser.add_argument(
            "--fault",
            nargs="+",
            action="append",
            default=[],
            metavar=("PROVIDER", "KEY=VALUE"),
            help="faults for one provider (or 'all'), e.g. --fault affinity error_rate=0.2 "
            "error_statuses=429,503 latency_ms=100",
        )
        parser.add_argument("--affinity-monthly-limit", type=int, default=100_000)
        parser.add_argument(
            "--oauth-token-ttl", type=int, default=3600, help="project-tool token lifetime (s)"
        )

    def handle(self, *args: object, **options: object) -> None:
        store = SandboxStore(str(options["database"] or settings.SANDBOX_DATABASE_PATH))
        app = SandboxApp(
            store,
            settings.SANDBOX_FAKES,
            affinity_monthly_limit=int(str(options["affinity_monthly_limit"])),
            oauth_token_ttl=int(str(options["oauth_token_ttl"])),
        )
        if options["seed_if_empty"] and store.is_empty():
            self.stdout.write("Seeding the sandbox with the default data set…")
            app.seed(SeedSizes(), seed=int(str(options["seed"])))
        for provider, *pairs in cast(list[list[str]], options["fault"]):
            try:
                app.set_faults(provider, FaultConfig.from_dict(parse_assignments(pairs)))
            except (KeyError, ValueError) as exc:
                raise CommandError(f"--fault {provider}: {exc}") from exc
        configured = urlsplit(settings.SANDBOX_URL)
        host = options["host"] or configured.hostname or "127.0.0.1"
        port = options["port"] or configured.port or DEFAULT_PORT
        server = SandboxServer((str(host), int(str(port))), app)
        self._announce(server.url, app)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            app.stopping.set()
            server.server_close()

    def _announce(self, url: str, app: SandboxApp) -> None:
        self.stdout.write(self.style.SUCCESS(f"Sandbox APIs on {url} (data: {app.store.path})"))
        for api in app.apis.values():
            self.stdout.write(f"  {url}{api.prefix}")
        self.stdout.write(f"  demo credentials: {DEMO_CREDENTIALS}")
        self.stdout.write(f"  faults: {url}/_sandbox/faults")
