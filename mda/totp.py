"""Print the current TOTP code for a base32 secret: ``python -m mda.totp SECRET``.

For the demo and the tests, so a newcomer can log in without an authenticator app.
"""

from __future__ import annotations

import base64
import sys
import time

from django_otp.oath import hotp


def current_code(secret_base32: str, at: float | None = None) -> str:
    cleaned = secret_base32.replace(" ", "").upper()
    key = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    moment = int(time.time() if at is None else at)
    return f"{hotp(key, moment // 30, digits=6):06d}"


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m mda.totp BASE32SECRET")
    print(current_code(sys.argv[1]))
