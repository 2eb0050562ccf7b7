from __future__ import annotations

from celery import shared_task

from mda.services import heartbeat_record


@shared_task(name="mda.tasks.record_heartbeat", ignore_result=True)
def record_heartbeat() -> None:
    """Scheduled by beat, run by a worker: proves the whole beat -> broker -> worker path."""
    heartbeat_record(name="worker")
