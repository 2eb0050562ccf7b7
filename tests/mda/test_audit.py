from __future__ import annotations

import base64
import importlib
import os
import threading
import typing
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
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
from pytest_django import Settings

from mda.audit import (
    GENESIS_HASH,
    AuditContextMiddleware,
    AuditVerification,
    audit_record,
    audit_verify,
    chain_hash,
    check_audit_key,
    missing_triggers,
)
from mda.models import AuditAction, AuditEvent, User
from tests.conftest import Cast
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
TRIGGERS = importlib.import_module("mda.migrations.0002_audit_append_only").TRIGGERS


def record(n: int = 1, **fields: object) -> list[AuditEvent]:
    fields = {"actor": None, "action": AuditAction.VIEW, "object_type": "case", **fields}
    return [audit_record(**fields) for _ in range(n)]  # type: ignore[arg-type]


def raw(sql: str, params: Sequence[Any] = ()) -> None:
    """Run *sql* in a savepoint, so a refusal does not break the test's transaction."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@contextmanager
def triggers_lifted() -> Iterator[None]:
    """What an attacker with database rights could do: drop the append-only triggers.

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


# --- Recording and chaining ---------------------------------------------------------------------


def test_a_recorded_event_chains_to_the_one_before_it() -> None:
    first, second = record(2)

    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert second.pk == first.pk + 1
    assert second.hash == chain_hash(first.hash, AuditEvent.objects.values().get(pk=second.pk))
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
        {
            "action": "view",
            "case": SimpleNamespace(reference="x" * 33, region=SimpleNamespace(slug="noord")),
        },
    ],
)
def test_an_unknown_action_or_an_overlong_field_is_refused_on_every_database(
    fields: dict[str, str],
) -> None:
    with pytest.raises(ValidationError):
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


# --- The database refuses changes ---------------------------------------------------------------


def test_the_database_refuses_an_update_of_an_audit_event() -> None:
    (event,) = record()

    with pytest.raises(IntegrityError, match="append-only"):
        raw("UPDATE mda_auditevent SET username = %s WHERE id = %s", ["mallory", event.pk])
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(username="mallory")

    event.refresh_from_db()
    assert event.username == ""


def test_the_database_refuses_a_delete_of_an_audit_event() -> None:
    (event,) = record()

    with pytest.raises(IntegrityError, match="append-only"):
        raw("DELETE FROM mda_auditevent WHERE id = %s", [event.pk])
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent.objects.all().delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_postgresql_refuses_to_truncate_the_audit_table() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE exists on PostgreSQL only (SQLite has DELETE, refused above)")
    record()

    with pytest.raises(DatabaseError, match="append-only"):
        raw("TRUNCATE mda_auditevent")
    assert AuditEvent.objects.count() == 1


def test_the_append_only_triggers_are_in_place_after_migrating() -> None:
    assert missing_triggers() == []


# --- Tampering is detected ----------------------------------------------------------------------


def test_a_changed_event_is_detected_and_named() -> None:
    events = record(4)

    with triggers_lifted():
        raw("UPDATE mda_auditevent SET username = %s WHERE id = %s", ["mallory", events[1].pk])
        result = audit_verify()

    assert not result.ok
    assert result.first_bad_id == events[1].pk
    assert result.checked == 1
    assert "changed" in result.problem


def test_a_removed_event_in_the_middle_is_detected_and_named() -> None:
    events = record(4)

    with triggers_lifted():
        raw("DELETE FROM mda_auditevent WHERE id = %s", [events[2].pk])
        result = audit_verify()

    assert (result.ok, result.first_bad_id) == (False, events[2].pk)
    assert "removed" in result.problem


def test_an_event_removed_and_its_successor_renumbered_is_detected() -> None:
    events = record(4)

    with triggers_lifted():
        raw("DELETE FROM mda_auditevent WHERE id = %s", [events[1].pk])
        raw("UPDATE mda_auditevent SET id = %s WHERE id = %s", [events[1].pk, events[2].pk])
        result = audit_verify()

    assert (result.ok, result.first_bad_id) == (False, events[1].pk)
    assert "removed or inserted" in result.problem


