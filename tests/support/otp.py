"""Second-factor codes for tests, computed the way an authenticator app would."""

from __future__ import annotations

import base64
import time

from django_otp.plugins.otp_totp.models import TOTPDevice

from mda.totp import current_code


def secret_of(device: TOTPDevice) -> str:
    """The base32 secret a user would type into their authenticator app."""
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def code_for(device: TOTPDevice, at: float | None = None) -> str:
    """The six digits the user's app shows now (or at the Unix time *at*)."""
    return current_code(secret_of(device), at=at)


def wrong_code_for(device: TOTPDevice) -> str:
    """Six digits that are not accepted now: not the code of this, the previous or next step."""
    now = time.time()
    accepted = {code_for(device, at=now + offset) for offset in (-device.step, 0, device.step)}
    return next(f"{n:06d}" for n in range(10) if f"{n:06d}" not in accepted)
