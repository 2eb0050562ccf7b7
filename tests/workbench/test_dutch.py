"""Dutch done properly on the workbench's screens: no English left in escalation rung names,
agreement history or the access log, and one date style ("1 dec. 2026", "ma 7 dec. 12:00")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from django.utils import translation
from django.utils.formats import date_format

from casework.models import AgreementEvent, AgreementEventKind, AgreementStatus
from mda.dates import weekday_date
from mda.models import AuditEvent
from mda.models.audit import ACTION_WORDS, OBJECT_WORDS
from mda.workdays import AMSTERDAM
from scheduling.services import DEFAULT_RUNGS, ladder_of
from tests.conftest import Cast

# Names that are the same in both languages (proper names, loan words).
SAME_IN_DUTCH = {"Veilig Thuis", "Zorg- en Veiligheidshuis", "plan", "agenda", "status"}


def test_dates_follow_the_dutch_government_style() -> None:
    moment = datetime(2026, 12, 7, 12, 0, tzinfo=AMSTERDAM)
    with translation.override("nl"):
        assert date_format(date(2026, 12, 1)) == "1 dec. 2026"
        assert date_format(date(2026, 3, 2)) == "2 mrt. 2026"
        assert date_format(date(2026, 5, 2)) == "2 mei 2026"
        assert date_format(moment, "SHORT_DATETIME_FORMAT") == "ma 7 dec. 12:00"
        assert date_format(date(2026, 12, 1), "SHORT_DATE_FORMAT") == "01-12-2026"
        assert weekday_date(moment) == "ma 7 dec. 2026"
    with translation.override("en"):
        assert date_format(date(2026, 12, 1)) == "1 Dec 2026"
        assert date_format(moment, "SHORT_DATETIME_FORMAT") == "Mon 7 Dec 12:00"


@pytest.mark.django_db
def test_the_default_ladder_has_dutch_rung_names_with_english_labels(cast: Cast) -> None:
    rungs = list(ladder_of(cast.north).rungs.order_by("number", "offset_working_days"))
    assert [r.name_en for r in rungs] == [spec.name for spec in DEFAULT_RUNGS]
    for rung in rungs:
        with translation.override("nl"):
            dutch = rung.label
        with translation.override("en"):
            english = rung.label
        assert english == rung.name_en
        assert dutch == rung.name
        if english not in SAME_IN_DUTCH:
            assert dutch != english, english
    assert rungs[0].name == "Herinnering"


def _event(kind: str, **detail: Any) -> AgreementEvent:
    return AgreementEvent(kind=kind, detail=detail)


HISTORY = [
    _event(
        AgreementEventKind.CREATED,
        due_date="2026-12-01",
        owner_organisation="Lokaal team Noord",
        owner="Sam Jansen",
        origin="meeting",
    ),
    _event(AgreementEventKind.CHANGED, fields=["description", "owner"]),
    _event(AgreementEventKind.RESCHEDULED, old="2026-12-01", new="2026-12-08"),
    _event(AgreementEventKind.RESOLVED, status=AgreementStatus.NOT_POSSIBLE),
    _event(AgreementEventKind.REOPENED, previous=AgreementStatus.DONE, due_date="2027-01-05"),
]


def test_agreement_history_reads_as_dutch_sentences_without_keys() -> None:
    for event in HISTORY:
        with translation.override("en"):
            english = event.summary
        with translation.override("nl"):
            dutch = event.summary
        assert dutch != english
        for key in ("due_date", "owner_organisation", "origin", "fields", "not_possible", ": ["):
            assert key not in dutch, (key, dutch)
    with translation.override("nl"):
        assert HISTORY[2].summary == "Uiterste datum verplaatst van 1 dec. 2026 naar 8 dec. 2026."
        assert "Lokaal team Noord, Sam Jansen" in HISTORY[0].summary


def test_the_access_log_names_actions_objects_and_roles_in_dutch() -> None:
    untranslated = []
    with translation.override("nl"):
        for words in (OBJECT_WORDS, ACTION_WORDS):
            for code, label in words.items():
                with translation.override("en"):
                    english = str(label)
                if str(label) == english and english not in SAME_IN_DUTCH:
                    untranslated.append(code)
        event = AuditEvent(
            action="view",
            object_type="case_event",
            username="pj",
            organisation_name="Politie Noord",
            role="privacy_officer",
        )
        assert event.what == "Bekeken: statuswijziging"
        assert event.who == "pj, Politie Noord (Functionaris gegevensbescherming)"
    assert untranslated == []
