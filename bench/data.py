"""Realistic data for the benchmarks, written with PostgreSQL COPY in the shape the models give.

25 regions of 12 organisations (one of every kind: 300 in all), with coordinators, a chair and a
team lead at the safety house and eight professionals and a team lead at every partner. Each case
has its own data key (wrapped by the real master key) and an encrypted reason; 3-8 partner
organisations take part in it after a weegmoment (level 2 mostly, some 1 and 0; a few revoked).
Open agreements are owned by one of the case's partners at level >= 1 and one of its eight
professionals, due in the coming year; a small backlog is overdue with every step of the ladder
already sent (so a sweep finds nothing new, as at rest). Everything is deterministic (seeded).

    python bench/data.py --cases 1000000 --agreements 1000000   # about 15 minutes on 2 cores
    python bench/data.py --quick

The build is recorded in ``bench_build``; a benchmark asks for a size and reuses the data when it
is there already.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import common
from mda.workdays import work_calendar

REGIONS = 25
PROFESSIONALS_PER_PARTNER = 8
COORDINATORS_PER_REGION = 3
CHUNK = 20_000
OVERDUE_SHARE = 0.005
QUICK = {"cases": 3_000, "agreements": 3_000}
FULL = {"cases": 1_000_000, "agreements": 1_000_000}

KINDS = [
    ("safety_house", "coordination", "ZVH"),
    ("veilig_thuis", "social", "Veilig Thuis"),
    ("local_team", "social", "Lokaal team"),
    ("police", "justice", "Politie"),
    ("prosecution", "justice", "OM"),
    ("probation", "justice", "Reclassering"),
    ("child_protection_board", "justice", "Raad voor de Kinderbescherming"),
    ("mental_health", "care", "GGZ"),
    ("addiction_care", "care", "Verslavingszorg"),
    ("youth_protection", "care", "Jeugdbescherming"),
    ("shelter", "care", "Vrouwenopvang"),
    ("municipality", "social", "Gemeente"),
]
OPEN_STATUSES = ["intake", "plan", "execution", "follow_up", "reopened"]
DONE_STATUSES = ["closed", "declined", "advice_only"]


@dataclass
class Org:
    id: int
    region_id: int
    kind: str
    professionals: list[int]


@dataclass
class World:
    regions: list[int]
    orgs_by_region: dict[int, list[Org]]  # partners only (no safety house)
    zvh_by_region: dict[int, Org]
    coordinators: dict[int, list[int]]  # region -> user ids
    chairs: dict[int, int]


def _copy(cursor: Any, table: str, columns: list[str], rows: Iterable[tuple[Any, ...]]) -> int:
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def built_size() -> tuple[int, int] | None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_build (cases int, agreements int)")
        cursor.execute("SELECT cases, agreements FROM bench_build")
        row = cursor.fetchone()
    return (int(row[0]), int(row[1])) if row else None


def ensure(cases: int, agreements: int) -> World:
    """The world with *cases* cases and *agreements* open agreements, built when it is not, or
    when it was built under other keys (a database kept while ``var/`` was made anew: its data
    keys would not unwrap, its seals and blind indexes would not match)."""
    if built_size() != (cases, agreements) or built_keys() != keys_fingerprint():
        if built_size() is not None:
            print("the kept benchmark data is of another size or other keys: building it again")
        build(cases, agreements)
    return world()


# Raised when the way the data is built changes, so that data kept from before is built again
# (2: fields sealed with the associated data ``mda.crypto.decrypt`` checks; version 1 left out the
# length of the data key's id, so its fields did not decrypt).
BUILD_VERSION = 2


def keys_fingerprint() -> str:
    """A digest of this run's master, blind-index and audit keys (never the keys themselves) and
    of ``BUILD_VERSION``."""
    import hashlib

    from django.conf import settings

    keys = (settings.MDA_MASTER_KEYS, settings.MDA_BLIND_INDEX_KEY, settings.MDA_AUDIT_KEY)
    return hashlib.sha256(repr((keys, BUILD_VERSION)).encode()).hexdigest()


def built_keys() -> str | None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_keys (fingerprint text)")
        cursor.execute("SELECT fingerprint FROM bench_keys")
        row = cursor.fetchone()
    return str(row[0]) if row else None


def build(cases: int, agreements: int) -> None:
    from django.db import connection, transaction

    started = time.perf_counter()
    print(f"building {cases:,} cases and {agreements:,} open agreements ...", flush=True)
    from mda.models import Region

    if built_size() is not None or Region.objects.exists():
        common.recreate_database()
    rng = random.Random(20261203)
    with transaction.atomic():
        _people(rng)
    from scheduling.services import ladder_of

    people = world()
    for region_id in people.regions:
        ladder_of(region_id)
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE casework_participation SET UNLOGGED")
    try:
        for start in range(0, cases, CHUNK):
            with transaction.atomic(), connection.cursor() as cursor:
                _chunk(
                    cursor.cursor, people, rng, start, min(cases, start + CHUNK), cases, agreements
                )
            if start and start % (CHUNK * 10) == 0:
                print(f"  {start:,} cases ({time.perf_counter() - started:.0f} s)", flush=True)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE casework_participation SET LOGGED")
    _history_of_overdue()
    built_size()  # creates the table
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_build VALUES (%s, %s)", [cases, agreements])
    built_keys()  # creates the table
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_keys VALUES (%s)", [keys_fingerprint()])
    _analyze()
    print(f"built in {time.perf_counter() - started:.0f} s", flush=True)


def _analyze() -> None:
    """Statistics, and the visibility map a server at rest has: right after a bulk load no page
    is marked all-visible, so index-only scans read the heap and the first reads set hint bits,
    and the first benchmark after a build measures that instead of the queries (an idle sweep at
    1,000,000 agreements: 53 ms right after the build, 27-45 ms once autovacuum had passed)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")


