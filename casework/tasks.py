"""Celery tasks of casework: thin, they call one service."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="casework.tasks.sweep_check_ins", ignore_result=True)
def sweep_check_ins() -> int:
    """Tell case directors of follow-up check-ins that fell due (each once: claimed first)."""
    from casework.services import check_ins_due_notify

    return check_ins_due_notify()


@shared_task(name="casework.tasks.sweep_retention", ignore_result=True)
def sweep_retention() -> int:
    """Warn coordinators of coming destructions, then destroy every case that is due (each case
    claimed and destroyed in its own transaction; safe to run again or in parallel)."""
    from casework.services.retention import retention_sweep

    return retention_sweep().destroyed
