from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = "Load demo data (idempotent) and print the demo users, password and TOTP secrets."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.MDA_ENVIRONMENT == "production":
            raise CommandError("seed_demo refuses to run with production settings.")
        lines: list[str] = []
        for dotted in settings.MDA_DEMO_SEEDERS:
            import_string(dotted)(lines)
        self.stdout.write(f"Demo users (all with password {settings.MDA_DEMO_PASSWORD!r}):")
        self.stdout.write(f"{'username':<20} {'role':<20} {'organisation':<40} two-factor secret")
        for line in lines:
            self.stdout.write(line)
        self.stdout.write(
            "Add a secret to an authenticator app (or run `python -m mda.totp SECRET` "
            "for the current code)."
        )
