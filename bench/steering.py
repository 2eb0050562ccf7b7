"""Benchmark of the figures: a region's dashboard for a year over the facts of many cases. Not a
test: it prints figures, each beside a baseline measured in the same run.

    python bench/steering.py                     # 1,000,000 cases, 25 regions, 60 months
    python bench/steering.py --regions 1         # all of them in one region
    python bench/steering.py --quick             # 20,000 cases: the size CI runs

It works in a throwaway database (Django's test database machinery: ``test_<name>``, created,
migrated and dropped again). The fact table is filled the way the services fill it, about 14
facts per case on average (a referral, a triage decision, status and safety-phase spells,
durations, agreements, escalations, meetings), with COPY on PostgreSQL. Then it measures, for one
region and the year 2025 (compared with 2024):

1. the dashboard's figures (``steering.selectors.region_dashboard``: the grouped query, the spells
   open at three month-ends, suppression);
2. the whole page as a policy officer gets it (HTTP through the middleware, charts, template, the
   audit event);

beside two baselines: the same dashboard of a region without facts (the fixed cost of the page),
and one plain scan of the whole fact table (what any figure computed by scanning would at least
cost).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

FIRST_YEAR, MONTHS = 2022, 60  # January 2022 to December 2026
COLUMNS = (
    "kind",
    "region_id",
    "month",
    "until_month",
    "category",
    "organisation_kind",
    "organisation_domain",
    "working_days",
    "amount",
    "count",
    "subject",
)
OUTCOMES = ["accept"] * 12 + ["advise"] * 4 + ["decline"] * 3 + ["acute_route"]
ENDED = {"advise": "advice_only", "decline": "declined", "acute_route": "acute_route"}
STATES = ["on_time"] * 14 + ["late"] * 3 + ["not_done", "not_possible", "open"]


def _month(index: int) -> date:
    return date(FIRST_YEAR + index // 12, index % 12 + 1, 1)


def _row(kind: str, region: int, m: int, **fields: Any) -> tuple[Any, ...]:
    until = fields.get("until")
    values = {
        "kind": kind,
        "region_id": region,
        "month": _month(m),
        "until_month": None if until is None or until >= MONTHS else _month(until),
        "category": fields.get("category", ""),
        "organisation_kind": fields.get("org", ""),
        "organisation_domain": fields.get("domain", ""),
        "working_days": fields.get("days"),
        "amount": fields.get("amount"),
        "count": 1,
        "subject": fields.get("subject"),
    }
    return tuple(values[c] for c in COLUMNS)


def _spells(
    kind: str, region: int, subject: uuid.UUID, steps: list[tuple[str, int, int]]
) -> Iterator[tuple[Any, ...]]:
    for category, start, until in steps:
        if start < MONTHS:
            yield _row(kind, region, start, until=until, category=category, subject=subject)


def case_facts(i: int, n: int, regions: list[int]) -> Iterator[tuple[Any, ...]]:
    """The facts of case *i* of *n*: deterministic, spread over the regions and 60 months."""
    region, m = regions[i % len(regions)], i * MONTHS // n
    subject = uuid.UUID(int=i + 1)
    vt = i % 3 == 0
    yield _row(
        "referral",
        region,
        m,
        category="repeat" if i % 8 == 0 else "new",
        org="veilig_thuis" if vt else "police",
        domain="social" if vt else "justice",
        amount=i % 4,
        subject=subject,
    )
    outcome = OUTCOMES[i % len(OUTCOMES)]
    yield _row("triage", region, m, category=outcome, days=i % 12, subject=subject)
    if outcome != "accept":
        yield from _spells("status", region, subject, [("referred", m, m), (ENDED[outcome], m, m)])
        return
    yield from _spells(
        "status",
        region,
        subject,
        [
            ("referred", m, m),
            ("intake", m, m + 1),
            ("plan", m + 1, m + 2),
            ("execution", m + 2, m + 6),
            ("follow_up", m + 6, m + 18),
            ("closed", m + 18, m + 18),
        ],
    )
    yield from _spells(
        "safety_phase",
        region,
        subject,
        [("1", m, m + 3), ("2", m + 3, m + 10), ("3", m + 10, m + 18)],
    )
    for kind, offset, days in (("plan", 1, 5 + i % 20), ("first_meeting", 1, 3 + i % 15)):
        if m + offset < MONTHS:
            yield _row(kind, region, m + offset, days=days, subject=subject)
    for k, offset in enumerate((1, 3, 6)):
        if m + offset < MONTHS:
            yield _row("case_discussed", region, m + offset, amount=15, subject=subject)
            state = STATES[(i + k) % len(STATES)]
            yield _row("agreement", region, m + offset, category=state, subject=subject)
    if m + 3 < MONTHS:
        rung = str(i % 5)
        yield _row("escalation", region, m + 3, category=rung, subject=subject)
        if i % 5 != 4:
            yield _row("escalation_ack", region, m + 3, category=rung, subject=subject)
    if i % 50 == 0 and m + 12 < MONTHS:
        yield _row("reopening", region, m + 12, category="repeat", subject=subject)


def _all_facts(n: int, regions: list[int]) -> Iterator[tuple[Any, ...]]:
    for i in range(n):
        yield from case_facts(i, n, regions)
    for region in regions:
        for m in range(MONTHS):
            for _week in range(4):
                yield _row("meeting_held", region, m, amount=16)


def load(n: int, regions: list[int]) -> int:
    """Fill the fact table; returns the number of facts."""
    from django.db import connection, transaction

    with transaction.atomic():
        return _copy(n, regions) if connection.vendor == "postgresql" else _insert(n, regions)


def _copy(n: int, regions: list[int]) -> int:
    from django.db import connection

    rows = 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            copy_sql = f"COPY mda_fact ({', '.join(COLUMNS)}) FROM STDIN"
            with cursor.cursor.copy(copy_sql) as copy:  # psycopg 3
                for row in _all_facts(n, regions):
                    copy.write_row(row)
                    rows += 1
            cursor.execute("ANALYZE mda_fact")
    return rows


def _insert(n: int, regions: list[int]) -> int:
    from django.db import connection

    rows = 0
    batch: list[tuple[Any, ...]] = []
    sql = f"INSERT INTO mda_fact ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
    with connection.cursor() as cursor:
        for row in _all_facts(n, regions):
            batch.append(tuple(str(v) if isinstance(v, uuid.UUID | date) else v for v in row))
            if len(batch) == 10_000:
                cursor.executemany(sql, batch)
                rows += len(batch)
                batch.clear()
        cursor.executemany(sql, batch)
        rows += len(batch)
        cursor.execute("ANALYZE")
    return rows


def _timed(fn: Callable[[], Any], runs: int) -> list[float]:
    seconds = []
    for _run in range(runs):
        start = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - start)
    return seconds


def ms(values: list[float]) -> str:
    return f"best {min(values) * 1000:7.1f} ms, median {statistics.median(values) * 1000:7.1f} ms"


def _policy_client(region: Any, suffix: str = "") -> Any:
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from mda.models import Domain, Membership, Organisation, OrganisationKind, Role, User

    organisation = Organisation.objects.create(
        region=region,
        name=f"Gemeente {region.name} {suffix}",
        slug=f"gemeente-{region.slug}{suffix}",
        domain=Domain.SOCIAL,
        kind=OrganisationKind.MUNICIPALITY,
    )
    user = User.objects.create(
        username=f"policy-{region.slug}{suffix}", email="policy@bench.invalid"
    )
    Membership.objects.create(user=user, organisation=organisation, role=Role.POLICY_OFFICER)
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def _run(args: argparse.Namespace, vendor: str) -> None:
    from django.db import connection

    from mda.models import Region
    from steering.periods import Period
    from steering.selectors import region_dashboard

    regions = [
        Region.objects.create(name=f"Bench {r:02d}", slug=f"bench-{r:02d}", households=150_000)
        for r in range(args.regions)
    ]
    empty = Region.objects.create(name="Bench empty", slug="bench-empty")
    target = regions[0]
    # Load the code and the templates once before the long fill, so the run measures this code.
    _get(_policy_client(empty), f"/figures/?period=2025&region={empty.slug}")
    start = time.perf_counter()
    rows = load(args.cases, [r.pk for r in regions])
    loaded = time.perf_counter() - start
    print(
        f"database: {vendor}; {args.cases:,} cases in {args.regions} region(s) over {MONTHS} "
        f"months: {rows:,} facts (loaded in {loaded:.0f} s); machine shared with other work"
    )
    per_region = args.cases // args.regions
    print(f"one region: {per_region:,} cases, {per_region // 5:,} a year")
    year = Period.parse("2025")
    # Signed in after the fill: sessions are short and the fill can outlast one.
    client, client_empty = _policy_client(target, "again"), _policy_client(empty, "again")
    figures = _timed(lambda: region_dashboard(target, year), args.runs)
    print(f"a region's year, figures (selectors):      {ms(figures)}", flush=True)
    fixed = _timed(lambda: region_dashboard(empty, year), args.runs)
    print(f"  baseline, a region without facts:        {ms(fixed)}", flush=True)
    page = _timed(lambda: _get(client, f"/figures/?period=2025&region={target.slug}"), args.runs)
    print(f"a region's year, the whole page (HTTP):    {ms(page)}", flush=True)
    fixed_page = _timed(
        lambda: _get(client_empty, f"/figures/?period=2025&region={empty.slug}"), args.runs
    )
    print(f"  baseline, the page of a region w/o facts:{ms(fixed_page)}", flush=True)
    with connection.cursor() as cursor:
        scan = _timed(
            lambda: cursor.execute("SELECT kind, COUNT(*) FROM mda_fact GROUP BY kind"), 3
        )
    print(f"baseline, one scan of the whole fact table:{ms(scan)}", flush=True)
    verdict = "yes" if statistics.median(page) < 1.0 else "NO"
    print(f"page under 1 s (median): {verdict}")


def _get(client: Any, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, response.status_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--regions", type=int, default=25)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="20,000 cases in 5 regions")
    args = parser.parse_args()
    if args.quick:
        args.cases, args.regions, args.runs = 20_000, 5, 3

    import django

    django.setup()
    from django.db import connection

    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        _run(args, connection.vendor)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
