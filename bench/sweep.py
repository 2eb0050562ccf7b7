"""Benchmark of the escalation sweep. Not a test: it prints figures.

    python bench/sweep.py                       # SQLite in MDA_VAR_DIR, or DATABASE_URL
    python bench/sweep.py --agreements 100000 --due 5000

It works in a throwaway database (Django's test database machinery: ``test_<name>``, created,
migrated and dropped again), so it never touches real data. It measures:

1. bulk-creating N open agreements (encrypted descriptions) due in the coming year;
2. a sweep with nothing due (the every-minute cost at rest), best and median of several runs;
3. reminders per second: M agreements made due, then one sweep claims them (insert rate) and the
   deliveries run in this process as a worker would (notice + in-app notification, one
   transaction each), and their e-mails are sent through Django's locmem backend;
4. a sweep with nothing new due while those M steps exist (the anti-join the sweep pays).

Broker publishing is switched off: the figures are database and Python work per reminder; a real
worker adds one broker round trip per 25 notices (DELIVERY_BATCH) and one per e-mail.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def _world() -> dict[str, Any]:
    from django.utils import timezone

    from casework.models import AccessLevel, Case, LegalBasis, Participation
    from mda import crypto
    from mda.models import Domain, Membership, Organisation, OrganisationKind, Region, Role, User

    region = Region.objects.create(name="Bench", slug="bench")
    team = Organisation.objects.create(
        region=region,
        name="Bench team",
        slug="team",
        domain=Domain.SOCIAL,
        kind=OrganisationKind.LOCAL_TEAM,
    )
    zvh = Organisation.objects.create(
        region=region,
        name="Bench ZVH",
        slug="zvh",
        domain=Domain.COORDINATION,
        kind=OrganisationKind.SAFETY_HOUSE,
    )
    owner = User.objects.create(username="bench-owner", email="owner@bench.invalid")
    coordinator = User.objects.create(username="bench-coordinator", email="c@bench.invalid")
    Membership.objects.create(user=owner, organisation=team, role=Role.PROFESSIONAL)
    Membership.objects.create(user=coordinator, organisation=zvh, role=Role.COORDINATOR)
    key = crypto.data_key_create()
    case = Case(
        id=uuid.uuid4(),
        reference="MDA-2026-9999",
        region=region,
        referring_organisation=team,
        referred_by=owner,
        data_key=key,
    )
    crypto.seal(case, "reason_ct", "bench", key)
    case.save()
    participation = Participation(
        case=case,
        organisation=team,
        level=AccessLevel.FULL,
        legal_basis=LegalBasis.CONVENANT,
        decided_by=coordinator,
        decided_at=timezone.now(),
    )
    crypto.seal(participation, "purpose_ct", "bench", key)
    crypto.seal(participation, "necessity_ct", "bench", key)
    participation.save()
    return {
        "region": region,
        "team": team,
        "owner": owner,
        "coordinator": coordinator,
        "case": case,
    }


def _create_agreements(world: dict[str, Any], count: int) -> None:
    from django.utils import timezone

    from casework.models import Agreement
    from mda import crypto

    today = timezone.localdate()
    case, key = world["case"], world["case"].data_key
    batch: list[Agreement] = []
    for n in range(count):
        agreement = Agreement(
            id=uuid.uuid4(),
            case=case,
            owner_organisation=world["team"],
            owner=world["owner"],
            due_date=today + timedelta(days=30 + n % 335),
            created_by=world["coordinator"],
        )
        crypto.seal(agreement, "description_ct", f"bench agreement {n}", key)
        batch.append(agreement)
        if len(batch) == 5000:
            Agreement.objects.bulk_create(batch)
            batch = []
    Agreement.objects.bulk_create(batch)


def _sweep_idle(runs: int) -> list[float]:
    from scheduling.services import escalations_claim_for_dispatch, escalations_sweep

    times = []
    for _ in range(runs):
        seconds, _r = _timed(lambda: (escalations_sweep(), escalations_claim_for_dispatch()))
        times.append(seconds)
    return times


def _make_due(count: int) -> None:
    from django.utils import timezone

    from casework.models import Agreement
    from mda.workdays import add_working_days

    # Due the next working day: exactly one step is due now, the reminder two working days before.
    tomorrow = add_working_days(timezone.localdate(), 1)
    ids = list(Agreement.objects.order_by("due_date").values_list("pk", flat=True)[:count])
    Agreement.objects.filter(pk__in=ids).update(due_date=tomorrow)


def _remind(due: int) -> dict[str, float]:
    from django.core import mail

    from mda.models import Notification
    from mda.notifications import notification_email
    from scheduling.services import (
        escalation_deliver,
        escalations_claim_for_dispatch,
        escalations_sweep,
    )

    claim_s, result = _timed(escalations_sweep)
    ids: list[Any] = []
    dispatch_s, _r = _timed(lambda: _drain(escalations_claim_for_dispatch, ids))
    deliver_s, outcomes = _timed(lambda: [escalation_deliver(notice_id=i) for i in ids])
    assert result.claimed == due and outcomes.count("sent") == due, (result, len(outcomes))
    mail.outbox = []
    pks = list(Notification.objects.values_list("pk", flat=True))
    email_s, _r = _timed(lambda: [notification_email(notification_id=pk) for pk in pks])
    assert len(mail.outbox) == due
    return {"claim": claim_s, "dispatch": dispatch_s, "deliver": deliver_s, "email": email_s}


def _drain(claim: Callable[[], list[Any]], into: list[Any]) -> None:
    while batch := claim():
        into.extend(batch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agreements", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    import mda.outbox

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mda.outbox.task_queue = lambda name, *args: True  # no broker: e-mails are sent in-process
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        _run(args, connection.vendor)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def _run(args: argparse.Namespace, vendor: str) -> None:
    from scheduling.services import ladder_of

    print(f"database: {vendor}; {args.agreements:,} open agreements, {args.due:,} made due")
    world = _world()
    ladder_of(world["region"])
    seconds, _r = _timed(lambda: _create_agreements(world, args.agreements))
    print(
        f"bulk_create of {args.agreements:,} agreements: {seconds:.1f} s "
        f"({args.agreements / seconds:,.0f}/s)"
    )
    idle = _sweep_idle(args.runs)
    print(
        f"sweep, nothing due:              best {idle_ms(min(idle))}, "
        f"median {idle_ms(statistics.median(idle))} ({args.runs} runs)"
    )
    _make_due(args.due)
    t = _remind(args.due)
    total = t["claim"] + t["dispatch"] + t["deliver"]
    print(
        f"sweep claiming {args.due:,} due steps:    {t['claim']:.2f} s "
        f"({args.due / t['claim']:,.0f} claims/s)"
    )
    print(f"marking them queued:             {t['dispatch']:.2f} s")
    print(
        f"delivering them (one process):   {t['deliver']:.2f} s "
        f"({args.due / t['deliver']:,.0f} reminders/s)"
    )
    print(f"reminders per second, end to end without the broker: {args.due / total:,.0f}")
    print(
        f"their e-mails (locmem backend):  {t['email']:.2f} s "
        f"({args.due / t['email']:,.0f} e-mails/s)"
    )
    after = _sweep_idle(args.runs)
    print(
        f"sweep, nothing new due, {args.due:,} steps sent: best {idle_ms(min(after))}, "
        f"median {idle_ms(statistics.median(after))}"
    )


def idle_ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


if __name__ == "__main__":
    main()
