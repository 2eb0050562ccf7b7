"""Benchmark of the audit trail. Not a test: it prints figures, each beside a baseline of this run.

    python bench/audit.py            # DATABASE_URL (PostgreSQL), else SQLite in MDA_VAR_DIR
    python bench/audit.py --quick    # small sizes, for CI: proves it runs, asserts no timing

It works in a throwaway database (Django's test database machinery: ``test_<name>``, created,
migrated and dropped again), so it never touches real data. It measures:

1. audit appends per second with 1, 4 and 16 writers (processes, each append its own
   transaction, as a request's one event is), beside the old design's global chain lock
   (``pg_advisory_xact_lock`` held to commit), emulated on the same code path. Goal: at least
   2,000/s at 4 writers, rising with writers;
2. verification in events per minute: one process beside ``verify_audit``'s parallel ranges (one
   process per core). Goal: at least 1,000,000 a minute;
3. case-detail throughput (GET /api/v1/cases/{id}/ with 10 notes: access policy, decryption, the
   one audit event, the request's transaction) beside a bare DRF detail view of the same rows
   (the same rows and decryption, the same response, no policy, no audit), both through the
   whole middleware stack in this process. Goal: at least 0.5x.

Timings on a shared machine vary: run it a few times and take the median.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import time
import types
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

BENCH_URLS = "bench_audit_urls"


# --- The world --------------------------------------------------------------------------------


def _world() -> dict[str, Any]:
    from django.utils import timezone

    from casework.models import AccessLevel, Case, HouseholdMember, LegalBasis, Note, Participation
    from mda import crypto
    from mda.models import Domain, Membership, Organisation, OrganisationKind, Region, Role, User
    from mda.services import api_token_issue

    region = Region.objects.create(name="Bench", slug="bench")
    team = Organisation.objects.create(
        region=region,
        name="Bench team",
        slug="team",
        domain=Domain.SOCIAL,
        kind=OrganisationKind.LOCAL_TEAM,
    )
    user = User.objects.create(username="bench-worker", email="w@bench.invalid")
    Membership.objects.create(user=user, organisation=team, role=Role.PROFESSIONAL)
    key = crypto.data_key_create()
    case = Case(
        id=uuid.uuid4(),
        reference="MDA-2026-9999",
        region=region,
        referring_organisation=team,
        referred_by=user,
        data_key=key,
    )
    crypto.seal(case, "reason_ct", "bench reason", key)
    case.save()
    participation = Participation(
        case=case,
        organisation=team,
        level=AccessLevel.FULL,
        legal_basis=LegalBasis.CONVENANT,
        decided_by=user,
        decided_at=timezone.now(),
    )
    crypto.seal(participation, "purpose_ct", "bench", key)
    crypto.seal(participation, "necessity_ct", "bench", key)
    participation.save()
    HouseholdMember.objects.create(case=case, role="victim", label="moeder")
    for number in range(10):
        note = Note(id=uuid.uuid4(), case=case, author=user, author_organisation=team)
        crypto.seal(note, "body_ct", f"note {number} " + "x" * 400, key)
        note.save()
    _token, raw = api_token_issue(user=user, name="bench")
    return {"user": user, "case": case, "token": raw}


# --- 1. Appends -------------------------------------------------------------------------------


def _writer(
    user_id: int, case_pk: Any, global_lock: bool, seconds: float, ready: Any, counts: Any
) -> None:
    """A writer process: connect and load, wait for the others, then append for *seconds*.

    As in a request, the event takes the actor's organisation and role from the memberships the
    access check has already read (``mda.memberships``): the append itself reads nothing."""
    from django.db import connection, transaction

    from casework.models import Case
    from mda.audit import audit_record
    from mda.memberships import memberships_held, memberships_read_once
    from mda.models import User

    user = User.objects.get(pk=user_id)
    case = Case.objects.select_related("region").get(pk=case_pk)
    done = 0
    try:
        with memberships_read_once():
            memberships_held(user)
            ready.wait()
            stop_at = time.perf_counter() + seconds
            while time.perf_counter() < stop_at:
                with transaction.atomic():
                    if global_lock:  # the old design: one lock for the chain, held to commit
                        with connection.cursor() as cursor:
                            cursor.execute("SELECT pg_advisory_xact_lock(75130001)")
                            cursor.execute("SELECT max(id) FROM mda_auditevent")
                    audit_record(
                        actor=user,
                        action="view",
                        object_type="case",
                        object_id=str(case.pk),
                        case=case,
                        detail={"level": 2},
                    )
                done += 1
    finally:
        connection.close()
    counts.put(done)


def _appends_per_second(world: dict[str, Any], writers: int, seconds: float, lock: bool) -> float:
    from django.db import connections

    connections.close_all()  # the forked writers open their own
    context = multiprocessing.get_context("fork")
    ready, counts = context.Barrier(writers + 1), context.Queue()
    args = (world["user"].pk, world["case"].pk, lock, seconds, ready, counts)
    processes = [context.Process(target=_writer, args=args) for _ in range(writers)]
    for process in processes:
        process.start()
    ready.wait()  # every writer is connected: the clock starts now, in each of them
    total = sum(counts.get(timeout=seconds + 120) for _ in processes)
    for process in processes:
        process.join()
    return total / seconds


# --- 2. Verification --------------------------------------------------------------------------


def _fill(count: int, user_id: int) -> None:
    """*count* sealed events, appended in batches (as many requests would, faster)."""
    from django.utils import timezone

    from mda.audit import _append, audit_seal_all
    from mda.models import AuditEvent

    batch = 2000
    for start in range(0, count, batch):
        events = [
            AuditEvent(
                occurred_at=timezone.now(),
                user_id=user_id,
                username="bench-worker",
                organisation_name="Bench team",
                role="professional",
                action="view",
                object_type="case",
                object_id=str(number),
                case_reference="MDA-2026-9999",
                region_slug="bench",
                detail={"level": 2, "note_ids": [str(number), str(number + 1)]},
            )
            for number in range(start, min(start + batch, count))
        ]
        _append(events)
    audit_seal_all(limit=20_000, rounds=10_000)


def _verify_per_minute(workers: int) -> tuple[float, int]:
    from mda.audit_verify import audit_verify

    started = time.perf_counter()
    result = audit_verify(workers=workers)
    seconds = time.perf_counter() - started
    assert result.ok, result.problem
    return result.checked / seconds * 60, result.checked


# --- 3. Case detail ---------------------------------------------------------------------------


def _bare_urls() -> None:
    """A bare DRF detail of the same rows beside the real URLs, in a module of its own."""
    from django.urls import include, path
    from rest_framework import serializers
    from rest_framework.response import Response
    from rest_framework.views import APIView

    from casework.models import Case
    from mda import crypto

    class NoteOut(serializers.Serializer):
        id = serializers.UUIDField()
        author_organisation = serializers.CharField()
        author = serializers.CharField()
        visibility = serializers.CharField()
        created_at = serializers.DateTimeField()
        body = serializers.CharField()

    class ParticipantOut(serializers.Serializer):
        id = serializers.UUIDField()
        organisation = serializers.CharField()
        level = serializers.IntegerField()
        legal_basis = serializers.CharField()
        decided_at = serializers.DateTimeField()
        purpose = serializers.CharField()
        necessity = serializers.CharField()

    class BareCase(APIView):
        """What the real detail reads and returns for this user, without policy and audit."""

        def get(self, request: Any, pk: Any) -> Response:
            case = Case.objects.select_related("region", "referring_organisation", "data_key").get(
                pk=pk
            )
            key = case.data_key
            participants = [
                {
                    "id": p.pk,
                    "organisation": p.organisation.name,
                    "level": p.level,
                    "legal_basis": p.legal_basis,
                    "decided_at": p.decided_at,
                    "purpose": crypto.unseal(p, "purpose_ct", key),
                    "necessity": crypto.unseal(p, "necessity_ct", key),
                }
                for p in case.participations.select_related("organisation").order_by("decided_at")
            ]
            notes = [
                {
                    "id": n.pk,
                    "author_organisation": n.author_organisation.name,
                    "author": n.author.get_full_name(),
                    "visibility": n.visibility,
                    "created_at": n.created_at,
                    "body": crypto.unseal(n, "body_ct", key),
                }
                for n in case.notes.select_related("author", "author_organisation").order_by(
                    "created_at"
                )
            ]
            members = [{"role": m.role, "label": m.label} for m in case.members.all()]
            return Response(
                {
                    "id": str(case.pk),
                    "reference": case.reference,
                    "region": case.region.slug,
                    "status": case.status,
                    "created_at": case.created_at,
                    "referring_organisation": case.referring_organisation.name,
                    "participants": ParticipantOut(participants, many=True).data,
                    "reason": crypto.unseal(case, "reason_ct", key),
                    "members": members,
                    "notes": NoteOut(notes, many=True).data,
                }
            )

    module = types.ModuleType(BENCH_URLS)
    module.urlpatterns = [  # type: ignore[attr-defined]
        path("bare/<uuid:pk>/", BareCase.as_view()),
        path("", include("config.urls")),
    ]
    sys.modules[BENCH_URLS] = module


def _requests_per_second(client: Any, url: str, token: str, seconds: float) -> float:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get(url, **headers).status_code == 200
    done, stop_at = 0, time.perf_counter() + seconds
    while time.perf_counter() < stop_at:
        response = client.get(url, **headers)
        assert response.status_code == 200, response.content[:200]
        done += 1
    return done / seconds


# --- Running ----------------------------------------------------------------------------------


def _median(runs: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(runs))


def _run(args: argparse.Namespace, vendor: str) -> None:
    from django.conf import settings
    from django.test import Client

    seconds = 1.0 if args.quick else args.seconds
    runs = 1 if args.quick else args.runs
    world = _world()
    print(f"database: {vendor}; {os.cpu_count()} cores; median of {runs} run(s) of {seconds:g} s")

    print("\n1. audit appends per second (each its own transaction)")
    for writers in (1, 4, 16):
        new = _median(runs, partial(_appends_per_second, world, writers, seconds, False))
        line = f"   {writers:>2} writers: {new:>8,.0f}/s"
        if vendor == "postgresql":
            old = _median(runs, partial(_appends_per_second, world, writers, seconds, True))
            line += f"   baseline, one global chain lock held to commit: {old:>8,.0f}/s"
        print(line)

    events = 5_000 if args.quick else args.events
    print(f"\n2. verification of {events:,} sealed events (plus those above)")
    _fill(events, world["user"].pk)
    serial, checked = _verify_per_minute(1)
    workers = max(2, os.cpu_count() or 1)
    parallel, _checked = _verify_per_minute(workers)
    print(f"   {workers} processes: {parallel:>12,.0f} events/min   goal 1,000,000")
    print(f"   baseline, 1 process: {serial:>10,.0f} events/min   ({checked:,} events)")

    print("\n3. case detail with 10 notes, requests per second in one process")
    _bare_urls()
    settings.ROOT_URLCONF = BENCH_URLS
    client, case, token = Client(), world["case"], world["token"]
    real = _median(
        runs, lambda: _requests_per_second(client, f"/api/v1/cases/{case.pk}/", token, seconds)
    )
    bare = _median(runs, lambda: _requests_per_second(client, f"/bare/{case.pk}/", token, seconds))
    print(f"   GET /api/v1/cases/{{id}}/: {real:>7,.0f}/s   ({real / bare:.2f}x, goal >= 0.5x)")
    print(f"   baseline, bare DRF detail of the same rows: {bare:>7,.0f}/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (CI): runs, no goals")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each timed run")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (the median)")
    parser.add_argument("--events", type=int, default=200_000, help="events to verify")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    settings.ALLOWED_HOSTS = ["*"]
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        _run(args, connection.vendor)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
