"""Fill the sandbox's own SQLite file with a deterministic, realistic data set."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from integrations.sandbox.app import SandboxApp
from integrations.sandbox.seed import SeedSizes
from integrations.sandbox.store import SandboxStore


class Command(BaseCommand):
    help = "Seed the sandbox data (same --seed, same records). --reset replaces existing data."

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = SeedSizes()
        for name in ("candidates", "offers", "organizations", "persons", "projects", "workspaces"):
            parser.add_argument(f"--{name}", type=int, default=getattr(defaults, name))
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--reset", action="store_true", help="replace existing data")
        parser.add_argument("--database", help="SQLite file (default: SANDBOX_DATABASE_PATH)")

    def handle(self, *args: object, **options: object) -> None:
        store = SandboxStore(str(options["database"] or settings.SANDBOX_DATABASE_PATH))
        if not store.is_empty() and not options["reset"]:
            raise CommandError(f"{store.path} already has data; pass --reset to replace it.")
        sizes = SeedSizes(
            **{name: int(str(options[name])) for name in SeedSizes.__dataclass_fields__}
        )
        if min(vars(sizes).values()) < 0 or sizes.workspaces < 1 or sizes.offers < 1:
            raise CommandError("Sizes must be >= 0, with at least one offer and one workspace.")
        started = time.monotonic()
        SandboxApp(store, settings.SANDBOX_FAKES).seed(sizes, seed=int(str(options["seed"])))
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {store.path} in {time.monotonic() - started:.1f}s: "
                f"{sizes.candidates} candidates, {sizes.offers} offers, "
                f"{sizes.organizations} organizations, {sizes.persons} persons, "
                f"{sizes.projects} projects in {sizes.workspaces} workspaces."
            )
        )
