"""The background path end to end: this process -> broker -> a real worker process -> database."""

from __future__ import annotations

import pytest

from mda.models import ServiceHeartbeat
from mda.tasks import record_heartbeat
from tests.support import worker as worker_support
from tests.support.worker import Worker

celery_worker = worker_support.celery_worker  # the fixture, made available to this module

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def worker_heartbeat_exists() -> bool:
    return ServiceHeartbeat.objects.filter(name="worker").exists()


def test_a_task_sent_through_the_broker_is_run_by_a_real_worker(celery_worker: Worker) -> None:
    assert not worker_heartbeat_exists()

    # .delay() with a routing option: the queue only this test's worker listens on.
    record_heartbeat.apply_async(queue=celery_worker.queue)

    celery_worker.wait_for(worker_heartbeat_exists, timeout=30)
    celery_worker.wait_for(
        lambda: (
            "mda.tasks.record_heartbeat" in celery_worker.log()
            and "succeeded" in celery_worker.log()
        ),
        timeout=5,
    )
