"""Reliability with real processes: Celery workers on Redis, against PostgreSQL.

- Two workers and two sweeps at the same time over a few hundred due agreements: every step is
  sent exactly once (notices, in-app notifications and e-mails counted).
- A worker SIGKILLed while claiming and while sending, then a new one: nothing lost, no notice or
  notification twice; e-mail is at least once (see scheduling/services/escalation.py).
- Redis down: the sweep claims and keeps what it could not queue; when Redis is back (empty, as
  after a crash without persistence) the next sweep queues it and everything is sent once.

They need DATABASE_URL and REDIS_URL: skipped without them, and a failure of the run when
MDA_REQUIRE_SERVICES is set (tests/conftest.py).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection
from django.utils import timezone

from mda.models import Notification
from mda.notifications import notification_email
from mda.outbox import claim_timeout
from mda.workdays import work_calendar
from scheduling.models import EscalationNotice
from scheduling.services import ladder_of
from scheduling.tasks import DELIVERY_BATCH, deliver_escalations, sweep_escalations
from tests.casework.conftest import Scenario
from tests.conftest import REQUIRE_SERVICES, Cast
from tests.scheduling.conftest import bulk_agreements
from tests.scheduling.mail_counter import message_line
from tests.support.worker import Worker, stop, worker_command, worker_environment

HAVE_SERVICES = bool(os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"))
pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not HAVE_SERVICES and not REQUIRE_SERVICES,
        reason="needs PostgreSQL and Redis (DATABASE_URL and REDIS_URL)",
    ),
]
STEPS_DUE = 3  # per agreement due three working days ago: reminder -2, reminder 0, rung 1 (+2)
SWEEP = [
    sys.executable,
    "-c",
    "import django; django.setup(); "
    "from scheduling.tasks import sweep_escalations; sweep_escalations()",
]


@dataclass
class Rig:
    """Workers on one queue, and where their e-mails go."""

    queue: str
    mail_file: Path
    tmp: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    workers: list[Worker] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        return {
            **worker_environment(),
            "DJANGO_SETTINGS_MODULE": "tests.scheduling.worker_settings",
            "MDA_TEST_QUEUE": self.queue,
            "MDA_TEST_MAIL_FILE": str(self.mail_file),
            "MDA_TEST_REQUEUE_SECONDS": "2",
            **self.extra_env,
        }

    def start_worker(self) -> Worker:
        log_path = self.tmp / f"worker-{len(self.workers)}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                worker_command(self.queue),
                cwd=settings.BASE_DIR,
                env=self.env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        worker = Worker(process=process, queue=self.queue, log_path=log_path)
        self.workers.append(worker)
        return worker

    def sweep_in_worker(self) -> None:
        """What beat does every minute: a sweep message for a worker."""
        sweep_escalations.apply_async(queue=self.queue)

    def sweep_in_process(self) -> subprocess.CompletedProcess[str]:
        """A sweep run by a process of its own against this rig's broker (a beat-run sweep)."""
        return subprocess.run(
            SWEEP,
            cwd=settings.BASE_DIR,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def mail_lines(self) -> list[str]:
        return self.mail_file.read_text().splitlines() if self.mail_file.exists() else []

    def logs(self) -> str:
        return "\n".join(w.log()[-4000:] for w in self.workers)


@pytest.fixture
def rig(transactional_db: None, tmp_path: Path) -> Iterator[Rig]:
    if not HAVE_SERVICES:
        pytest.fail("MDA_REQUIRE_SERVICES is set: these tests must run against PostgreSQL + Redis")
    assert connection.vendor == "postgresql"
    rig = Rig(
        queue=f"mda-test-{uuid.uuid4().hex[:12]}", mail_file=tmp_path / "mail.txt", tmp=tmp_path
    )
    try:
        yield rig
    finally:
        for worker in rig.workers:
            stop(worker.process)


def _due_agreements(cast: Cast, scenario: Scenario, count: int) -> int:
    ladder_of(cast.north)
    due = work_calendar(cast.north).add_working_days(timezone.localdate(), -3)
    bulk_agreements(cast, scenario.case, count, due)
    return count * STEPS_DUE


def _sent() -> int:
    return EscalationNotice.objects.filter(status="sent").count()


def _wait(rig: Rig, condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)  # waiting for other processes, not for the clock
    pytest.fail(f"{what} did not happen within {timeout:.0f} s; sent {_sent()}.\n{rig.logs()}")


def _settle(rig: Rig, expected: int) -> None:
    """Wait until everything was sent, then a while longer, so late duplicates would show."""
    _wait(
        rig,
        lambda: _sent() == expected and len(rig.mail_lines()) >= expected,
        120,
        f"{expected} notices and e-mails",
    )
    rig.sweep_in_worker()  # one more beat: must find nothing more to send
    time.sleep(3)


def _assert_exactly_once(expected: int) -> None:
    assert EscalationNotice.objects.count() == expected
    assert _sent() == expected
    notifications = Notification.objects.count()
    assert notifications == expected  # one recipient per step: owner (rung 0), team lead (1)
    per_step = Counter(EscalationNotice.objects.values_list("agreement_id", "rung_id"))
    assert set(per_step.values()) == {1}


def test_two_workers_and_two_sweeps_send_every_step_exactly_once(
    rig: Rig, cast: Cast, scenario: Scenario
) -> None:
    expected = _due_agreements(cast, scenario, 200)
    rig.start_worker()
    rig.start_worker()
    rig.sweep_in_worker()
    rig.sweep_in_worker()
    # And every notice handed out twice more, as a lost-message requeue would: the two workers
    # race for the same notices while the sweeps' own deliveries run.
    _wait(rig, lambda: EscalationNotice.objects.count() == expected, 60, "the claims")
    ids = [str(i) for i in EscalationNotice.objects.values_list("pk", flat=True)]
    for _round in range(2):
        for start in range(0, len(ids), DELIVERY_BATCH):
            deliver_escalations.apply_async((ids[start : start + DELIVERY_BATCH],), queue=rig.queue)

    _settle(rig, expected)

    _assert_exactly_once(expected)
    lines = rig.mail_lines()
    assert len(lines) == expected and len(set(lines)) == expected, Counter(lines).most_common(3)
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 0


@pytest.mark.parametrize("kill_when", ["claiming", "sending"])
def test_a_worker_killed_mid_sweep_loses_nothing_and_sends_nothing_twice(
    kill_when: str, rig: Rig, cast: Cast, scenario: Scenario
) -> None:
    expected = _due_agreements(cast, scenario, 90)
    # Batches of five (54 messages, not two of 250 and 20): a kill after a third was sent lands
    # between two batches, not after the last one, however fast this machine delivers.
    rig.extra_env["MDA_TEST_DELIVERY_BATCH"] = "5"
    first = rig.start_worker()
    rig.sweep_in_worker()
    if kill_when == "claiming":
        _wait(rig, EscalationNotice.objects.exists, 60, "the first claim")
    else:
        _wait(rig, lambda: _sent() >= expected // 3, 60, "a third sent")
    os.killpg(first.process.pid, signal.SIGKILL)
    first.process.wait()
    sent_at_kill = _sent()
    assert sent_at_kill < expected, "the kill came too late to test anything"

    rig.start_worker()
    time.sleep(2.5)  # the requeue delay of the workers' settings (2 s): messages held are lost
    rig.sweep_in_worker()  # the next beat
    _wait(rig, lambda: _sent() == expected, 120, "everything sent after the restart")
    time.sleep(3)

    _assert_exactly_once(expected)
    _catch_up_emails_as_the_email_sweep_would()
    lines = rig.mail_lines() + [message_line(m) for m in mail.outbox]
    duplicates = sum(n - 1 for n in Counter(lines).values())
    assert len(set(lines)) == expected  # every step's e-mail went out
    # At least once: the one e-mail a killed worker may have handed to SMTP unmarked.
    assert duplicates <= 1, Counter(lines).most_common(3)


def _catch_up_emails_as_the_email_sweep_would() -> None:
    """mda's e-mail sweep, ten minutes on: stale claims (the killed worker's) and e-mails whose
    task was lost with it are sent, here in this process (locmem outbox)."""
    with time_machine.travel(timezone.now() + claim_timeout() + timedelta(minutes=1), tick=False):
        for pk in Notification.objects.filter(emailed_at__isnull=True).values_list("pk", flat=True):
            notification_email(notification_id=pk)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[Any]:
    """A redis-server of this test's own (the shared one is not ours to stop)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed")
    port = _free_port()
    processes: list[subprocess.Popen[bytes]] = []

    def start() -> None:
        process = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(tmp_path),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        processes.append(process)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    return
            time.sleep(0.05)
        pytest.fail("the private redis-server did not start")

    def kill() -> None:
        process = processes.pop()
        process.kill()
        process.wait()

    start()
    try:
        yield type(
            "PrivateRedis", (), {"url": f"redis://127.0.0.1:{port}/0", "start": start, "kill": kill}
        )
    finally:
        for process in processes:
            process.kill()
            process.wait()


def test_with_redis_down_nothing_is_lost_and_the_sweep_catches_up(
    rig: Rig, cast: Cast, scenario: Scenario, private_redis: Any
) -> None:
    rig.extra_env["MDA_TEST_BROKER_URL"] = private_redis.url
    expected = _due_agreements(cast, scenario, 40)
    rig.start_worker()
    private_redis.kill()  # Redis crashes; the worker keeps trying to reconnect

    down = rig.sweep_in_process()
    assert down.returncode == 0, down.stderr[-3000:]
    assert "broker unavailable" in down.stderr
    assert EscalationNotice.objects.count() == expected  # claimed in the database all the same
    assert not EscalationNotice.objects.filter(status="sent").exists()
    assert not EscalationNotice.objects.filter(queued_at__isnull=False).exists()

    private_redis.start()  # back, and empty
    up = rig.sweep_in_process()
    assert up.returncode == 0, up.stderr[-3000:]
    _wait(
        rig,
        lambda: _sent() == expected and len(rig.mail_lines()) >= expected,
        120,
        "catching up after Redis came back",
    )
    time.sleep(2)
    _assert_exactly_once(expected)
    assert len(rig.mail_lines()) == len(set(rig.mail_lines())) == expected
