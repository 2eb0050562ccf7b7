from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = _("Scheduling")

    def ready(self) -> None:
        # However a rung is changed (the administration, the shell, a data migration), the
        # agreements its ladder had completed are checked again by the next sweep.
        post_save.connect(_rung_changed, sender="scheduling.Rung", dispatch_uid="rung-saved")
        post_delete.connect(_rung_changed, sender="scheduling.Rung", dispatch_uid="rung-deleted")

        # Casework's subject-access report holds the minutes and contributions of a case's
        # meeting slots; casework may not import scheduling, so scheduling adds them.
        from casework.selectors.subject_access import subject_access_content_register
        from scheduling.selectors.subject_access import slot_content_for_subject_access

        subject_access_content_register(slot_content_for_subject_access)


def _rung_changed(*, instance: Any, raw: bool = False, **_kwargs: Any) -> None:
    from scheduling.models import Ladder
    from scheduling.services.escalation import ladders_reopen

    if raw:  # loading fixtures
        return
    ladder = Ladder.objects.filter(pk=instance.ladder_id).values_list("region_id", flat=True)
    region_id = ladder.first()
    if region_id is not None:
        ladders_reopen(region_id=region_id)
