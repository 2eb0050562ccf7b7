"""Verify the audit trail: ``manage.py verify_audit [--anchor POSITION:HASH | --no-anchor]``.

Exit 0 and "OK: N events verified" when every sealed event is intact and no pending one is
suspect; otherwise exit 1 naming the first event that was changed, removed or inserted. By
default the chain is checked against the latest anchor in ``MDA_AUDIT_ANCHOR_PATH`` (written by
beat every few minutes), so a cut-off tail is caught too. The head is printed
("Head: POSITION:HASH (event #ID)"); it can be passed back with ``--anchor``.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mda.audit_verify import audit_verify, latest_anchor

_ANCHOR = re.compile(r"#?(?P<position>[0-9]+):(?P<hash>[0-9a-f]{64})")


def _anchor(value: str) -> tuple[int, str]:
    match = _ANCHOR.fullmatch(value.strip())
    if match is None:
        raise CommandError(
            "--anchor must look like POSITION:HASH, e.g. 1234:3f2a... (64 hex digits)."
        )
    return int(match["position"]), match["hash"]


class Command(BaseCommand):
    help = (
        "Verify the audit hash chain; exit 1 naming the first changed, removed or inserted event."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--anchor",
            help="A head printed earlier (POSITION:HASH) that must still be in the chain; "
            "default: the latest line of MDA_AUDIT_ANCHOR_PATH.",
        )
        parser.add_argument("--anchor-file", help="Read the latest anchor from this file.")
        parser.add_argument("--no-anchor", action="store_true", help="Check without an anchor.")
        parser.add_argument(
            "--workers", type=int, default=0, help="Processes (default: one per core)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        anchor = None
        if options["anchor"]:
            anchor = _anchor(options["anchor"])
        elif not options["no_anchor"]:
            anchor = latest_anchor(options["anchor_file"])
            if anchor is None:
                self.stderr.write(
                    "No anchor (MDA_AUDIT_ANCHOR_PATH unset or empty): a cut-off tail of the "
                    "newest events cannot be detected."
                )
        result = audit_verify(anchor=anchor, workers=options["workers"] or None)
        if not result.ok:
            raise CommandError(
                f"FAILED after {result.checked} good events: {result.problem}", returncode=1
            )
        self.stdout.write(f"OK: {result.checked} events verified")
        if result.head_id is not None:
            self.stdout.write(
                f"Head: {result.head_position}:{result.head_hash} (event #{result.head_id})"
            )
        if anchor is not None:
            self.stdout.write(f"Anchor: {anchor[0]}:{anchor[1]} is in the chain")
        if result.pending:
            self.stdout.write(f"Pending: {result.pending} events not sealed yet")
