"""The ladder as people live it: completing stops it, a new due date restarts it, a coordinator
escalates by hand, recipients acknowledge, and nothing personal leaves the service by e-mail."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from kombu.exceptions import OperationalError

from casework import services
from casework.access import access_case
from casework.models import AgreementStatus
from mda.models import Notification, Role
from mda.notifications import notification_email
from scheduling import selectors, tasks
from scheduling import services as ladder
from scheduling.models import EscalationNotice, Rung
from tests.casework.conftest import Scenario
from tests.conftest import Cast
from tests.scheduling.conftest import (
    DESCRIPTION,
    REASON,
    LadderPeople,
    as_seen_by,
    at,
    make_agreement,
    run_ladder,
    sent_steps,
)

DUE = date(2026, 6, 12)


def _resolve(cast: Cast, persona: str, agreement: Any, status: str, reason: str = "") -> Any:
    user = cast.personas[persona].user
    return services.agreement_resolve(
        actor=user,
        agreement=as_seen_by(user, agreement, resolve=True),
        status=status,
        reason=reason,
    )


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (AgreementStatus.DONE, ""),
        (AgreementStatus.NOT_POSSIBLE, "Circumstances changed: the family moved."),
        (AgreementStatus.NOT_DONE, "No capacity in the team."),
    ],
)
def test_resolving_an_agreement_stops_its_ladder(
    status: str,
    reason: str,
    cast: Cast,
    scenario: Scenario,
    ladder_people: LadderPeople,
    travel: Any,
) -> None:
    travel(at(2026, 6, 1))
    agreement = make_agreement(cast, scenario.case, DUE)
    travel(at(2026, 6, 16, 10))
    run_ladder()
    assert sent_steps(agreement) == [(0, -2), (0, 0), (1, 2)]

    _resolve(cast, "social", agreement, status, reason)
    travel(at(2026, 8, 1))
    run_ladder()
    assert sent_steps(agreement) == [(0, -2), (0, 0), (1, 2)]


def test_a_step_claimed_before_completion_is_cancelled_not_sent(
    cast: Cast, scenario: Scenario, ladder_people: LadderPeople, travel: Any
) -> None:
    travel(at(2026, 6, 1))
    agreement = make_agreement(cast, scenario.case, DUE)
    travel(at(2026, 6, 16, 10))
    ladder.escalations_sweep()  # claimed: three notices wait for a worker
    ids = ladder.escalations_claim_for_dispatch()
    assert len(ids) == 3

    _resolve(cast, "social", agreement, AgreementStatus.DONE)

    assert [ladder.escalation_deliver(notice_id=i) for i in ids] == ["cancelled"] * 3
    assert not Notification.objects.exists()
    assert set(EscalationNotice.objects.values_list("status", flat=True)) == {"cancelled"}


def test_a_resolved_agreement_cannot_be_resolved_again_and_needs_a_reason_when_not_done(
    cast: Cast, scenario: Scenario
) -> None:
    agreement = make_agreement(cast, scenario.case, date.today() + timedelta(days=30))
    with pytest.raises(ValidationError) as missing:
        _resolve(cast, "social", agreement, AgreementStatus.NOT_DONE, "  ")
    assert "reason" in missing.value.message_dict
    _resolve(cast, "social", agreement, AgreementStatus.DONE)
    with pytest.raises(ValidationError):
        _resolve(cast, "coordinator", agreement, AgreementStatus.NOT_DONE, "Too late after all.")


def test_a_new_due_date_restarts_the_ladder_for_that_date(
    cast: Cast, scenario: Scenario, ladder_people: LadderPeople, travel: Any
) -> None:
    travel(at(2026, 6, 1))
    agreement = make_agreement(cast, scenario.case, DUE)
    travel(at(2026, 6, 10, 10))
    run_ladder()
    assert sent_steps(agreement) == [(0, -2)]

    coordinator = cast.coordinator.user
    services.agreement_update(
        actor=coordinator, agreement=as_seen_by(coordinator, agreement), due_date=date(2026, 6, 26)
    )
    travel(at(2026, 6, 16, 10))  # +2 of the old date: nothing, the old round is over
    run_ladder()
    assert sent_steps(agreement) == [(0, -2)]
    travel(at(2026, 6, 24, 10))  # -2 of the new date: the reminder again, in round 1
    run_ladder()
    rounds = list(
        EscalationNotice.objects.filter(agreement=agreement, status="sent")
        .order_by("due_at")
        .values_list("ladder_round", "rung_number")
    )
    assert rounds == [(0, 0), (1, 0)]
    assert agreement.events.filter(kind="rescheduled").get().detail == {
        "old": "2026-06-12",
        "new": "2026-06-26",
    }


def test_two_sweeps_and_repeated_deliveries_send_each_step_once(
    cast: Cast, scenario: Scenario, ladder_people: LadderPeople, travel: Any
) -> None:
    travel(at(2026, 6, 1))
    agreements = [make_agreement(cast, scenario.case, DUE) for _ in range(3)]
    travel(at(2026, 6, 16, 10))
    ladder.escalations_sweep()
    ladder.escalations_sweep()
    ids = list(EscalationNotice.objects.values_list("pk", flat=True))
    assert len(ids) == 9
    outcomes = [ladder.escalation_deliver(notice_id=i) for i in ids + ids]
    assert outcomes.count("sent") == 9 and outcomes.count("skipped") == 9
    for agreement in agreements:
        assert sent_steps(agreement) == [(0, -2), (0, 0), (1, 2)]
    assert Notification.objects.count() == 9  # owner twice, team lead once, per agreement


def test_the_database_refuses_a_second_notice_for_the_same_step(
    cast: Cast, scenario: Scenario, travel: Any
) -> None:
    travel(at(2026, 6, 1))
    agreement = make_agreement(cast, scenario.case, DUE)
    travel(at(2026, 6, 10, 10))
    ladder.escalations_sweep()
    first = EscalationNotice.objects.get()
    first.id = uuid.uuid4()
    with pytest.raises(IntegrityError), transaction.atomic():
        first.save(force_insert=True)
    assert EscalationNotice.objects.filter(agreement=agreement).count() == 1


def test_a_rung_with_nobody_to_tell_goes_to_the_coordinators(
    cast: Cast, scenario: Scenario, travel: Any
) -> None:
    travel(at(2026, 6, 1))
    agreement = make_agreement(cast, scenario.case, DUE)  # no Veilig Thuis team lead in the cast
    travel(at(2026, 6, 19, 10))
    run_ladder()
    notice = EscalationNotice.objects.get(agreement=agreement, rung_number=2)
    assert [(d.user.username, d.fallback) for d in notice.deliveries.all()] == [
        ("coordinator", True)
    ]


def test_without_an_owner_person_the_owner_organisations_team_lead_is_reminded(
    cast: Cast, scenario: Scenario, travel: Any
) -> None:
    travel(at(2026, 6, 1))
    agreement = make_agreement(cast, scenario.case, DUE, owner=None)
    travel(at(2026, 6, 10, 10))
    run_ladder()
    notice = EscalationNotice.objects.get(agreement=agreement)
    assert [d.user.username for d in notice.deliveries.all()] == ["escalation"]


def test_reminders_and_escalations_carry_reference_rung_due_date_and_link_only(
    cast: Cast, scenario: Scenario, ladder_people: LadderPeople, travel: Any
) -> None:
    travel(at(2026, 6, 1))
    agreement = make_agreement(cast, scenario.case, DUE)
    travel(at(2026, 7, 10))
    run_ladder()
    for notification in Notification.objects.all():
        notification_email(notification_id=notification.pk)
    assert len(mail.outbox) == 6
    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}"
        assert scenario.case.reference in text
        assert "/escalations/" in text
        assert "12" in text and "2026" in text  # the due date
        for secret in (
            "AGREEMENT-MARKER",
            "REASON-MARKER",
            "moeder",
            "Lokaal team",
            cast.social.user.last_name,
            "Johanna",
        ):
            assert secret not in text
    assert agreement.description_ct and DESCRIPTION.encode() not in bytes(agreement.description_ct)


def _raise(cast: Cast, scenario: Scenario, persona: str = "coordinator", **kwargs: Any) -> Any:
    user = cast.personas[persona].user
    rung = kwargs.pop("rung", None) or Rung.objects.get(
        ladder=ladder.ladder_of(cast.north), number=4
    )
    return ladder.escalation_raise(
        actor=user,
        case=access_case(user, scenario.case.pk),
        rung=rung,
        reason=kwargs.pop("reason", f"{REASON}: the school does not cooperate"),
        **kwargs,
    )


def test_a_coordinator_escalates_a_case_by_hand_to_any_rung_with_a_reason(
    cast: Cast, scenario: Scenario, ladder_people: LadderPeople
) -> None:
    notice = _raise(cast, scenario)
    assert REASON.encode() not in bytes(notice.reason_ct)
    assert ladder.escalation_deliver(notice_id=notice.pk) == "sent"
    assert [d.user.username for d in notice.deliveries.all()] == ["mayor"]
    mayor_note = Notification.objects.get(recipient=ladder_people.mayor)
    assert REASON not in mayor_note.body and scenario.case.reference in mayor_note.subject

    again = _raise(cast, scenario)  # by hand is never folded into an earlier step
    assert ladder.escalation_deliver(notice_id=again.pk) == "sent"
    assert EscalationNotice.objects.filter(manual=True).count() == 2

    team_lead_rung = Rung.objects.get(ladder__region=cast.north, number=1)
    with pytest.raises(ValidationError) as which:
        _raise(cast, scenario, rung=team_lead_rung)
    assert "organisation" in which.value.message_dict
    to_team_lead = _raise(cast, scenario, rung=team_lead_rung, organisation=cast.orgs["local_team"])
    ladder.escalation_deliver(notice_id=to_team_lead.pk)
    assert [d.user.username for d in to_team_lead.deliveries.all()] == ["escalation"]


def test_only_a_coordinator_escalates_by_hand_and_only_with_a_real_reason(
    cast: Cast, scenario: Scenario
) -> None:
    with pytest.raises(PermissionDenied):
        _raise(cast, scenario, persona="police")
    with pytest.raises(ValidationError) as short:
        _raise(cast, scenario, reason="stuck")
    assert "reason" in short.value.message_dict


def test_a_recipient_acknowledges_and_the_open_list_follows_the_agreement(
    cast: Cast, scenario: Scenario, ladder_people: LadderPeople, travel: Any
) -> None:
    travel(at(2026, 6, 1))
    agreement = make_agreement(cast, scenario.case, DUE)
    travel(at(2026, 6, 16, 10))
    run_ladder()
    lead = cast.escalation.user
    (notice,) = selectors.escalations_addressed_to(actor=lead)
    ladder.escalation_acknowledge(actor=lead, notice=notice)
    (still,) = selectors.escalations_addressed_to(actor=lead)
    assert still.my_acknowledged_at is not None  # acknowledged, but the agreement still stalls

    _resolve(cast, "social", agreement, AgreementStatus.DONE)
    assert not selectors.escalations_addressed_to(actor=lead)
    assert len(selectors.escalations_addressed_to(actor=lead, open_only=False)) == 1


def test_when_the_broker_is_down_the_notices_wait_for_the_next_sweep(
    cast: Cast, scenario: Scenario, travel: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    travel(at(2026, 6, 1))
    make_agreement(cast, scenario.case, DUE)
    travel(at(2026, 6, 12, 10))
    published: list[str] = []

    def broker_down(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("Error 111 connecting to redis")

    monkeypatch.setattr(tasks.deliver_escalations, "apply_async", broker_down)
    tasks.sweep_escalations()
    assert set(EscalationNotice.objects.values_list("status", "queued_at")) == {("pending", None)}

    monkeypatch.setattr(
        tasks.deliver_escalations, "apply_async", lambda args, **kw: published.extend(args[0])
    )
    tasks.sweep_escalations()
    assert sorted(published) == sorted(
        str(i) for i in EscalationNotice.objects.values_list("pk", flat=True)
    )
    tasks.sweep_escalations()
    assert len(published) == 2  # queued once; again only when the message looks lost


def test_a_lost_message_is_queued_again_after_the_requeue_timeout(
    cast: Cast, scenario: Scenario, travel: Any
) -> None:
    travel(at(2026, 6, 1))
    make_agreement(cast, scenario.case, DUE)
    travel(at(2026, 6, 10, 10))
    ladder.escalations_sweep()
    first = ladder.escalations_claim_for_dispatch()
    assert len(first) == 1 and not ladder.escalations_claim_for_dispatch()
    travel(at(2026, 6, 10, 10) + ladder.REQUEUE_AFTER + timedelta(seconds=1))
    assert ladder.escalations_claim_for_dispatch() == first


def test_the_default_ladder_is_the_one_in_the_domain_brief(cast: Cast) -> None:
    rungs = ladder.ladder_of(cast.north).rungs.order_by("number", "offset_working_days")
    assert [(r.number, r.offset_working_days) for r in rungs] == [
        (0, -2),
        (0, 0),
        (1, 2),
        (2, 5),
        (3, 10),
        (4, 15),
    ]
    assert rungs.get(number=3).roles == [Role.COORDINATOR, Role.ESCALATION_OFFICIAL]
    assert ladder.ladder_of(cast.north) == ladder.ladder_of(cast.north.pk)
