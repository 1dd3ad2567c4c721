"""Create the first administrator, `admin`, when there is no superuser yet."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the superuser 'admin' if none exists; print its password once."

    def handle(self, *args: object, **options: object) -> None:
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write("An administrator already exists; nothing to do.")
            return
        password = settings.SUPERUSER_PASSWORD or secrets.token_urlsafe(12)
        User.objects.create_superuser(username="admin", email="", password=password)
        if settings.SUPERUSER_PASSWORD:
            self.stdout.write(self.style.SUCCESS("Created 'admin' with DJANGO_SUPERUSER_PASSWORD."))
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created the administrator 'admin' with the password: {password}\n"
                    "It is shown only this once; change it after logging in."
                )
            )
