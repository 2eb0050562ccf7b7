"""Destruction by retention: time travel through warning, hold, release and destruction; nothing
of the case left in any table; the figures unchanged; rotation after destruction; a second run
and a crashed run."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.apps import apps
from django.db import models

from casework.models import Case, DestructionRecord, DestructionRun, LegalHold
from casework.selectors.retention import retention_plan
from casework.services import retention
from mda.models import DataKey, Notification
from tests.casework import retention_support
from tests.casework.retention_support import (
    MARKERS,
    Rich,
    at,
    coordinator_view,
)
from tests.conftest import Cast

closed_rich_case = retention_support.closed_rich_case
rich = retention_support.rich


def sweep_on(time_machine: Any, day: date) -> DestructionRun:
    time_machine.move_to(at(day.year, day.month, day.day, 3), tick=False)
    return retention.retention_sweep()


def test_a_closed_case_is_destroyed_two_years_after_closing(
    cast: Cast, rich: Rich, time_machine: Any
) -> None:
    plan = retention_plan(rich.case, today=date(2026, 2, 1))
    assert plan is not None and plan.term_due == date(2028, 1, 15) and plan.rule == "closed"
    assert sweep_on(time_machine, date(2027, 12, 15)).destroyed == 0
    assert not Notification.objects.filter(kind="retention_warning").exists()
    run = sweep_on(time_machine, date(2027, 12, 16))
    assert run.destroyed == 0
    warned = Notification.objects.filter(kind="retention_warning")
    assert [n.recipient for n in warned] == [cast.coordinator.user]
    assert "15 Jan 2028" in warned.get().subject
    sweep_on(time_machine, date(2027, 12, 17))
    assert warned.count() == 1  # swept again: not warned twice
    assert sweep_on(time_machine, date(2028, 1, 14)).destroyed == 0
    run = sweep_on(time_machine, date(2028, 1, 15))
    assert run.destroyed == 1 and run.finished_at is not None
    case = Case.objects.get(pk=rich.case.pk)
    assert case.destroyed_at is not None and case.status == "closed"
    record = DestructionRecord.objects.get()
    assert (record.reference, record.rule, record.term_months) == (case.reference, "closed", 24)


def test_a_legal_hold_postpones_destruction_and_its_release_plans_it_anew(
    cast: Cast, rich: Rich, time_machine: Any
) -> None:
    sweep_on(time_machine, date(2027, 12, 16))  # warned of 15 Jan 2028
    time_machine.move_to(at(2028, 1, 10), tick=False)
    coordinator = cast.coordinator.user
    hold = retention.legal_hold_place(
        actor=coordinator,
        case=coordinator_view(cast, rich.case),
        reason="HOLD-MARKER the public prosecutor investigates",
        until=date(2028, 6, 30),
    )
    assert sweep_on(time_machine, date(2028, 1, 15)).destroyed == 0
    assert sweep_on(time_machine, date(2028, 3, 1)).destroyed == 0
    time_machine.move_to(at(2028, 3, 6), tick=False)
    retention.legal_hold_release(
        actor=coordinator, case=coordinator_view(cast, rich.case), hold_id=hold.pk
    )
    # Released on 6 March: planned for 7 March, but the coordinators hear of it first.
    sweep_on(time_machine, date(2028, 3, 6))
    warnings = Notification.objects.filter(kind="retention_warning").order_by("created_at")
    latest = warnings.last()
    assert warnings.count() == 2 and latest is not None and "5 Apr 2028" in latest.subject
    assert sweep_on(time_machine, date(2028, 4, 4)).destroyed == 0
    assert sweep_on(time_machine, date(2028, 4, 5)).destroyed == 1
    record = DestructionRecord.objects.get()
    assert record.held_until == date(2028, 6, 30) and record.due_on == date(2028, 4, 5)
    assert not LegalHold.objects.exists()  # it went with the case (its reason was content)
    from mda.models import AuditEvent

    hold_events = AuditEvent.objects.filter(object_type="legal_hold").order_by("id")
    assert [e.action for e in hold_events] == ["create", "revoke"]
    assert all(e.case_reference == rich.case.reference for e in hold_events)


def test_a_hold_that_runs_out_lets_destruction_follow_after_a_new_warning(
    cast: Cast, rich: Rich, time_machine: Any
) -> None:
    time_machine.move_to(at(2027, 6, 1), tick=False)
    retention.legal_hold_place(
        actor=cast.coordinator.user,
        case=coordinator_view(cast, rich.case),
        reason="HOLD-MARKER a civil case runs",
        until=date(2028, 2, 29),
    )
    sweep_on(time_machine, date(2027, 12, 16))
    assert not Notification.objects.filter(kind="retention_warning").exists()
    assert sweep_on(time_machine, date(2028, 2, 29)).destroyed == 0
    sweep_on(time_machine, date(2028, 3, 1))  # the hold ended yesterday: warned now
    assert "31 Mar 2028" in Notification.objects.get(kind="retention_warning").subject
    assert sweep_on(time_machine, date(2028, 3, 30)).destroyed == 0
    assert sweep_on(time_machine, date(2028, 3, 31)).destroyed == 1


def _every_row_of_every_model() -> list[tuple[str, str, Any]]:
    """(model, field, value) for every concrete field of every row in the database."""
    found = []
    for model in apps.get_models():
        fields = list(model._meta.concrete_fields)
        names = [f.attname for f in fields]
        for row in model._base_manager.values_list(*names):
            found += [(model.__name__, n, v) for n, v in zip(names, row, strict=True)]
    return found


def test_no_table_holds_ciphertext_blind_index_or_plaintext_of_a_destroyed_case(
    cast: Cast, rich: Rich, time_machine: Any
) -> None:
    key_id = rich.case.data_key_id.bytes
    before = _every_row_of_every_model()
    ciphertexts = [(m, f) for m, f, v in before if isinstance(v, bytes | memoryview)]
    assert {("Identity", "name_ct"), ("ItemMinutes", "decisions_ct"), ("Note", "body_ct")} <= set(
        ciphertexts
    )  # the scan does see the case's ciphertext while it lives
    sweep_on(time_machine, date(2027, 12, 16))
    sweep_on(time_machine, date(2028, 1, 15))
    for model, field, value in _every_row_of_every_model():
        if isinstance(value, bytes | memoryview) and model != "DataKey":
            assert bytes(value)[1:17] != key_id, f"{model}.{field} keeps ciphertext of the case"
        if isinstance(value, str | dict | list):
            text = str(value)
            assert rich.bsn_index not in text and rich.name_dob_index not in text, (model, field)
            assert not [m for m in MARKERS if m in text], (model, field)
    key = DataKey.objects.get(pk=rich.case.data_key_id)
    assert key.wrapped_key is None and key.shredded_at is not None


def test_every_encrypted_field_belongs_to_a_model_that_destruction_removes_or_empties() -> None:
    """A new model with a ``*_ct`` column must hang off the case by a cascading key (then
    destruction deletes its rows), or be the case itself (then its columns are emptied)."""
    from casework.models import Case as CaseModel

    def reaches_case(model: type[models.Model], seen: frozenset[type] = frozenset()) -> bool:
        if model is CaseModel:
            return True
        for field in model._meta.concrete_fields:
            target = field.related_model
            if (
                isinstance(field, models.ForeignKey)
                and field.remote_field.on_delete is models.CASCADE
                and isinstance(target, type)
                and target not in seen
                and reaches_case(target, seen | {model})
            ):
                return True
        return False

    encrypted = {
        model
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.BinaryField) and field.name.endswith("_ct")
    }
    assert len(encrypted) >= 10
    assert [m.__name__ for m in encrypted if not reaches_case(m)] == []


def _facts() -> list[tuple[Any, ...]]:
    from mda.models import Fact

    fields = [f.attname for f in Fact._meta.concrete_fields if f.name not in ("id", "subject")]
    return sorted(Fact.objects.values_list(*fields), key=repr)


def _figures(cast: Cast) -> list[tuple[str, str, list[str]]]:
    from steering.periods import Period
    from steering.selectors import region_dashboard

    shown = []
    for period in ("2026-Q1", "2026"):
        dashboard = region_dashboard(cast.north, Period.parse(period))
        for indicator in dashboard.indicators:
            for figure in indicator.figures:
                shown.append((indicator.key, figure.key, [v.label for v in figure.values]))
    return shown


def test_the_figures_stay_the_same_after_destruction(
    cast: Cast, rich: Rich, time_machine: Any
) -> None:
    from mda.facts import statistics_token
    from mda.models import Fact
    from tests.steering import scenario

    scenario.build(cast.north, cast.orgs)  # a region's year, so few figures read "< 5"
    token = statistics_token(rich.case.data_key)
    assert Fact.objects.filter(subject=token).count() >= 5
    facts, figures = _facts(), _figures(cast)
    sweep_on(time_machine, date(2027, 12, 16))
    assert sweep_on(time_machine, date(2028, 1, 15)).destroyed == 1
    assert _facts() == facts and _figures(cast) == figures
    assert not Fact.objects.filter(subject=token).exists()  # nothing links its facts any more


def test_master_key_rotation_after_destruction_skips_the_shredded_key(
    cast: Cast, rich: Rich, time_machine: Any, settings: Any
) -> None:
    import base64
    import io
    import os

    from django.core.management import call_command

    from casework.models import Case as CaseModel
    from mda import crypto
    from tests.casework.conftest import refer

    living = refer(cast)
    sweep_on(time_machine, date(2027, 12, 16))
    sweep_on(time_machine, date(2028, 1, 15))
    new = base64.urlsafe_b64encode(os.urandom(32)).decode()
    settings.MDA_MASTER_KEYS = f"{settings.MDA_MASTER_KEYS},2:{new}"
    out = io.StringIO()
    call_command("rotate_master_key", stdout=out)
    shredded = DataKey.objects.get(pk=rich.case.data_key_id)
    assert shredded.wrapped_key is None and shredded.rewrapped_at is None
    assert DataKey.objects.get(pk=living.data_key_id).master_key_version == 2
    living = CaseModel.objects.select_related("data_key").get(pk=living.pk)
    assert crypto.unseal(living, "reason_ct", living.data_key).startswith("REASON-MARKER")
    with pytest.raises(crypto.KeyShreddedError):
        crypto.data_key_derive(shredded, b"anything")
    call_command("rotate_master_key", stdout=out)  # again: nothing left, no error
    assert "Version 1: no data keys left" in out.getvalue().splitlines()[-1]


def test_a_second_run_destroys_nothing_again(cast: Cast, rich: Rich, time_machine: Any) -> None:
    sweep_on(time_machine, date(2027, 12, 16))
    assert sweep_on(time_machine, date(2028, 1, 15)).destroyed == 1
    destroyed_at = Case.objects.get(pk=rich.case.pk).destroyed_at
    assert sweep_on(time_machine, date(2028, 1, 16)).destroyed == 0
    run = DestructionRun.objects.order_by("started_at").first()
    assert run is not None
    assert retention.case_destroy(case_id=rich.case.pk, run=run, today=date(2028, 2, 1)) is None
    assert DestructionRecord.objects.count() == 1
    assert Case.objects.get(pk=rich.case.pk).destroyed_at == destroyed_at


def _two_due_cases(cast: Cast, time_machine: Any) -> list[Case]:
    from tests.casework.conftest import refer
    from tests.casework.lifecycle_support import move

    cases = []
    for day in (5, 6):
        time_machine.move_to(at(2026, 1, day), tick=False)
        case = refer(cast)
        move(cast, case, "decline", reason="Geen MDA++-casus.")
        cases.append(case)
    return cases


def test_a_run_that_dies_half_way_is_resumed_by_the_next(
    cast: Cast, time_machine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = _two_due_cases(cast, time_machine)
    sweep_on(time_machine, date(2026, 6, 10))  # declined: 6 months, warned 30 days before
    shred = retention.crypto.data_key_shred
    calls = []

    def dies_on_the_second(key: DataKey) -> None:
        calls.append(key.pk)
        if len(calls) == 2:
            raise SystemExit("the worker was killed")  # not an Exception: the run dies
        shred(key)

    monkeypatch.setattr(retention.crypto, "data_key_shred", dies_on_the_second)
    with pytest.raises(SystemExit):
        sweep_on(time_machine, date(2026, 7, 10))
    crashed = DestructionRun.objects.order_by("-started_at").first()
    assert crashed is not None
    assert crashed.finished_at is None and crashed.destroyed == 1
    assert Case.objects.get(pk=first.pk).destroyed_at is not None
    survivor = Case.objects.get(pk=second.pk)
    assert survivor.destroyed_at is None and survivor.members.exists()  # rolled back whole
    assert DataKey.objects.get(pk=second.data_key_id).wrapped_key is not None
    monkeypatch.setattr(retention.crypto, "data_key_shred", shred)
    resumed = sweep_on(time_machine, date(2026, 7, 10))
    assert resumed.destroyed == 1 and resumed.finished_at is not None
    assert DestructionRecord.objects.count() == 2
    assert set(DestructionRecord.objects.values_list("rule", flat=True)) == {"short"}


def test_a_case_that_fails_is_counted_and_the_others_are_destroyed(
    cast: Cast, time_machine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = _two_due_cases(cast, time_machine)
    sweep_on(time_machine, date(2026, 6, 10))
    unlink = retention.facts_unlink

    def fails_for_the_first(case: Case) -> int:
        if case.pk == first.pk:
            raise RuntimeError("a bug")
        return unlink(case)

    monkeypatch.setattr(retention, "facts_unlink", fails_for_the_first)
    run = sweep_on(time_machine, date(2026, 7, 10))
    assert (run.destroyed, run.failed) == (1, 1) and run.finished_at is not None
    assert Case.objects.get(pk=first.pk).destroyed_at is None
    assert Case.objects.get(pk=second.pk).destroyed_at is not None
