"""Settings for a developer's machine and the demo: embedded defaults, generated dev secrets."""

from __future__ import annotations

from config.dev_secrets import dev_secret

from .base import *  # noqa: F403
from .base import VAR_DIR

DEBUG = True
SECRET_KEY = dev_secret(VAR_DIR, "SECRET_KEY")
MDA_ENVIRONMENT = "development"
