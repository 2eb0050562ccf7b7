from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MdaConfig(AppConfig):
    name = "mda"
    verbose_name = _("MDA++ core")
