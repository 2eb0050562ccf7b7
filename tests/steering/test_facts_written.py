"""The services write the facts as things happen (tests/steering/life.py); the backfill writes
the same facts from history, and is safe to run again; figures survive a case's destruction."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from django.core.management import call_command

from casework.models import Case, HouseholdMember, Identity
from mda import crypto
from mda.facts import ENDED_STATUSES, facts_unlink, statistics_token
from mda.models import DataKey, Fact, FactKind
from steering.api import figures_data
from steering.periods import Period
from steering.selectors import region_dashboard
from tests.conftest import Cast
from tests.steering.life import live
from tests.steering.scenario import spell

JAN = date(2026, 1, 1)
FEB = date(2026, 2, 1)


def facts() -> Counter[tuple[Any, ...]]:
    """The fact table as a multiset, agreement pairs (+1/-1) netted: what the figures read."""
    rows: Counter[tuple[Any, ...]] = Counter()
    for f in Fact.objects.all():
        key = (
            f.kind,
            f.category,
            f.month,
            f.until_month,
            f.organisation_kind,
            f.working_days,
            f.amount,
        )
        rows[key] += f.count
    return +rows  # drops the zeros left by netted pairs


def test_the_services_write_each_event_once_with_its_dimensions(
    cast: Cast, time_machine: Any
) -> None:
    live(cast, time_machine)
    written = facts()
    assert written[("referral", "new", JAN, None, "local_team", None, 1)] == 1
    assert written[("referral", "new", JAN, None, "veilig_thuis", None, 2)] == 1
    assert written[("triage", "accept", JAN, None, "", 2, None)] == 1
    assert written[("triage", "decline", JAN, None, "", 1, None)] == 1
    assert written[("plan", "", JAN, None, "", 3, None)] == 1
    assert written[("agreement", "on_time", JAN, None, "", None, None)] == 1
    assert not any(k[0] == "agreement" and k[1] == "open" for k in written)
    assert written[("escalation", "3", JAN, None, "", None, None)] == 1
    assert written[("escalation_ack", "3", JAN, None, "", None, None)] == 1
    # spells: A is in execution and phase 2 (open); B declined (no open spell)
    assert written[("status", "execution", JAN, None, "", None, None)] == 1
    assert written[("safety_phase", "1", JAN, FEB, "", None, None)] == 1
    assert written[("safety_phase", "2", FEB, None, "", None, None)] == 1
    assert written[("status", "declined", JAN, JAN, "", None, None)] == 1
    open_spells = Fact.objects.filter(kind=FactKind.STATUS, until_month__isnull=True)
    assert list(open_spells.values_list("category", flat=True)) == ["execution"]


def test_facts_hold_no_reference_no_id_and_no_text(cast: Cast, time_machine: Any) -> None:
    a, b = live(cast, time_machine)
    identifying = {a.reference, b.reference, str(a.pk), str(b.pk), "moeder", "kind 1"}
    for row in Fact.objects.values():
        assert not identifying & {str(v) for v in row.values()}
    assert Fact.objects.filter(subject=statistics_token(a.data_key)).exists()
    assert not Fact.objects.filter(subject=a.pk).exists()


def test_the_backfill_writes_what_the_services_wrote_and_runs_again_without_change(
    cast: Cast, time_machine: Any
) -> None:
    live(cast, time_machine)
    by_services = facts()
    Fact.objects.filter(
        kind__in=[
            "referral",
            "triage",
            "status",
            "safety_phase",
            "plan",
            "agreement",
            "escalation",
            "escalation_ack",
        ]
    ).delete()
    call_command("facts_backfill", verbosity=0)
    assert facts() == by_services
    rows = Fact.objects.count()
    call_command("facts_backfill", verbosity=0)
    assert Fact.objects.count() == rows


def test_the_backfill_completes_a_case_that_has_only_later_facts_without_counting_twice(
    cast: Cast, time_machine: Any
) -> None:
    live(cast, time_machine)
    by_services = facts()
    Fact.objects.filter(kind=FactKind.REFERRAL).delete()  # as if referred before the facts
    call_command("facts_backfill", verbosity=0)
    assert facts() == by_services


def test_figures_are_unchanged_after_a_case_is_destroyed(cast: Cast, time_machine: Any) -> None:
    a, _b = live(cast, time_machine)
    period = Period.parse("2026-Q1")
    before_facts = facts()
    before = figures_data(region_dashboard(cast.north, period))
    # Destruction as retention will do it: content, identities and the case row gone, the key
    # shredded.
    key = DataKey.objects.get(pk=a.data_key_id)
    Identity.objects.filter(member__case=a).delete()
    HouseholdMember.objects.filter(case=a).delete()
    Case.objects.filter(pk=a.pk).delete()
    crypto.data_key_shred(key)
    assert not Case.objects.filter(pk=a.pk).exists()
    assert facts() == before_facts
    assert figures_data(region_dashboard(cast.north, period)) == before
    # and the backfill cannot bring the destroyed case back nor count it twice
    call_command("facts_backfill", verbosity=0)
    assert facts() == before_facts


def test_a_destroyed_case_s_facts_can_be_unlinked_without_changing_a_figure(
    cast: Cast, time_machine: Any
) -> None:
    _a, b = live(cast, time_machine)  # B was declined: closed, as a case is when it is destroyed
    before = figures_data(region_dashboard(cast.north, Period.parse("2026-Q1")))
    token = statistics_token(b.data_key)
    assert facts_unlink(b) == 4  # referral, triage decision, spells "referred" and "declined"
    assert not Fact.objects.filter(subject=token).exists()
    Case.objects.filter(pk=b.pk).delete()
    assert figures_data(region_dashboard(cast.north, Period.parse("2026-Q1"))) == before


def test_the_writers_terminal_statuses_are_casework_s() -> None:
    from casework.transitions import TERMINAL

    assert {str(s) for s in TERMINAL} == ENDED_STATUSES


def test_a_change_dated_before_its_spell_began_ends_the_spell_in_its_own_month(
    cast: Cast,
) -> None:
    """A clock that disagrees across the turn of a month (a worker's behind the web's) dates a
    change before the spell it ends: the spell ends in the month it began, and nothing fails."""
    subject = spell(cast.north, [(FEB, "intake"), (JAN, "plan"), (JAN, "closed")])
    spells = Fact.objects.filter(subject=subject, kind=FactKind.STATUS).order_by("pk")

    assert list(spells.values_list("category", "month", "until_month")) == [
        ("intake", FEB, FEB),
        ("plan", JAN, JAN),
        ("closed", JAN, JAN),
    ]
