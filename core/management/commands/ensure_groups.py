"""Create the default team groups (core/groups.py) that do not exist yet."""

from django.core.management.base import BaseCommand

from core.groups import ensure_default_groups


class Command(BaseCommand):
    help = "Create the default groups (Recruiting, Sales, Projects) if missing."

    def handle(self, *args: object, **options: object) -> None:
        created = ensure_default_groups()
        if created:
            self.stdout.write(self.style.SUCCESS(f"Created the groups: {', '.join(created)}."))
        else:
            self.stdout.write("The default groups exist; nothing to do.")
