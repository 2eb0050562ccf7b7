from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = _("Scheduling")

    def ready(self) -> None:
        # Casework's subject-access report holds the minutes and contributions of a case's
        # meeting slots; casework may not import scheduling, so scheduling adds them.
        from casework.selectors.subject_access import subject_access_content_register
        from scheduling.selectors.subject_access import slot_content_for_subject_access

        subject_access_content_register(slot_content_for_subject_access)
