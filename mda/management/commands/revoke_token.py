from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mda.models import ApiToken
from mda.services import api_token_revoke


class Command(BaseCommand):
    help = "Revoke API tokens: by prefix (as shown by issue_token and the admin) or --all USERNAME."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix", nargs="?", help="The token's first 12 characters")
        parser.add_argument("--all-of", metavar="USERNAME", help="Revoke every token of a user")

    def handle(self, *args: Any, **options: Any) -> None:
        tokens = ApiToken.objects.filter(revoked_at__isnull=True)
        if options["all_of"]:
            tokens = tokens.filter(user__username=options["all_of"])
        elif options["prefix"]:
            tokens = tokens.filter(prefix=options["prefix"][:12])
        else:
            raise CommandError("Give a token prefix or --all-of USERNAME.")
        count = 0
        for token in tokens:
            api_token_revoke(token=token)
            count += 1
        if count == 0:
            raise CommandError("No active token matched; nothing was revoked.")
        self.stdout.write(f"Revoked {count} token(s).")
