"""Data migrations of casework, run on rows made in the shape before them: the weegmoment's
plaintext is sealed and its columns dropped; risk outcomes of a referral say who recorded them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from casework.models import Participation, RiskAssessment
from mda import crypto
from tests.casework.test_case_register import _all_rows_as_text
from tests.conftest import Cast

BEFORE = [("casework", "0006_participation_revoke_reason")]
PURPOSE = "OLD-PURPOSE-MARKER coordination of care"
NECESSITY = "OLD-NECESSITY-MARKER one plan"
OTHER = "OLD-OTHER-MARKER local covenant"


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)  # a fresh loader sees the applied state


@pytest.fixture
def before_the_migrations(transactional_db: None) -> Iterator[Any]:
    """The database as it was before risk history and sealed weegmomenten; afterwards forward
    to the latest state again, whatever the test did."""
    executor = _migrate(BEFORE)
    try:
        yield executor.loader.project_state(BEFORE).apps
    finally:
        latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
        _migrate(latest)


def _old_case(apps: Any, cast: Cast, *, shredded: bool = False) -> Any:
    Case = apps.get_model("casework", "Case")
    key = crypto.data_key_create()
    if shredded:
        crypto.data_key_shred(key)
    return Case.objects.create(
        id=uuid.uuid4(),
        reference=f"MDA-2025-{uuid.uuid4().hex[:4]}",
        region_id=cast.north.pk,
        referring_organisation_id=cast.orgs["local_team"].pk,
        referred_by_id=cast.social.user.pk,
        data_key_id=key.pk,
        reason_ct=b"not read here",
    )


def test_existing_rows_are_sealed_and_their_plaintext_is_gone(
    cast: Cast, before_the_migrations: Any
) -> None:
    apps = before_the_migrations
    OldParticipation = apps.get_model("casework", "Participation")
    OldRisk = apps.get_model("casework", "RiskAssessment")
    case, gone = _old_case(apps, cast), _old_case(apps, cast, shredded=True)
    rows = {}
    for on in (case, gone):
        rows[on.pk] = OldParticipation.objects.create(
            case=on,
            organisation_id=cast.orgs["ggz"].pk,
            level=1,
            legal_basis="other",
            legal_basis_other=OTHER,
            purpose=PURPOSE,
            necessity=NECESSITY,
            decided_by_id=cast.coordinator.user.pk,
            decided_at=timezone.now(),
        )
    OldRisk.objects.create(
        case=case,
        instrument="arij",
        assessed_on=timezone.localdate(),
        assessor_organisation_id=cast.orgs["police"].pk,
        outcome="high",
    )
    assert PURPOSE in _all_rows_as_text()

    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    _migrate(latest)

    dump = _all_rows_as_text()
    for text in (PURPOSE, NECESSITY, OTHER):
        assert text.split()[0] not in dump
    sealed = Participation.objects.select_related("case__data_key").get(pk=rows[case.pk].pk)
    key = sealed.case.data_key
    assert crypto.unseal(sealed, "purpose_ct", key) == PURPOSE
    assert crypto.unseal(sealed, "necessity_ct", key) == NECESSITY
    assert crypto.unseal(sealed, "legal_basis_other_ct", key) == OTHER
    shredded = Participation.objects.select_related("case__data_key").get(pk=rows[gone.pk].pk)
    with pytest.raises(crypto.KeyShreddedError):
        crypto.unseal(shredded, "purpose_ct", shredded.case.data_key)
    risk = RiskAssessment.objects.get(case_id=case.pk)
    assert risk.at_referral
    assert (risk.recorded_by_id, risk.recorded_organisation_id) == (
        cast.social.user.pk,
        cast.orgs["local_team"].pk,
    )
    assert risk.recorded_at == Participation.objects.get(pk=rows[case.pk].pk).case.created_at
