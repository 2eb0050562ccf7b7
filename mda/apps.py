from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def _forget_working_days(**kwargs: Any) -> None:
    """A decree day or closing day changed: forget the cached ones now, and again when the
    transaction commits (another process may have cached the old state in between)."""
    from mda.workdays import workdays_forget

    workdays_forget()
    transaction.on_commit(workdays_forget)


class MdaConfig(AppConfig):
    name = "mda"
    verbose_name = _("MDA++ core")

    def ready(self) -> None:
        import mda.queries  # noqa: F401  (registers the ``__in_array`` lookup)
        from mda.models import DecreedDay, RegionClosingDay

        # Cache invalidation, not a business rule: it must follow every write, from any path.
        for model in (DecreedDay, RegionClosingDay):
            post_save.connect(_forget_working_days, sender=model, dispatch_uid=f"workdays-{model}")
            post_delete.connect(
                _forget_working_days, sender=model, dispatch_uid=f"workdays-del-{model}"
            )
