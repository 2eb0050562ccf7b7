"""Celery tasks of casework: thin, they call one service."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="casework.tasks.sweep_check_ins", ignore_result=True)
def sweep_check_ins() -> int:
    """Tell case directors of follow-up check-ins that fell due (each once: claimed first)."""
    from casework.services import check_ins_due_notify

    return check_ins_due_notify()
