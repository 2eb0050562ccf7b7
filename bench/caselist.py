"""The case list's first page for a professional and a coordinator. Not a test: it prints figures.

    DATABASE_URL=postgres://... python bench/caselist.py             # 1,000,000 cases
    DATABASE_URL=postgres://... python bench/caselist.py --quick

On the data of ``bench/data.py`` it times the first page (50 cases) as the API reads it (the
user's standing, the page, the access level of its rows), against the hand-written SQL of the same
page with the same joins (the floor; a second figure adds the hand-written read of the user's
memberships, which the floor is given for free), and against the list as it was (the level in the
filter, COUNT and OFFSET; cut off after 10 s). It also counts the queries of ``GET /api/v1/cases/``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import common, data

PAGE = 50
LEGACY_TIMEOUT_MS = 10_000

# What a row of the list shows: the case's reference, status, phase and date, its region, and its
# director's name and organisation (no referring organisation: the list does not show it).
COLUMNS = """c.id, c.reference, c.status, c.safety_phase, c.created_at, c.region_id, r.name, r.slug,
    u.first_name, u.last_name, u.username, d.name"""
JOINS = """JOIN mda_region r ON r.id = c.region_id
    LEFT JOIN mda_user u ON u.id = c.case_director_id
    LEFT JOIN mda_organisation d ON d.id = c.case_director_organisation_id"""
ACTIVE = """p.revoked_at IS NULL AND (p.expires_at IS NULL OR p.expires_at > now())"""


def _raw_sql(
    coordinated: list[int], organisations: list[int], regions: list[int]
) -> tuple[str, list[Any]]:
    """The page as one would write it by hand."""
    if coordinated:
        sql = f"""SELECT {COLUMNS}, 2 FROM casework_case c {JOINS}
            WHERE c.region_id IN ({_marks(coordinated)}) AND c.destroyed_at IS NULL
            ORDER BY c.created_at DESC, c.id DESC LIMIT {PAGE + 1}"""
        return sql, coordinated
    sql = f"""SELECT {COLUMNS},
          (SELECT max(p.level) FROM casework_participation p
           WHERE p.case_id = c.id AND p.organisation_id IN ({_marks(organisations)}) AND {ACTIVE})
        FROM casework_case c {JOINS}
        WHERE c.region_id IN ({_marks(regions)}) AND c.destroyed_at IS NULL AND EXISTS (
          SELECT 1 FROM casework_participation p
          WHERE p.case_id = c.id AND p.organisation_id IN ({_marks(organisations)}) AND {ACTIVE})
        ORDER BY c.created_at DESC, c.id DESC LIMIT {PAGE + 1}"""
    return sql, [*organisations, *regions, *organisations]


# What the page needs to know of the user before it can be written: their roles and where.
STANDING = """SELECT m.role, m.organisation_id, o.region_id FROM mda_membership m
    JOIN mda_organisation o ON o.id = m.organisation_id WHERE m.user_id = %s"""


def _marks(values: list[int]) -> str:
    return ", ".join(["%s"] * len(values))


def _raw(sql: str, params: list[Any]) -> list[Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _ours(user: Any) -> list[Any]:
    from casework import selectors
    from mda.memberships import memberships_read_once
    from mda.pagination import keyset_page

    with memberships_read_once():  # as in every request (MembershipsReadOnceMiddleware)
        cases = selectors.case_find(actor=user, filters=selectors.CaseFilters())
        page = keyset_page(cases, cursor=None, size=PAGE)
    return [(c.reference, c.access_level, c.region.name) for c in page.object_list]


def _legacy(user: Any) -> str:
    from django.core.paginator import Paginator
    from django.db import OperationalError, connection, transaction

    from bench.legacy.access import cases_visible_to

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL statement_timeout = {LEGACY_TIMEOUT_MS}")
            seconds = common.timed(
                lambda: list(Paginator(cases_visible_to(user), PAGE).get_page(1).object_list)
            )[0]
        return common.ms(seconds)
    except OperationalError:
        return f"> {LEGACY_TIMEOUT_MS / 1000:.0f} s"


def _api_queries(user: Any) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    client.get("/api/v1/cases/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/cases/").status_code == 200
    return len(queries)


def _persona(people: data.World, kind: str) -> tuple[Any, list[int], list[int], list[int]]:
    from mda.models import User

    region = people.regions[0]
    if kind == "coordinator":
        return User.objects.get(pk=people.coordinators[region][0]), [region], [], []
    police = next(o for o in people.orgs_by_region[region] if o.kind == "police")
    return User.objects.get(pk=police.professionals[0]), [], [police.id], [region]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--cases", type=int, default=data.FULL["cases"])
    parser.add_argument("--runs", type=int, default=41)
    args = parser.parse_args()
    common.setup(quick=args.quick)
    size = data.QUICK if args.quick else {"cases": args.cases, "agreements": args.cases}
    people = data.ensure(size["cases"], size["agreements"])
    runs = 5 if args.quick else args.runs
    report = common.Report(f"Case list, first page of {PAGE}, {size['cases']:,} cases")
    for kind in ("professional", "coordinator"):
        user, coordinated, organisations, regions = _persona(people, kind)
        sql, params = _raw_sql(coordinated, organisations, regions)
        assert len(_raw(sql, params)) == len(_ours(user)[:PAGE]) or len(_ours(user)) == PAGE
        ours, raw, standing = [], [], []
        for _ in range(runs):  # taking turns, so a neighbour's load hits both alike
            ours.append(common.timed(lambda: _ours(user))[0])  # noqa: B023
            raw.append(common.timed(lambda: _raw(sql, params))[0])  # noqa: B023
            standing.append(common.timed(lambda: _raw(STANDING, [user.pk]))[0])  # noqa: B023
        p95, raw_p95 = common.p95(ours), common.p95(raw)
        report.add(
            f"{kind}, p95",
            common.ms(p95),
            f"raw SQL {common.ms(raw_p95)}",
            "<= 50 ms",
            p95 <= 0.050,
        )
        ratio = common.median(ours) / common.median(raw)
        report.add("  median ratio to raw SQL", f"{ratio:.1f}x", "", "<= 3x", ratio <= 3)
        by_hand = common.median(raw) + common.median(standing)
        report.add(
            "  ... to raw SQL with the user's memberships",
            f"{common.median(ours) / by_hand:.1f}x",
            f"memberships {common.ms(common.median(standing))}",
            "",
            None,
        )
        report.add("  as it was (count + page)", _legacy(user), "", "", None)
        report.add("  queries of GET /api/v1/cases/", str(_api_queries(user)), "", "constant", None)
    report.notes.append(
        "the API's query count must be the same at every size: compare --quick with the full run"
    )
    report.print()


if __name__ == "__main__":
    main()
