from __future__ import annotations

import base64
import importlib
import io
import json
import os
import threading
import typing
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from pytest_django import Settings

from mda.audit import (
    GENESIS_HASH,
    ID_BLOCK,
    AuditContextMiddleware,
    _id_blocks,
    audit_collect,
    audit_record,
    audit_seal,
    audit_seal_all,
    chain_head,
    check_audit_key,
    event_mac,
    seal_hash,
)
from mda.audit_verify import (
    audit_anchor,
    audit_verify,
    latest_anchor,
    missing_triggers,
    start_anchoring,
)
from mda.models import AuditAction, AuditEvent, AuditEventCase, AuditSeal, User
from tests.conftest import Cast, require_postgresql
from tests.factories import MembershipFactory, RegionFactory, UserFactory

pytestmark = pytest.mark.django_db
TRIGGERS = importlib.import_module("mda.migrations.0005_audit_seals").TRIGGERS


def record(n: int = 1, **fields: object) -> list[AuditEvent]:
    fields = {"actor": None, "action": AuditAction.VIEW, "object_type": "case", **fields}
    return [audit_record(**fields) for _ in range(n)]  # type: ignore[arg-type]


def recorded_and_sealed(n: int) -> list[AuditEvent]:
    events = record(n)
    assert audit_seal() == n
    return events


