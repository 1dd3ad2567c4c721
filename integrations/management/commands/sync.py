"""Sync records from the providers now, in the foreground, with a progress bar."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from integrations.models import Connection, SyncRun
from integrations.sync.engine import SyncAlreadyRunning, sync_resource
from integrations.sync.registry import resources


class Command(BaseCommand):
    help = "Sync provider records into the hub: manage.py sync [provider] [--resource R] [--full]"

    def add_arguments(self, parser) -> None:
        parser.add_argument("provider", nargs="?", help="only this provider, e.g. recruitee")
        parser.add_argument("--resource", help="only this resource, e.g. candidates")
        parser.add_argument("--full", action="store_true", help="a full pass, not incremental")

    def handle(self, *args, provider: str | None, resource: str | None, full: bool, **options):
        selected = [
            r
            for r in resources().values()
            if (provider is None or r.provider == provider)
            and (resource is None or resource in (r.label, r.key))
        ]
        if not selected:
            raise CommandError("No synced resource matches; known: " + ", ".join(resources()))
        failures = 0
        for item in selected:
            for connection in Connection.objects.filter(provider=item.provider, is_active=True):
                failures += self._sync_one(connection, item, full=full)
        if failures:
            raise CommandError(f"{failures} sync(s) failed")

    def _sync_one(self, connection, resource, *, full: bool) -> int:
        bar = tqdm(desc=f"{connection.name}: {resource.label}", unit=" records", file=self.stderr)

        def progress(run: SyncRun) -> None:
            bar.total = run.expected_total
            bar.n = run.processed
            bar.refresh()

        try:
            run = sync_resource(
                connection=connection, resource=resource, full=full, progress=progress
            )
        except SyncAlreadyRunning as busy:
            bar.close()
            self.stdout.write(self.style.WARNING(str(busy)))
            return 0
        bar.close()
        summary = (
            f"{resource.label}: {run.created_count} new, {run.updated_count} updated, "
            f"{run.deleted_count} deleted in {run.pages} pages"
        )
        if run.status == SyncRun.Status.SUCCEEDED:
            self.stdout.write(self.style.SUCCESS(summary))
            return 0
        self.stdout.write(self.style.ERROR(f"{summary}; failed: {run.error}"))
        return 1
