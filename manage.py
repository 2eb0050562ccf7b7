#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from django.core.management import execute_from_command_line

    from config.env import StartupError

    try:
        execute_from_command_line(sys.argv)
    except StartupError as error:  # the message says what is wrong and what to do
        sys.exit(f"Error: {error}")


if __name__ == "__main__":
    main()