def raw(sql: str, params: Sequence[Any] = ()) -> None:
    """Run *sql* in a savepoint, so a refusal does not break the test's transaction."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@contextmanager
def triggers_lifted() -> Iterator[None]:
    """What an attacker with the owner's rights could do: drop the append-only triggers.

    The test's own transaction is rolled back afterwards, so this never outlives the test.
    """
    triggers = TRIGGERS[connection.vendor]
    for statement in triggers.drop:
        raw(statement)
    try:
        yield
    finally:
        for statement in triggers.create:
            raw(statement)


def case_in(region_slug: str = "noord", reference: str = "MDA-2026-0001") -> Any:
    return SimpleNamespace(reference=reference, region=SimpleNamespace(slug=region_slug))


# --- Recording ----------------------------------------------------------------------------------


def test_a_recorded_event_carries_a_mac_of_its_columns_and_waits_for_its_seal() -> None:
    (event,) = record()

    stored = AuditEvent.objects.values().get(pk=event.pk)
    assert stored["mac"] == event_mac(stored)
    assert not AuditSeal.objects.exists()
    result = audit_verify()
    assert (result.ok, result.checked, result.pending) == (True, 0, 1), result.problem


def test_sealing_chains_events_at_dense_positions_each_to_the_one_before() -> None:
    first, second = record(2)

    assert audit_seal() == 2

    seals = list(AuditSeal.objects.order_by("position"))
    assert [(s.position, s.event_id) for s in seals] == [(1, first.pk), (2, second.pk)]
    assert seals[0].prev_hash == GENESIS_HASH
    assert seals[1].prev_hash == seals[0].hash
    assert seals[1].hash == seal_hash(seals[0].hash, 2, second.pk, second.mac)
    assert audit_seal() == 0  # nothing left
    result = audit_verify()
    assert (result.ok, result.checked, result.pending, result.head_id) == (True, 2, 0, second.pk)


def test_sealing_in_batches_continues_where_it_stopped() -> None:
    record(5)

    assert audit_seal(limit=2) == 2
    assert audit_seal_all(limit=2) == 3
    assert chain_head().position == 5
    assert audit_verify().ok


def test_an_event_holds_who_did_what_where_as_metadata(cast: Cast) -> None:
    event = audit_record(
        actor=cast.police.user,
        action=AuditAction.VIEW,
        object_type="case",
        object_id="42",
        case=SimpleNamespace(reference="MDA-2026-0001", region=cast.north),
        detail={"level": 2, "note_ids": ["a", "b"]},
    )

    event.refresh_from_db()
    assert (event.user_id, event.username) == (cast.police.user.pk, "police")
    assert event.organisation_name == "Politie Noord"
    assert event.organisation_id_snapshot == cast.orgs["police"].pk
    assert event.role == "professional"
    assert (event.case_reference, event.region_slug) == ("MDA-2026-0001", "noord")
    assert event.detail == {"level": 2, "note_ids": ["a", "b"]}


def test_organisation_and_role_stay_empty_when_the_actor_has_several_memberships() -> None:
    user = typing.cast(User, UserFactory())
    MembershipFactory(user=user)
    MembershipFactory(user=user)

    event = audit_record(actor=user, action=AuditAction.LOGIN)

    assert (event.organisation_name, event.role) == ("", "")


def test_a_given_organisation_takes_the_actors_role_there(cast: Cast) -> None:
    event = audit_record(
        actor=cast.coordinator.user, action=AuditAction.CREATE, organisation=cast.orgs["zvh"]
    )

    assert (event.organisation_name, event.role) == ("ZVH Noord", "coordinator")


@pytest.mark.parametrize(
    "fields",
    [
        {"action": "peek"},
        {"action": "view", "case": case_in(reference="x" * 33)},
    ],
)
def test_an_unknown_action_or_an_overlong_field_is_refused_on_every_database(
    fields: dict[str, str],
) -> None:
    with pytest.raises(ValidationError):
        audit_record(actor=None, **fields)  # type: ignore[arg-type]
    with pytest.raises(ValidationError), audit_collect():
        audit_record(actor=None, **fields)  # type: ignore[arg-type]
    assert not AuditEvent.objects.exists()


def test_an_anonymous_actor_is_recorded_as_nobody() -> None:
    event = audit_record(actor=AnonymousUser(), action=AuditAction.LOGIN)  # type: ignore[arg-type]

    assert (event.user_id, event.username) == (None, "")


@pytest.mark.parametrize("key", ["body", "note_text", "Content", "reason", "name", "bsn_hash"])
def test_detail_with_a_content_like_key_is_refused(key: str) -> None:
    with pytest.raises(ValueError, match=key):
        audit_record(actor=None, action=AuditAction.VIEW, detail={key: "x"})
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("value", [{"nested": 1}, 1.5, [["a"]], "with \x00 nul"])
def test_detail_that_is_not_scalar_metadata_is_refused(value: object) -> None:
    with pytest.raises(ValueError, match="level"):
        audit_record(actor=None, action=AuditAction.VIEW, detail={"level": value})


# --- One event per request (or block) ------------------------------------------------------------


def test_everything_recorded_in_a_block_becomes_one_event_led_by_the_strongest_action(
    cast: Cast,
) -> None:
    actor = cast.police.user
    with audit_collect():
        audit_record(actor=actor, action="view", object_type="case", object_id="7",
                     case=case_in(), detail={"level": 2})  # fmt: skip
        audit_record(actor=actor, action="view", object_type="note", case=case_in(),
                     detail={"note_ids": ["1", "2"]})  # fmt: skip
        audit_record(actor=actor, action="create", object_type="note", object_id="3",
                     case=case_in(), detail={"visibility": "domain"})  # fmt: skip
        assert not AuditEvent.objects.exists()  # written at the end of the block

    event = AuditEvent.objects.get()
    assert (event.action, event.object_type, event.object_id) == ("create", "note", "3")
    assert (event.username, event.case_reference) == ("police", "MDA-2026-0001")
    assert event.detail == {
        "visibility": "domain",
        "level": 2,
        "note_ids": ["1", "2"],
        "also": ["view case 7", "view note"],
    }
    assert event.mac == event_mac(AuditEvent.objects.values().get())


def test_a_key_recorded_twice_with_different_values_keeps_both() -> None:
    with audit_collect():
        record(detail={"meeting": "5", "ids": ["a"]})
        record(detail={"meeting": "6", "ids": ["a", "b"]})

    assert AuditEvent.objects.get().detail == {
        "meeting": ["6", "5"],  # the lead's first
        "ids": ["a", "b"],
        "also": ["view case"],
    }


def test_a_record_undone_with_its_savepoint_is_not_in_the_event() -> None:
    with audit_collect():
        record(object_type="case")
        with pytest.raises(RuntimeError), transaction.atomic():
            record(action="change", object_type="agreement")
            raise RuntimeError("the service failed: its change and its record are undone")
        record(object_type="note")

    event = AuditEvent.objects.get()
    assert (event.action, event.object_type, event.detail) == (
        "view",
        "note",  # the last record of the strongest action leads (a page records itself last)
        {"also": ["view case"]},
    )


def test_a_block_whose_transaction_fails_records_nothing() -> None:
    with pytest.raises(RuntimeError), audit_collect():
        record(2)
        raise RuntimeError

    assert not AuditEvent.objects.exists()


def test_each_actor_in_a_block_gets_their_own_event(cast: Cast) -> None:
    with audit_collect():
        audit_record(actor=cast.police.user, action="view", object_type="case")
        audit_record(actor=None, action="disclose", object_type="invitation")
        audit_record(actor=cast.police.user, action="view", object_type="note")

    assert sorted(AuditEvent.objects.values_list("username", "action")) == [
        ("", "disclose"),
        ("police", "view"),
    ]


def test_an_event_about_several_cases_is_found_in_each_cases_log() -> None:
    first, second = case_in(reference="MDA-2026-0001"), case_in(reference="MDA-2026-0002")
    with audit_collect():
        audit_record(actor=None, action="disclose", object_type="invitation", case=first)
        audit_record(actor=None, action="disclose", object_type="invitation", case=second)

    event = AuditEvent.objects.get()
    assert event.case_reference == "MDA-2026-0001"
    assert event.detail["cases"] == ["MDA-2026-0001", "MDA-2026-0002"]
    links = AuditEventCase.objects.values_list("event_id", "case_reference", "region_slug")
    assert sorted(links) == [
        (event.pk, "MDA-2026-0001", "noord"),
        (event.pk, "MDA-2026-0002", "noord"),
    ]


def test_cases_can_be_given_in_one_record() -> None:
    (event,) = record(
        action="disclose", cases=[case_in(reference=f"MDA-2026-000{i}") for i in (1, 2)]
    )

    event.refresh_from_db()
    assert event.detail == {"cases": ["MDA-2026-0001", "MDA-2026-0002"]}
    assert AuditEventCase.objects.filter(event_id=event.pk).count() == 2


def test_a_region_event_without_a_case_carries_the_region() -> None:
    (event,) = record(object_type="agenda", region=RegionFactory(slug="west"))

    assert (event.case_reference, event.region_slug) == ("", "west")


# --- The database refuses changes ---------------------------------------------------------------


@pytest.mark.parametrize(
    "table, key",
    [("mda_auditevent", "id"), ("mda_auditseal", "position"), ("mda_auditeventcase", "id")],
)
def test_the_database_refuses_to_update_or_delete_any_audit_row(table: str, key: str) -> None:
    record(action="disclose", cases=[case_in(reference="A"), case_in(reference="B")])
    audit_seal()

    with pytest.raises(IntegrityError, match="append-only"):
        raw(f"UPDATE {table} SET {key} = {key} + 100")  # noqa: S608 - fixed names
    with pytest.raises(IntegrityError, match="append-only"):
        raw(f"DELETE FROM {table}")  # noqa: S608 - fixed names
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent.objects.all().delete()

    assert AuditEvent.objects.count() == AuditSeal.objects.count() == 1


def test_postgresql_refuses_to_truncate_the_audit_tables() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE exists on PostgreSQL only (SQLite has DELETE, refused above)")
    recorded_and_sealed(1)

    for table in ("mda_auditevent", "mda_auditseal", "mda_auditeventcase"):
        with pytest.raises(DatabaseError, match="append-only"):
            raw(f"TRUNCATE {table}")
    assert AuditEvent.objects.count() == 1


def test_postgresql_stamps_each_event_with_its_own_transaction_whatever_the_insert_says() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("transaction ids are PostgreSQL's; SQLite has one writer instead")
    (event,) = record()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id()::text::bigint")
        own = cursor.fetchone()[0]
    raw(
        "INSERT INTO mda_auditevent (occurred_at, username, organisation_name, role, "
        "on_behalf_of, action, object_type, object_id, case_reference, region_slug, "
        "client_address, user_agent, detail, mac, txid) VALUES "
        "(now(), '', '', '', '', 'view', '', '', '', '', '', '', '{}', '', 1)"
    )

    assert set(AuditEvent.objects.values_list("txid", flat=True)) == {own}
    assert AuditEvent.objects.get(pk=event.pk).txid == own


def test_the_append_only_triggers_are_in_place_after_migrating() -> None:
    assert missing_triggers() == []


# --- Tampering is detected ----------------------------------------------------------------------


def test_a_changed_event_is_detected_and_named() -> None:
    events = recorded_and_sealed(4)

    with triggers_lifted():
        raw("UPDATE mda_auditevent SET username = %s WHERE id = %s", ["mallory", events[1].pk])
        result = audit_verify()

    assert (result.ok, result.first_bad_id, result.checked) == (False, events[1].pk, 1)
    assert "changed" in result.problem


def test_a_changed_event_that_is_not_sealed_yet_is_detected_and_named() -> None:
    events = record(2)

    with triggers_lifted():
        raw("UPDATE mda_auditevent SET role = %s WHERE id = %s", ["chair", events[1].pk])
        result = audit_verify()
        assert audit_seal() == 1  # the sealer leaves it out

    assert (result.ok, result.first_bad_id) == (False, events[1].pk)
    assert "not sealed yet" in result.problem


def test_a_removed_event_in_the_middle_is_detected_and_named() -> None:
    events = recorded_and_sealed(4)

    with triggers_lifted():
        raw("DELETE FROM mda_auditevent WHERE id = %s", [events[2].pk])
        result = audit_verify()

    assert (result.ok, result.first_bad_id) == (False, events[2].pk)
    assert "removed" in result.problem


def test_an_event_removed_with_its_seal_is_detected_by_its_position() -> None:
    events = recorded_and_sealed(4)

    with triggers_lifted():
        raw("DELETE FROM mda_auditevent WHERE id = %s", [events[1].pk])
        raw("DELETE FROM mda_auditseal WHERE event_id = %s", [events[1].pk])
        result = audit_verify()

    assert (result.ok, result.checked) == (False, 1)
    assert "chain position 2 is missing" in result.problem


def test_an_event_removed_and_the_chain_renumbered_is_detected() -> None:
    events = recorded_and_sealed(4)

    with triggers_lifted():
        raw("DELETE FROM mda_auditevent WHERE id = %s", [events[1].pk])
        raw("DELETE FROM mda_auditseal WHERE event_id = %s", [events[1].pk])
        raw("UPDATE mda_auditseal SET position = position - 1 WHERE position > 2")
        result = audit_verify()

    assert (result.ok, result.first_bad_id) == (False, events[2].pk)
    assert "removed or inserted" in result.problem


def test_a_forged_event_is_detected_and_named() -> None:
    events = recorded_and_sealed(3)
    last = AuditEvent.objects.values().get(pk=events[-1].pk)
    wrong_key = os.urandom(32)
    forged_id = int(last["id"]) + 1
    forged = {**last, "id": forged_id, "object_id": "forged"}
    forged["mac"] = event_mac(forged, key=wrong_key)
    head, forged_mac = chain_head(), str(forged["mac"])

    with triggers_lifted():
        AuditEvent.objects.create(**forged)
        AuditSeal.objects.create(
            position=head.position + 1,
            event_id=forged_id,
            prev_hash=head.hash,
            hash=seal_hash(head.hash, head.position + 1, forged_id, forged_mac, wrong_key),
            sealed_at=last["occurred_at"],
        )
        result = audit_verify()

    assert (result.ok, result.first_bad_id) == (False, forged["id"])
    assert "forged" in result.problem


def test_an_event_inserted_without_the_key_is_never_sealed_and_is_named() -> None:
    (good,) = record()
    values = AuditEvent.objects.values().get(pk=good.pk)
    intruder = {**values, "id": good.pk + 1, "object_id": "planted", "mac": "0" * 64}
    AuditEvent.objects.create(**intruder)  # an INSERT is all the application's role may do

    assert audit_seal() == 1
    result = audit_verify()

    assert AuditSeal.objects.get().event_id == good.pk
    assert (result.ok, result.first_bad_id) == (False, good.pk + 1)


def test_an_event_slipped_in_behind_the_sealed_chain_is_detected() -> None:
    events = recorded_and_sealed(3)
    values = AuditEvent.objects.values().get(pk=events[0].pk)
    # Even with the key: an event that was not there when the sealer passed its place.
    slipped = {**values, "id": events[0].pk - 1, "txid": 1}
    slipped["mac"] = event_mac(slipped)

    with triggers_lifted():  # also the one that stamps the real transaction id
        AuditEvent.objects.create(**slipped)
        result = audit_verify()

    assert (result.ok, result.first_bad_id) == (False, slipped["id"])
    assert "behind the sealer's back" in result.problem


def test_a_cut_off_tail_is_detected_against_an_anchor_kept_elsewhere() -> None:
    events = recorded_and_sealed(3)
    head = chain_head()
    anchor = (head.position, head.hash)
    assert audit_verify(anchor=anchor).ok

    with triggers_lifted():
        raw("DELETE FROM mda_auditevent WHERE id = %s", [events[-1].pk])
        raw("DELETE FROM mda_auditseal WHERE position = %s", [head.position])
    without_anchor, with_anchor = audit_verify(), audit_verify(anchor=anchor)

    assert without_anchor.ok  # the chain alone cannot see this
    assert (with_anchor.ok, with_anchor.first_bad_id) == (False, None)
    assert "cut off" in with_anchor.problem


def test_verification_fails_when_the_triggers_are_gone() -> None:
    recorded_and_sealed(2)

    with triggers_lifted():
        result = audit_verify()

    assert not result.ok
    assert result.first_bad_id is None
    assert "triggers" in result.problem


def test_events_sealed_under_another_key_do_not_verify(settings: Settings) -> None:
    events = recorded_and_sealed(2)
    settings.MDA_AUDIT_KEY = base64.urlsafe_b64encode(os.urandom(32)).decode()

    result = audit_verify()

    assert (result.ok, result.first_bad_id) == (False, events[0].pk)


def test_an_empty_trail_verifies() -> None:
    result = audit_verify()
    assert (result.ok, result.checked, result.head_id, result.pending) == (True, 0, None, 0)


# --- Anchors and the command --------------------------------------------------------------------


def test_the_anchor_is_written_to_standard_output_and_appended_to_the_file(tmp_path: Path) -> None:
    path = tmp_path / "anchors.log"
    out = io.StringIO()
    assert audit_anchor(path=path, stream=out) == ""  # nothing sealed: nothing to anchor

    recorded_and_sealed(2)
    first = audit_anchor(path=path, stream=out)
    recorded_and_sealed(1)
    second = audit_anchor(path=path, stream=out)

    assert out.getvalue().splitlines() == [f"audit-anchor {first}", f"audit-anchor {second}"]
    assert path.read_text().splitlines() == [first, second]
    head = chain_head()
    assert json.loads(second) | {"at": None} == {
        "at": None,
        "position": 3,
        "event": head.event_id,
        "hash": head.hash,
    }
    assert latest_anchor(path) == (3, head.hash)


def test_beat_starts_anchoring_only_when_an_interval_is_set(settings: Settings) -> None:
    settings.MDA_AUDIT_ANCHOR_SECONDS = 0
    assert start_anchoring() is None

    settings.MDA_AUDIT_ANCHOR_SECONDS = 3600
    thread = start_anchoring()
    assert thread is not None and thread.is_alive()
    thread.stopped.set()
    thread.join(timeout=5)
    assert not thread.is_alive()


def test_verify_audit_checks_the_latest_anchor_by_default(
    tmp_path: Path, settings: Settings, capsys: pytest.CaptureFixture
) -> None:
    settings.MDA_AUDIT_ANCHOR_PATH = str(tmp_path / "anchors.log")
    events = recorded_and_sealed(3)
    audit_anchor(stream=io.StringIO())
    head = chain_head()

    call_command("verify_audit")
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "OK: 3 events verified",
        f"Head: 3:{head.hash} (event #{events[-1].pk})",
        f"Anchor: 3:{head.hash} is in the chain",
    ]

    with triggers_lifted():
        raw("DELETE FROM mda_auditseal WHERE position = 3")
        raw("DELETE FROM mda_auditevent WHERE id = %s", [events[-1].pk])
    with pytest.raises(CommandError, match="cut off") as error:
        call_command("verify_audit")
    call_command("verify_audit", no_anchor=True)  # without it, the cut is invisible
    assert error.value.returncode == 1


def test_verify_audit_names_the_first_bad_event_and_exits_1() -> None:
    events = recorded_and_sealed(3)
    record()  # pending ones are reported too

    with triggers_lifted():
        raw("UPDATE mda_auditevent SET role = %s WHERE id = %s", ["chair", events[1].pk])
        with pytest.raises(CommandError, match=f"event #{events[1].pk} ") as error:
            call_command("verify_audit", no_anchor=True)

    assert error.value.returncode == 1


def test_verify_audit_reports_pending_events(capsys: pytest.CaptureFixture) -> None:
    recorded_and_sealed(1)
    record(2)

    call_command("verify_audit", anchor="1:" + chain_head().hash)

    assert capsys.readouterr().out.splitlines()[-1] == "Pending: 2 events not sealed yet"


def test_verify_audit_refuses_a_malformed_anchor() -> None:
    with pytest.raises(CommandError, match="POSITION:HASH"):
        call_command("verify_audit", anchor="12:nothex")


# --- Where the request came from ----------------------------------------------------------------


def _record_through_middleware(request: HttpRequest) -> AuditEvent:
    recorded: list[AuditEvent] = []

    def view(request: HttpRequest) -> HttpResponse:
        recorded.extend(record())
        return HttpResponse()

    AuditContextMiddleware(view)(request)
    return recorded[0]


def test_client_address_and_user_agent_come_from_the_request() -> None:
    request = RequestFactory().get(
        "/cases/",
        REMOTE_ADDR="192.0.2.10",
        HTTP_USER_AGENT="Firefox/140 " + "x" * 400,
        HTTP_X_FORWARDED_FOR="203.0.113.5",
    )

    event = _record_through_middleware(request)

    assert event.client_address == "192.0.2.10"  # X-Forwarded-For is not trusted by default
    assert event.user_agent.startswith("Firefox/140 ")
    assert len(event.user_agent) == 300
    (outside,) = record()
    assert (outside.client_address, outside.user_agent) == ("", "")


def test_behind_a_trusted_proxy_the_first_forwarded_address_is_the_client(
    settings: Settings,
) -> None:
    settings.MDA_TRUST_X_FORWARDED_FOR = True
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5, 10.0.0.1"
    )

    assert _record_through_middleware(request).client_address == "203.0.113.5"


def test_the_middleware_runs_right_after_authentication() -> None:
    position = settings.MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    assert settings.MIDDLEWARE[position + 1] == "mda.audit.AuditContextMiddleware"


# --- The key ------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["", "not base64!", base64.urlsafe_b64encode(b"short").decode()])
def test_a_missing_or_weak_audit_key_stops_the_start_up_and_is_named(value: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="MDA_AUDIT_KEY"):
        check_audit_key(value)


def test_a_key_of_32_random_bytes_is_accepted_with_or_without_padding() -> None:
    key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    assert check_audit_key(key) == key
    assert check_audit_key(key.rstrip("=")) == key.rstrip("=")


# --- Transactions, flushing and concurrency -----------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_can_write_audit_events_and_the_flush_keeps_the_protection() -> None:
    recorded_and_sealed(2)

    call_command("flush", interactive=False, verbosity=0)  # what pytest-django runs after this test

    assert not AuditEvent.objects.exists() and not AuditSeal.objects.exists()
    assert missing_triggers() == []
    (event,) = recorded_and_sealed(1)
    with pytest.raises(IntegrityError, match="append-only"):
        raw("DELETE FROM mda_auditevent WHERE id = %s", [event.pk])
    assert audit_verify().ok


@pytest.mark.django_db(transaction=True)
def test_an_event_recorded_in_a_rolled_back_transaction_is_never_sealed() -> None:
    record()
    with pytest.raises(RuntimeError), transaction.atomic():
        record()
        raise RuntimeError("the service failed")
    record()

    assert audit_seal() == 2
    assert list(AuditSeal.objects.values_list("position", flat=True)) == [1, 2]
    result = audit_verify()
    assert (result.ok, result.checked, result.pending) == (True, 2, 0)


def _in_threads(count: int, work: typing.Callable[[int], None]) -> list[BaseException]:
    failures: list[BaseException] = []

    def run(index: int) -> None:
        try:
            work(index)
        except BaseException as error:  # reported by the main thread
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return failures


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_and_a_sealer_make_one_unbroken_chain() -> None:
    rounds, writers = 20, 3
    start = threading.Barrier(writers + 1)
    sealed: list[int] = []

    def work(index: int) -> None:
        for _ in range(rounds):
            start.wait(timeout=30)  # every round, all append (and one seals) at the same moment
            if index == writers:
                sealed.append(audit_seal())
                continue
            with transaction.atomic():
                audit_record(actor=None, action=AuditAction.VIEW, object_id=f"w{index}")

    assert _in_threads(writers + 1, work) == []
    sealed.append(audit_seal_all())
    result = audit_verify()
    assert (result.ok, result.checked, result.pending) == (True, rounds * writers, 0), (
        result.problem
    )
    assert sum(sealed) == rounds * writers


@pytest.mark.django_db(transaction=True)
def test_an_event_that_commits_after_later_ones_were_sealed_is_still_sealed() -> None:
    """Its id was handed out first, but its transaction commits last (PostgreSQL: SQLite has one
    writer, so a transaction holding an id keeps every other writer out until it ends)."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers exist on PostgreSQL only")
    early_has_id, later_sealed = threading.Event(), threading.Event()
    early_ids: list[int] = []

    def work(index: int) -> None:
        if index == 0:
            with transaction.atomic():
                early_ids.append(record()[0].pk)
                early_has_id.set()
                assert later_sealed.wait(timeout=30)
            return
        assert early_has_id.wait(timeout=30)
        later = record(2)
        assert min(e.pk for e in later) > early_ids[0]
        assert audit_seal() == 2  # the early event is not committed, so not visible yet
        later_sealed.set()

    assert _in_threads(2, work) == []
    assert audit_seal() == 1
    assert AuditSeal.objects.get(position=3).event_id == early_ids[0]
    result = audit_verify()
    assert (result.ok, result.checked, result.pending) == (True, 3, 0), result.problem


