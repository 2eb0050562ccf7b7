"""Gunicorn settings for the web container: ``gunicorn -c config/gunicorn.py config.wsgi``.

Only the standard library here: gunicorn reads this file before the project is on sys.path.
WEB_CONCURRENCY (processes), WEB_THREADS (threads in each) and PORT can be set in the environment.
"""

from __future__ import annotations

import os


def _positive_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip() or str(default)
    if not value.isdigit() or int(value) < 1:
        raise SystemExit(f"{name} must be a whole number of at least 1, not {value!r}.")
    return int(value)


bind = f"0.0.0.0:{_positive_int('PORT', 8000)}"
# Threads, not more processes. A request costs ~30 ms of CPU and spends as long again waiting on
# PostgreSQL, Redis or the client; with sync workers a process idles through those waits and
# fifty users queue (server p99 1.6 s). With gthread each process serves WEB_THREADS requests at
# once and another thread runs while one waits. CPU work holds the GIL, so processes, not
# threads, use the cores: one per core (WEB_CONCURRENCY), at least two so a restart or a slow
# request never leaves nobody listening. Eight threads a process keep both busy through the waits
# without piling up requests that only wait for the GIL. Each thread keeps its own database
# connection (CONN_MAX_AGE, checked before reuse): processes x threads connections, 16 on two cores,
# well under PostgreSQL's default max_connections of 100 with a worker and beat beside it.
worker_class = "gthread"
workers = _positive_int("WEB_CONCURRENCY", max(2, os.cpu_count() or 1))
threads = _positive_int("WEB_THREADS", 8)
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
