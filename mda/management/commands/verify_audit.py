"""Verify the audit trail's hash chain: ``manage.py verify_audit [--anchor ID:HASH]``.

Exit 0 and "OK: N events verified" when every event is intact; otherwise exit 1 naming the first
event that was changed, removed or inserted. The second line of a good run is the head
("Head: #ID:HASH"): keep it outside the database (a log, a ticket) and pass it back later with
``--anchor`` to prove the newest events were not cut off since.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mda.audit import audit_verify

_ANCHOR = re.compile(r"#?(?P<id>[0-9]+):(?P<hash>[0-9a-f]{64})")


def _anchor(value: str) -> tuple[int, str]:
    match = _ANCHOR.fullmatch(value.strip())
    if match is None:
        raise CommandError("--anchor must look like ID:HASH, e.g. 1234:3f2a... (64 hex digits).")
    return int(match["id"]), match["hash"]


class Command(BaseCommand):
    help = (
        "Verify the audit hash chain; exit 1 naming the first changed, removed or inserted event."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--anchor",
            help="A head printed by an earlier run (ID:HASH) that must still be in the chain.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        anchor = _anchor(options["anchor"]) if options["anchor"] else None
        result = audit_verify(anchor=anchor)
        if not result.ok:
            raise CommandError(
                f"FAILED after {result.checked} good events: {result.problem}", returncode=1
            )
        self.stdout.write(f"OK: {result.checked} events verified")
        if result.head_id is not None:
            self.stdout.write(f"Head: #{result.head_id}:{result.head_hash}")