@pytest.mark.django_db(transaction=True)
def test_only_one_sealer_runs_at_a_time_and_a_second_returns_at_once() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("on SQLite the sealer holds the one write lock: a second waits for it")
    record(3)
    holding, done = threading.Event(), threading.Event()
    second: list[int] = []

    def work(index: int) -> None:
        if index == 0:
            with transaction.atomic():
                assert audit_seal() == 3
                holding.set()
                assert done.wait(timeout=30)
            return
        assert holding.wait(timeout=30)
        second.append(audit_seal())
        done.set()

    assert _in_threads(2, work) == []
    assert second == [0]
    assert chain_head().position == 3


@pytest.mark.django_db(transaction=True)
def test_verification_in_parallel_ranges_names_the_first_bad_event() -> None:
    events = recorded_and_sealed(40)
    serial = audit_verify(workers=1, range_size=7)
    parallel = audit_verify(workers=2, range_size=7)
    assert serial == parallel
    assert (parallel.ok, parallel.checked) == (True, 40)

    for statement in TRIGGERS[connection.vendor].drop:
        raw(statement)
    try:
        raw("UPDATE mda_auditevent SET username = 'x' WHERE id IN (%s, %s)",
            [events[30].pk, events[12].pk])  # fmt: skip
        raw("DELETE FROM mda_auditseal WHERE position = 36")
        result = audit_verify(workers=2, range_size=7)
    finally:
        for statement in TRIGGERS[connection.vendor].create:
            raw(statement)

    assert (result.ok, result.first_bad_id, result.checked) == (False, events[12].pk, 12)


