"""Settings for the worker processes of the reliability tests: the test settings, plus

- every task on the test's own queue (the sweep queues deliveries and e-mails on the default
  queue, so the default queue must be the one this test's workers listen on);
- e-mails appended to a file, one line per message, so the test counts what was really sent;
- a short requeue delay, so "the next sweep" after a crash does not have to wait five minutes;
- optionally small delivery batches, so that a worker killed while sending dies between two;
- optionally a broker of the test's own (the Redis-down test stops and restarts it).
"""

from __future__ import annotations

import os

from config.settings.test import *  # noqa: F403

CELERY_TASK_DEFAULT_QUEUE = os.environ["MDA_TEST_QUEUE"]
EMAIL_BACKEND = "tests.scheduling.mail_counter.AppendingBackend"
MDA_TEST_MAIL_FILE = os.environ["MDA_TEST_MAIL_FILE"]
MDA_ESCALATION_REQUEUE_SECONDS = int(os.environ.get("MDA_TEST_REQUEUE_SECONDS", "300"))
if os.environ.get("MDA_TEST_DELIVERY_BATCH"):
    MDA_ESCALATION_DELIVERY_BATCH = int(os.environ["MDA_TEST_DELIVERY_BATCH"])
if os.environ.get("MDA_TEST_BROKER_URL"):
    CELERY_BROKER_URL = os.environ["MDA_TEST_BROKER_URL"]
