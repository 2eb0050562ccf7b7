"""Re-wrap every data key under the newest master key, while the service keeps running.

Operator procedure:

1. Add the new version to MDA_MASTER_KEYS everywhere (``"1:<old>,2:<new>"``) and restart every
   process, so that new data keys are wrapped under version 2 and re-wrapped keys can be read.
2. Run ``manage.py rotate_master_key``. It works in short batches (one transaction each) and can be
   interrupted and run again at any time: it only selects keys not yet on the newest version.
3. When the report says an old version has no data keys left, remove it from MDA_MASTER_KEYS.
   Backups made before the rotation still need that old key to be restored.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.db.models import Count, QuerySet

from mda.crypto import CryptoError, data_key_rewrap, master_keyring
from mda.models import DataKey

_BAR_WIDTH = 30


def _pending(newest: int, after: uuid.UUID | None = None) -> QuerySet[DataKey]:
    """Unshredded keys not on the newest version, in id order (after *after*)."""
    keys = DataKey.objects.filter(shredded_at__isnull=True, wrapped_key__isnull=False)
    keys = keys.exclude(master_key_version=newest).order_by("id")
    return keys if after is None else keys.filter(id__gt=after)


def _rewrap_batch(newest: int, after: uuid.UUID | None, size: int) -> list[uuid.UUID]:
    """Re-wrap up to *size* keys in one short transaction; return the ids it looked at."""
    with transaction.atomic():
        batch = _pending(newest, after)
        if connection.features.has_select_for_update_skip_locked:
            # Keys locked by a concurrent shred or rotation are skipped, not waited for.
            batch = batch.select_for_update(skip_locked=True)
        keys = list(batch[:size])
        for key in keys:
            data_key_rewrap(key)
    return [key.id for key in keys]


def progress_bar(done: int, total: int) -> str:
    fraction = min(done / total, 1.0) if total else 1.0
    filled = round(_BAR_WIDTH * fraction)
    bar = "#" * filled + "." * (_BAR_WIDTH - filled)
    return f"\r[{bar}] {done}/{total} data keys ({fraction:.0%})"


class Command(BaseCommand):
    help = (
        "Re-wrap every data key under the newest master key version, in short batches. "
        "Safe to interrupt and run again; reports how many keys remain on each older version."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=200, help="Data keys per transaction (default 200)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size: int = options["batch_size"]
        if batch_size < 1:
            raise CommandError("--batch-size must be 1 or more.")
        try:
            newest = master_keyring().newest_version
            self._rotate(newest, batch_size)
        except CryptoError as exc:
            raise CommandError(str(exc)) from exc
        self._report(newest)

    def _rotate(self, newest: int, batch_size: int) -> None:
        total = _pending(newest).count()
        self.stdout.write(f"Re-wrapping {total} data keys under master key version {newest}.")
        done, last = 0, None
        self._progress(done, total)
        while ids := _rewrap_batch(newest, last, batch_size):
            done, last = done + len(ids), ids[-1]
            self._progress(done, total)
        self.stdout.write("")

    def _progress(self, done: int, total: int) -> None:
        self.stdout.write(progress_bar(done, total), ending="")
        self.stdout.flush()

    def _report(self, newest: int) -> None:
        rows = (
            DataKey.objects.filter(shredded_at__isnull=True)
            .values_list("master_key_version")
            .annotate(count=Count("id"))
            .order_by()
        )
        counts = dict(rows)
        self.stdout.write(f"Version {newest} (newest): {counts.get(newest, 0)} data keys.")
        for version in sorted((set(master_keyring().versions) | set(counts)) - {newest}):
            remaining = counts.get(version, 0)
            if remaining:
                message = f"Version {version}: {remaining} data keys remain; run this again."
                self.stdout.write(self.style.WARNING(message))
            else:
                message = (
                    f"Version {version}: no data keys left; it can be removed from MDA_MASTER_KEYS."
                )
                self.stdout.write(self.style.SUCCESS(message))
