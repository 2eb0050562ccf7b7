"""``{{ meeting.starts_at|weekday_date }}``: "di 8 dec. 2026" (see config/formats)."""

from __future__ import annotations

from django import template

from mda import dates

register = template.Library()
register.filter("weekday_date", dates.weekday_date)