# --- Ids in blocks (PostgreSQL) -------------------------------------------------------------------


def test_postgresql_hands_out_ids_from_a_block_and_an_append_is_one_insert() -> None:
    require_postgresql("SQLite takes the id after the largest, under its one write lock")
    connection.ensure_connection()
    _id_blocks.pop(connection.connection, None)  # a connection that has not appended yet
    first = record()[0].pk  # takes the first block with a nextval of its own
    with CaptureQueriesContext(connection) as queries:
        more = [e.pk for e in record(3 * ID_BLOCK)]  # refilled by the INSERTs themselves
    assert more[: ID_BLOCK // 2] == list(range(first + 1, first + 1 + ID_BLOCK // 2))
    assert len(set(more)) == len(more)
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["INSERT"] * (3 * ID_BLOCK)

    _id_blocks[connection.connection].pid = -1  # as a forked child sees its parent's block
    assert record()[0].pk > max(more)
    audit_seal_all()
    assert audit_verify().ok


def test_the_sequence_steps_by_the_block_the_code_takes() -> None:
    """Blocks of two connections overlap (duplicate ids) if the code's block outgrows the step."""
    require_postgresql("SQLite has no sequence")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT increment_by FROM pg_sequences WHERE schemaname = current_schema() "
            "AND sequencename = 'mda_auditevent_id_seq'"
        )
        assert cursor.fetchone() == (ID_BLOCK,)


