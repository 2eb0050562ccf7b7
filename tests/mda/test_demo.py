"""The demo data (``manage.py seed_demo``, run by ``./scripts/demo``): it loads on an empty
database, a second run leaves it as it is, and it shows what a newcomer should be able to try."""

from __future__ import annotations

from datetime import datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from casework.models import Case, CaseStatus, LegalHold, RetentionWarning
from mda.workdays import AMSTERDAM

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_the_demo_loads_once_and_shows_the_end_of_a_case(time_machine: Any) -> None:
    time_machine.move_to(datetime(2026, 12, 3, 9, 0, tzinfo=AMSTERDAM), tick=False)
    printed = seed()
    assert "coordinator" in printed and "Demo retention: 1 case(s) warned" in printed
    declined = Case.objects.get(region__slug="groningen", status=CaseStatus.DECLINED)
    warning = RetentionWarning.objects.get()
    assert warning.case == declined and str(warning.destroy_on) == "2026-12-13"
    assert declined.ended_at is not None and declined.created_at < declined.ended_at
    hold = LegalHold.objects.get()
    assert hold.case.status == CaseStatus.CLOSED and str(hold.until) == "2027-04-03"
    cases = Case.objects.count()
    assert "left as they are" in seed()
    assert Case.objects.count() == cases and RetentionWarning.objects.count() == 1