# --- Regions, organisations and people -------------------------------------------------------


def _people(rng: random.Random) -> None:
    from mda.models import Membership, Organisation, Region, Role, User

    now = _now()
    users: list[User] = []
    roles: list[tuple[int, int, str]] = []  # (index into users, org id, role)

    def person(name: str, org: Organisation, role: str) -> None:
        users.append(
            User(username=name, email=f"{name}@bench.invalid", password="!", date_joined=now)
        )
        roles.append((len(users) - 1, org.pk, role))

    for r in range(1, REGIONS + 1):
        region = Region.objects.create(name=f"Bench region {r:02d}", slug=f"bench-{r:02d}")
        for kind, domain, label in KINDS:
            org = Organisation.objects.create(
                region=region,
                name=f"{label} {r:02d}",
                slug=f"{kind}-{r:02d}",
                domain=domain,
                kind=kind,
                email=f"{kind}-{r:02d}@bench.invalid",
            )
            prefix = f"r{r:02d}-{kind}"
            if kind == "safety_house":
                for n in range(COORDINATORS_PER_REGION):
                    person(f"{prefix}-coordinator-{n}", org, Role.COORDINATOR)
                person(f"{prefix}-chair", org, Role.CHAIR)
                person(f"{prefix}-privacy", org, Role.PRIVACY_OFFICER)
            else:
                for n in range(PROFESSIONALS_PER_PARTNER):
                    person(f"{prefix}-professional-{n}", org, Role.PROFESSIONAL)
            person(f"{prefix}-teamlead", org, Role.ESCALATION_OFFICIAL)
    created = User.objects.bulk_create(users)
    Membership.objects.bulk_create(
        Membership(user_id=created[i].pk, organisation_id=org_id, role=role)
        for i, org_id, role in roles
    )


def world() -> World:
    """The built world, read back (ids only)."""
    from mda.models import Membership, Organisation, Role

    result = World([], {}, {}, {}, {})
    orgs: dict[int, Org] = {}
    for org in Organisation.objects.order_by("region_id", "pk"):
        holder = Org(org.pk, org.region_id, org.kind, [])
        orgs[org.pk] = holder
        if org.region_id not in result.orgs_by_region:
            result.regions.append(org.region_id)
            result.orgs_by_region[org.region_id] = []
            result.coordinators[org.region_id] = []
        if org.kind == "safety_house":
            result.zvh_by_region[org.region_id] = holder
        else:
            result.orgs_by_region[org.region_id].append(holder)
    for m in Membership.objects.order_by("user_id").values("user_id", "organisation_id", "role"):
        member_of = orgs[m["organisation_id"]]
        if m["role"] == Role.PROFESSIONAL:
            member_of.professionals.append(m["user_id"])
        elif m["role"] == Role.COORDINATOR:
            result.coordinators[member_of.region_id].append(m["user_id"])
        elif m["role"] == Role.CHAIR:
            result.chairs[member_of.region_id] = m["user_id"]
    return result


