"""Settings for a developer's machine and the demo: embedded defaults, generated dev secrets."""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import VAR_DIR

DEBUG = True
MDA_ENVIRONMENT = "development"

# whitenoise warns on each request while STATIC_ROOT is missing (production runs collectstatic).
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)
