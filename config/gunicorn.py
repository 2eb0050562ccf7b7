"""Gunicorn settings for the web container: ``gunicorn -c config/gunicorn.py config.wsgi``.

Only the standard library here: gunicorn reads this file before the project is on sys.path.
WEB_CONCURRENCY (worker processes) and PORT can be set in the environment.
"""

from __future__ import annotations

import os


def _positive_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip() or str(default)
    if not value.isdigit() or int(value) < 1:
        raise SystemExit(f"{name} must be a whole number of at least 1, not {value!r}.")
    return int(value)


bind = f"0.0.0.0:{_positive_int('PORT', 8000)}"
workers = _positive_int("WEB_CONCURRENCY", min(2 * (os.cpu_count() or 1) + 1, 8))
threads = 1
timeout = 30
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then, so a slow leak never grows into an outage.
max_requests = 1000
max_requests_jitter = 100
# Heartbeat files in memory: a container's overlay filesystem can stall and get workers killed.
worker_tmp_dir = "/dev/shm"  # noqa: S108 - gunicorn's advice for containers, not a shared tmp
accesslog = "-"
errorlog = "-"
# No query strings in the access log: search terms and references could identify a person.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'