@pytest.mark.django_db(transaction=True)
def test_two_connections_take_separate_blocks_and_their_interleaved_commits_verify() -> None:
    """Ids follow neither commit order nor time across connections; the chain does not care."""
    require_postgresql("concurrent writers exist on PostgreSQL only")
    rounds = ID_BLOCK + 5  # each connection also takes a second block
    turns = [threading.Event() for _ in range(2 * rounds + 1)]
    ids: dict[int, list[int]] = {0: [], 1: []}

    def work(index: int) -> None:
        for turn in range(index, 2 * rounds, 2):  # 0, 2, 4 ... and 1, 3, 5 ...: they alternate
            if turn:
                assert turns[turn].wait(timeout=30)
            with transaction.atomic():
                ids[index].append(audit_record(actor=None, action=AuditAction.VIEW).pk)
            if turn % 7 == 0:
                audit_seal()
            turns[turn + 1].set()

    assert _in_threads(2, work) == []
    assert not set(ids[0]) & set(ids[1])
    audit_seal_all()
    chained = list(AuditSeal.objects.order_by("position").values_list("event_id", flat=True))
    assert chained != sorted(chained)  # a lower id was sealed after a higher one
    result = audit_verify()
    assert (result.ok, result.checked, result.pending) == (True, 2 * rounds, 0), result.problem
