"""What starting Django costs a process that serves no API: the Celery worker and beat, every
management command. ``django.setup()`` imports the apps (for the REST framework and drf-spectacular
only their app configurations and checks), their models and what their ``ready()`` registers, and
the Celery tasks (``config.celery``). Not the REST framework's fields, serializers and views, nor
drf-spectacular's schema machinery, nor what they pull in (requests, psycopg through
django.contrib.postgres): those added 0.2 s, a third, to each such start, through one helper
(``token_digest``) that the core's services took from the API's authentication module."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
# What django.setup() may import of the API packages: their apps and checks, and packages.
SETUP_ONLY = {"", "apps", "checks"}
API_PACKAGES = ("rest_framework", "drf_spectacular")


def test_starting_django_imports_no_api_framework() -> None:
    show = "import json, sys, django; django.setup(); print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", show],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    modules = json.loads(result.stdout.splitlines()[-1])
    api = [m for m in modules if m.split(".")[0] in API_PACKAGES]
    assert [m for m in api if m.partition(".")[2] not in SETUP_ONLY] == []
    assert api  # the apps themselves are installed and were imported
