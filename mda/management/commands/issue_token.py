from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mda.models import User
from mda.services import api_token_issue


class Command(BaseCommand):
    help = "Issue an API token for USERNAME and print it (it is shown only this once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="What the token is for, e.g. 'politie-bvh'")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {options['username']!r}.")
        token, raw = api_token_issue(user=user, name=options["name"])
        self.stderr.write(f"Token {token.prefix}… issued for {user.username}. Store it now:")
        self.stdout.write(raw)
