"""Building and publishing an agenda of 16 cases, each with every partner organisation of the
region taking part (11 partners; with the safety house's coordinator 12 organisations at the
table). Not a test: it prints figures.

    DATABASE_URL=postgres://... python bench/agenda.py [--quick]

Per run, on a fresh meeting of a bench series: the coordinator ticks the 16 cases among the
proposals and adds them at once (build; the same cases added one by one is printed too),
publishes (invitations) and every invitation e-mail is sent as a worker does (fan-out, Django's
locmem mail backend). The same again with the agenda writes as they were
(``bench/legacy/agendas.py``) is the baseline.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import common, data

CASES = 16


def _setup(people: data.World) -> tuple[Any, list[Any], Any]:
    """The region's coordinator, 16 active cases with every partner at level 1 or 2, a series."""

    from casework.models import Case, Participation
    from mda.models import User
    from scheduling.models import HolidayRule, MeetingSeries
    from scheduling.services import meetings

    region_id = people.regions[0]
    coordinator = User.objects.get(pk=people.coordinators[region_id][0])
    cases = list(
        Case.objects.filter(region_id=region_id, status__in=data.OPEN_STATUSES)
        .select_related("region", "data_key")
        .order_by("-created_at")[:CASES]
    )
    partners = people.orgs_by_region[region_id]
    have = set(
        Participation.objects.active()
        .filter(case__in=cases)
        .values_list("case_id", "organisation_id")
    )
    Participation.objects.filter(case__in=cases, level=0, revoked_at__isnull=True).update(level=1)
    Participation.objects.bulk_create(
        _weegmoment(case, org.id, coordinator)
        for case in cases
        for org in partners
        if (case.pk, org.id) not in have
    )
    series = MeetingSeries.objects.filter(region_id=region_id, name="Bench casusoverleg").first()
    if series is None:
        series = meetings.series_create(
            actor=coordinator,
            region=cases[0].region,
            kind="case_conference",
            name="Bench casusoverleg",
            weekday=2,
            start_time=time(9, 0),
            duration_minutes=CASES * 15 + 30,
            place="ZVH, zaal 1",
            online_link="https://meet.example.org/bench",
            holiday_rule=HolidayRule.NEXT_WORKING_DAY,
            weeks_ahead=26,
            starts_on=date(2026, 1, 1),
        )
    return coordinator, cases, series


def _weegmoment(case: Any, organisation_id: Any, coordinator: Any) -> Any:
    from django.utils import timezone

    from casework.models import Participation
    from mda import crypto

    participation = Participation(
        case=case,
        organisation_id=organisation_id,
        level=1,
        legal_basis="convenant",
        decided_by=coordinator,
        decided_at=timezone.now(),
    )
    crypto.seal(participation, "purpose_ct", "Casusoverleg", case.data_key)
    crypto.seal(participation, "necessity_ct", "Noodzakelijk voor de veiligheid", case.data_key)
    return participation


def _fresh_meeting(series: Any) -> Any:
    from scheduling.models import Meeting
    from scheduling.services import meetings

    def empty() -> Any:
        meetings.meetings_generate(series=series)
        return (
            Meeting.objects.filter(series=series, items__isnull=True, agenda_status="draft")
            .order_by("starts_at")
            .first()
        )

    meeting = empty()
    if meeting is None:  # every meeting of the kept data was used by earlier runs: start afresh
        Meeting.objects.filter(series=series).delete()
        meeting = empty()
    assert meeting is not None, "the bench series has no empty meeting left"
    return meeting


def _run(coordinator: Any, cases: list[Any], series: Any, *, batch: bool) -> dict[str, float]:
    from django.core import mail
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from casework.access import access_case
    from scheduling.access import access_meeting
    from scheduling.models import InvitationMessage
    from scheduling.services import agendas, invitations

    meeting = _fresh_meeting(series)
    mine = [access_case(coordinator, case.pk) for case in cases]

    def build() -> None:
        if batch:  # the coordinator ticks the 16 proposals and adds them at once
            agendas.agenda_items_add(
                actor=coordinator,
                meeting=access_meeting(coordinator, meeting.pk, manage=True),
                entries=[agendas.NewItem(case_id=case.pk) for case in mine],
            )
            return
        for case in mine:
            agendas.agenda_item_add(
                actor=coordinator,
                meeting=access_meeting(coordinator, meeting.pk, manage=True),
                case=case,
            )

    def publish() -> None:
        agendas.agenda_publish(
            actor=coordinator, meeting=access_meeting(coordinator, meeting.pk, manage=True)
        )

    def fan_out() -> int:
        ids = InvitationMessage.objects.filter(meeting=meeting, sent_at__isnull=True)
        for message_id in list(ids.values_list("pk", flat=True)):
            invitations.invitation_message_send(message_id=message_id)
        return len(mail.outbox)

    mail.outbox = []
    with CaptureQueriesContext(connection) as build_q:
        build_s = common.timed(build)[0]
    with CaptureQueriesContext(connection) as publish_q:
        publish_s = common.timed(publish)[0]
        fan_s, sent = common.timed(fan_out)
    return {
        "build": build_s,
        "build_queries": len(build_q),
        "publish": publish_s + fan_s,
        "publish_queries": len(publish_q),
        "emails": sent,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    common.setup(quick=args.quick)
    from django.conf import settings

    from bench.legacy import agendas as legacy

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    import mda.outbox

    mda.outbox.task_queue = lambda name, *args: True  # the fan-out is measured here, in-process
    size = data.QUICK if args.quick else data.FULL
    people = data.ensure(size["cases"], size["agreements"])
    coordinator, cases, series = _setup(people)
    runs = 2 if args.quick else args.runs
    _run(coordinator, cases, series, batch=True)  # warm up (URLs, translations, the VTIMEZONE)
    new, single, old = [], [], []
    for _ in range(runs):
        new.append(_run(coordinator, cases, series, batch=True))
        single.append(_run(coordinator, cases, series, batch=False))
        with legacy.patched():
            old.append(_run(coordinator, cases, series, batch=False))

    def med(rows: list[dict[str, float]], key: str) -> float:
        return common.median([row[key] for row in rows])

    report = common.Report(f"Agenda, {CASES} cases x every partner of the region")
    build, publish = med(new, "build"), med(new, "publish")
    report.add(
        "build (16 cases ticked, one add)",
        common.ms(build),
        f"as it was {common.ms(med(old, 'build'))}",
        "<= 100 ms",
        build <= 0.100,
    )
    report.add(
        "  its queries",
        f"{med(new, 'build_queries'):.0f}",
        f"as it was {med(old, 'build_queries'):.0f}",
        "",
        None,
    )
    report.add(
        "build (16 adds one at a time)",
        common.ms(med(single, "build")),
        f"as it was {common.ms(med(old, 'build'))}",
        "",
        None,
    )
    report.add(
        "  its queries",
        f"{med(single, 'build_queries'):.0f}",
        f"as it was {med(old, 'build_queries'):.0f}",
        "",
        None,
    )
    report.add(
        "publish + fan-out",
        common.ms(publish),
        f"as it was {common.ms(med(old, 'publish'))}",
        "<= 1 s",
        publish <= 1.0,
    )
    report.add(
        "  its queries",
        f"{med(new, 'publish_queries'):.0f}",
        f"as it was {med(old, 'publish_queries'):.0f}",
        "",
        None,
    )
    report.notes.append(f"{med(new, 'emails'):.0f} e-mails per publication; {runs} runs each")
    report.print()


if __name__ == "__main__":
    main()