def test_a_forged_event_is_detected_and_named() -> None:
    events = record(3)
    last = AuditEvent.objects.values().get(pk=events[-1].pk)
    wrong_key = os.urandom(32)
    forged = {**last, "id": last["id"] + 1, "prev_hash": last["hash"], "object_id": "forged"}
    forged["hash"] = chain_hash(last["hash"], forged, key=wrong_key)

    with triggers_lifted():
        AuditEvent.objects.create(**forged)
        result = audit_verify()

    assert (result.ok, result.first_bad_id) == (False, forged["id"])
    assert "forged" in result.problem


def test_a_cut_off_tail_is_detected_against_an_anchor_kept_elsewhere() -> None:
    events = record(3)
    anchor = (events[-1].pk, events[-1].hash)
    assert audit_verify(anchor=anchor).ok

    with triggers_lifted():
        raw("DELETE FROM mda_auditevent WHERE id = %s", [events[-1].pk])
    without_anchor, with_anchor = audit_verify(), audit_verify(anchor=anchor)

    assert without_anchor.ok  # the documented limitation: the chain alone cannot see this
    assert (with_anchor.ok, with_anchor.first_bad_id) == (False, events[-1].pk)


def test_verification_fails_when_the_triggers_are_gone() -> None:
    record(2)

    with triggers_lifted():
        result = audit_verify()

    assert not result.ok
    assert result.first_bad_id is None
    assert "triggers" in result.problem


def test_events_hashed_under_another_key_do_not_verify(settings: Settings) -> None:
    record(2)
    settings.MDA_AUDIT_KEY = base64.urlsafe_b64encode(os.urandom(32)).decode()

    result = audit_verify()

    assert (result.ok, result.first_bad_id) == (False, AuditEvent.objects.earliest("id").pk)


# --- The command --------------------------------------------------------------------------------


def test_verify_audit_reports_ok_with_the_number_of_events(capsys: pytest.CaptureFixture) -> None:
    events = record(3)

    call_command("verify_audit")

    lines = capsys.readouterr().out.splitlines()
    assert lines == ["OK: 3 events verified", f"Head: #{events[-1].pk}:{events[-1].hash}"]
    call_command("verify_audit", anchor=lines[1].removeprefix("Head: "))


def test_verify_audit_names_the_first_bad_event_and_exits_1() -> None:
    events = record(3)

    with triggers_lifted():
        raw("UPDATE mda_auditevent SET role = %s WHERE id = %s", ["chair", events[1].pk])
        with pytest.raises(CommandError, match=f"event #{events[1].pk} ") as error:
            call_command("verify_audit")

    assert error.value.returncode == 1


def test_an_empty_trail_verifies() -> None:
    assert audit_verify() == AuditVerification(True, 0, None, "")


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
    record(2)

    call_command("flush", interactive=False, verbosity=0)  # what pytest-django runs after this test

    assert not AuditEvent.objects.exists()
    assert missing_triggers() == []
    (event,) = record()
    with pytest.raises(IntegrityError, match="append-only"):
        raw("DELETE FROM mda_auditevent WHERE id = %s", [event.pk])
    assert audit_verify().ok


@pytest.mark.django_db(transaction=True)
def test_an_event_recorded_in_a_rolled_back_transaction_leaves_no_gap() -> None:
    record()
    with pytest.raises(RuntimeError), transaction.atomic():
        record()
        raise RuntimeError("the service failed")
    record()

    assert list(AuditEvent.objects.values_list("id", flat=True)) == [1, 2]
    last = AuditEvent.objects.get(pk=2)
    assert audit_verify() == AuditVerification(True, 2, None, "", 2, last.hash)


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_from_two_threads_do_not_fork_the_chain() -> None:
    """On PostgreSQL the advisory lock serialises writers; on SQLite, BEGIN IMMEDIATE does."""
    rounds, writers = 15, 2
    start = threading.Barrier(writers)
    failures: list[BaseException] = []

    def write(name: str) -> None:
        try:
            for _ in range(rounds):
                start.wait(timeout=30)  # every round, both writers append at the same moment
                with transaction.atomic():
                    audit_record(actor=None, action=AuditAction.VIEW, object_id=name)
        except BaseException as error:  # reported by the main thread
            failures.append(error)
            start.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(f"w{i}",)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == []
    result = audit_verify()
    assert (result.ok, result.checked) == (True, rounds * writers), result.problem
    assert AuditEvent.objects.values("prev_hash").distinct().count() == rounds * writers
