"""Print SANDBOX_URL (empty when the sandbox is off), for scripts/run.sh."""

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print the sandbox URL from the settings; empty when the sandbox is off."

    def handle(self, *args: object, **options: object) -> None:
        self.stdout.write(settings.SANDBOX_URL)
