"""The Celery app. Workers and beat start with ``celery -A config worker`` / ``beat``."""

from __future__ import annotations

import os
from pathlib import Path

from celery import Celery
from celery.signals import beat_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("mda")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _prepare_filesystem_broker() -> None:
    """kombu's filesystem transport expects its folders to exist."""
    if not str(app.conf.broker_url).startswith("filesystem"):
        return
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        folder = app.conf.broker_transport_options.get(key)
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)


app.on_after_configure.connect(lambda sender, **kwargs: _prepare_filesystem_broker(), weak=False)


def _start_audit_anchoring(sender: object = None, **kwargs: object) -> None:
    """The beat process writes the audit chain's head every few minutes (mda/audit_verify.py)."""
    from mda.audit_verify import start_anchoring

    start_anchoring()


beat_init.connect(_start_audit_anchoring, weak=False)
