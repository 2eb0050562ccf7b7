from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkbenchConfig(AppConfig):
    """The daily work across subjects: what needs someone today, and finding any case. Built on
    the access rules of casework and scheduling, it owns no data of its own."""

    name = "workbench"
    verbose_name = _("Workbench")
