"""Build the anonymous fact table from the existing cases and meetings, once.

Safe to interrupt and to run again: cases and meetings that have their facts are skipped (see
``steering.backfill``). Prints a progress bar and what it wrote."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from casework.models import Case
from scheduling.models import Meeting
from steering.backfill import (
    case_facts_backfill,
    cases_to_backfill,
    meeting_facts_backfill,
    meetings_to_backfill,
)

_BAR_WIDTH = 30


def progress_bar(done: int, total: int, what: str) -> str:
    fraction = min(done / total, 1.0) if total else 1.0
    filled = round(_BAR_WIDTH * fraction)
    return f"\r[{'#' * filled}{'.' * (_BAR_WIDTH - filled)}] {done}/{total} {what} ({fraction:.0%})"


class Command(BaseCommand):
    help = (
        "Build the anonymous fact table (the figures) from the existing cases and meetings. "
        "Safe to run again: what has its facts already is skipped."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        show = options["verbosity"] >= 1 and sys.stderr.isatty()
        written = skipped = 0
        total = Case.objects.filter(data_key__shredded_at__isnull=True).count()
        for done, case in enumerate(cases_to_backfill(), start=1):
            if case_facts_backfill(case):
                written += 1
            else:
                skipped += 1
            if show or done == total:
                self.stderr.write(progress_bar(done, total, "cases"), ending="")
        self.stderr.write("")
        meetings_written = meetings_skipped = 0
        total = Meeting.objects.filter(minutes_published_at__isnull=False).count()
        for done, meeting in enumerate(meetings_to_backfill(), start=1):
            if meeting_facts_backfill(meeting):
                meetings_written += 1
            else:
                meetings_skipped += 1
            if show or done == total:
                self.stderr.write(progress_bar(done, total, "meetings"), ending="")
        self.stderr.write("")
        self.stdout.write(
            f"Cases: {written} written, {skipped} had their facts already. "
            f"Meetings: {meetings_written} written, {meetings_skipped} had their facts already."
        )