# --- Cases, participations, agreements --------------------------------------------------------


def _now() -> datetime:
    from django.utils import timezone

    return timezone.now().replace(microsecond=0)


def _chunk(
    cursor: Any,
    people: World,
    rng: random.Random,
    start: int,
    end: int,
    total: int,
    agreements: int,
) -> None:
    from mda import crypto

    keyring = crypto.master_keyring()
    version = keyring.newest_version
    now = _now()
    span = timedelta(days=5 * 365)
    keys, cases, parts, agrs = [], [], [], []
    today = now.date()
    for i in range(start, end):
        region_id = people.regions[i % REGIONS]
        partners = people.orgs_by_region[region_id]
        coordinator = people.coordinators[region_id][i % COORDINATORS_PER_REGION]
        created = now - span * ((total - i) / total)
        raw, key_id, case_id = _random_key(rng), uuid.UUID(int=rng.getrandbits(128)), _uuid(rng)
        keys.append((key_id, crypto._wrap(raw, key_id, version, keyring), version, created))
        chosen = rng.sample(partners, rng.randint(3, 8))
        referrer = chosen[0]
        status = _status(rng, i, total)
        reason = _seal(raw, key_id, "casework_case", "reason_ct", case_id, "Reden van aanmelding")
        number = i // REGIONS + 1
        cases.append(
            (
                case_id,
                f"MDA-{created.year}-{number:06d}",
                status,
                reason,
                created,
                created,
                key_id,
                rng.choice(referrer.professionals),
                referrer.id,
                region_id,
            )
        )
        owners = []
        for n, org in enumerate(chosen):
            level = 2 if n == 0 else rng.choices([2, 1, 0], [70, 25, 5])[0]
            revoked = n > 0 and rng.random() < 0.03
            part_id = _uuid(rng)
            parts.append(
                (
                    part_id,
                    level,
                    "referral" if n == 0 else "convenant",
                    _part_seal(raw, key_id, "purpose_ct", part_id, "Samenwerking in de casus"),
                    _part_seal(
                        raw, key_id, "necessity_ct", part_id, "Noodzakelijk voor de veiligheid"
                    ),
                    created,
                    None,
                    created + timedelta(days=30) if revoked else None,
                    case_id,
                    coordinator,
                    org.id,
                    coordinator if revoked else None,
                )
            )
            if level >= 1 and not revoked:
                owners.append(org)
        for _n in range(agreements * (i + 1) // total - agreements * i // total):
            org = rng.choice(owners)
            agreement_id = _uuid(rng)
            overdue = rng.random() < OVERDUE_SHARE
            due = (
                today - timedelta(days=rng.randint(1, 60))
                if overdue
                else (today + timedelta(days=rng.randint(30, 365)))
            )
            text = _seal(
                raw,
                key_id,
                "casework_agreement",
                "description_ct",
                agreement_id,
                "Afspraak: huisbezoek en terugkoppeling aan de regisseur",
            )
            agrs.append(
                (
                    agreement_id,
                    text,
                    due,
                    "open",
                    "ad_hoc",
                    0,
                    created,
                    created,
                    case_id,
                    coordinator,
                    rng.choice(org.professionals),
                    org.id,
                )
            )
    _copy(cursor, "mda_datakey", ["id", "wrapped_key", "master_key_version", "created_at"], keys)
    _copy(
        cursor,
        "casework_case",
        [
            "id",
            "reference",
            "status",
            "reason_ct",
            "created_at",
            "updated_at",
            "data_key_id",
            "referred_by_id",
            "referring_organisation_id",
            "region_id",
        ],
        cases,
    )
    _copy(
        cursor,
        "casework_participation",
        [
            "id",
            "level",
            "legal_basis",
            "purpose_ct",
            "necessity_ct",
            "decided_at",
            "expires_at",
            "revoked_at",
            "case_id",
            "decided_by_id",
            "organisation_id",
            "revoked_by_id",
        ],
        parts,
    )
    _copy(
        cursor,
        "casework_agreement",
        [
            "id",
            "description_ct",
            "due_date",
            "status",
            "origin",
            "ladder_round",
            "created_at",
            "updated_at",
            "case_id",
            "created_by_id",
            "owner_id",
            "owner_organisation_id",
        ],
        agrs,
    )


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _random_key(rng: random.Random) -> bytes:
    return rng.getrandbits(256).to_bytes(32, "big")


def _status(rng: random.Random, i: int, total: int) -> str:
    if i > total - total // 50:
        return rng.choice(["referred", "triage"])
    return rng.choice(OPEN_STATUSES if rng.random() < 0.6 else DONE_STATUSES)


def _part_seal(raw: bytes, key_id: uuid.UUID, column: str, row_id: Any, text: str) -> bytes:
    return _seal(raw, key_id, "casework_participation", column, row_id, text)


def _seal(raw: bytes, key_id: uuid.UUID, table: str, column: str, row_id: Any, text: str) -> bytes:
    import os

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from mda import crypto

    nonce = os.urandom(12)
    aad = crypto.field_aad(crypto.data_key_aad(key_id), table, column, str(row_id))
    sealed = AESGCM(raw).encrypt(nonce, text.encode(), aad)
    return bytes([1]) + key_id.bytes + nonce + sealed


# --- The history of the overdue backlog -------------------------------------------------------


def _history_of_overdue() -> None:
    """Every step already due for an overdue agreement was sent (as after months of running)."""
    from django.db import connection

    from casework.models import Agreement
    from scheduling.models import Rung
    from scheduling.timing import rung_due_at

    now = _now()
    rungs: dict[int, list[Rung]] = {}
    for rung in Rung.objects.select_related("ladder").filter(active=True):
        rungs.setdefault(rung.ladder.region_id, []).append(rung)
    overdue = Agreement.objects.filter(status="open", due_date__lt=now.date()).values_list(
        "pk", "case_id", "case__region_id", "due_date"
    )
    moments: dict[tuple[date, int, Any, int], datetime] = {}

    def rows() -> Iterator[tuple[Any, ...]]:
        for agreement_id, case_id, region_id, due in list(overdue):
            for rung in rungs[region_id]:
                key = (due, rung.offset_working_days, rung.ladder.send_time, region_id)
                if key not in moments:
                    moments[key] = rung_due_at(
                        due, key[1], key[2], calendar=work_calendar(region_id)
                    )
                if moments[key] <= now:
                    yield (
                        uuid.uuid4(),
                        case_id,
                        agreement_id,
                        0,
                        rung.pk,
                        rung.number,
                        rung.name,
                        rung.name_en,
                        False,
                        moments[key],
                        due,
                        "sent",
                        moments[key],
                        moments[key],
                        0,
                        moments[key],
                    )

    notices = list(rows())  # before COPY: the connection runs nothing else meanwhile
    with connection.cursor() as cursor:
        count = _copy(
            cursor.cursor,
            "scheduling_escalationnotice",
            [
                "id",
                "case_id",
                "agreement_id",
                "ladder_round",
                "rung_id",
                "rung_number",
                "rung_name",
                "rung_name_en",
                "manual",
                "due_at",
                "agreement_due_date",
                "status",
                "created_at",
                "queued_at",
                "attempts",
                "sent_at",
            ],
            notices,
        )
    print(f"  {count:,} notices already sent for the overdue backlog")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=FULL["cases"])
    parser.add_argument("--agreements", type=int, default=FULL["agreements"])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    common.setup(quick=args.quick)
    size = QUICK if args.quick else {"cases": args.cases, "agreements": args.agreements}
    build(size["cases"], size["agreements"])


if __name__ == "__main__":
    main()
