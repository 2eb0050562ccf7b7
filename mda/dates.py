"""Dates in the service's one style, for the forms Django has no format name for.

The formats live in ``config/formats/<language>/formats.py`` (``FORMAT_MODULE_PATH``); this reads
the extra names there for the active language, so templates and e-mails never spell a format.
"""

from __future__ import annotations

import datetime

from django.utils import dateformat, timezone
from django.utils.formats import get_format_modules

from mda.workdays import AMSTERDAM


def _format(name: str) -> str:
    for module in get_format_modules():
        value = getattr(module, name, None)
        if value:
            return str(value)
    raise LookupError(f"No date format {name} for the active language")


def weekday_date(value: datetime.date | datetime.datetime | None) -> str:
    """ "di 8 dec. 2026": a day with its weekday (a meeting's day, a week's days)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = value.astimezone(AMSTERDAM)
    return dateformat.format(value, _format("WEEKDAY_DATE_FORMAT"))
