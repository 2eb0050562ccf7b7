"""Blind indexes: keyed HMACs that find duplicates and repeat reports without decrypting.

The HMAC key is ``settings.MDA_BLIND_INDEX_KEY`` (urlsafe base64 of 32 bytes), never a master key:
an index must not help anyone who holds the encryption keys, nor the other way round. Each kind of
index has its own domain prefix, so a BSN index can never equal a name + date of birth index.

Changing the key changes every index: they must then be recomputed from the decrypted values.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import hmac
import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext_lazy as _

from mda.crypto import KEY_BYTES, decode_key, parse_master_keys

BLIND_INDEX_KEY_FORMAT = (
    "Expected MDA_BLIND_INDEX_KEY (or MDA_BLIND_INDEX_KEY_FILE): urlsafe base64 of 32 random "
    'bytes, different from every master key. Generate one with: python -c "import base64, os; '
    'print(base64.urlsafe_b64encode(os.urandom(32)).decode())"'
)
_BSN_SEPARATORS = re.compile(r"[\s.\-]")
_BSN_DIGITS = re.compile(r"[0-9]{9}")
_BSN_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def check_blind_index_key(value: str, *, master_keys: str) -> str:
    """For the settings: return *value* if it is a usable key distinct from every master key."""
    if not value.strip():
        raise ImproperlyConfigured(f"MDA_BLIND_INDEX_KEY is not set. {BLIND_INDEX_KEY_FORMAT}")
    key = decode_key(value)
    if key is None:
        raise ImproperlyConfigured(f"MDA_BLIND_INDEX_KEY is malformed. {BLIND_INDEX_KEY_FORMAT}")
    if key in parse_master_keys(master_keys).keys.values():
        raise ImproperlyConfigured(
            f"MDA_BLIND_INDEX_KEY is one of the master keys. {BLIND_INDEX_KEY_FORMAT}"
        )
    return value


@functools.lru_cache(maxsize=8)
def _decoded_key(value: str) -> bytes:
    key = decode_key(value, size=KEY_BYTES)
    if key is None:
        raise ImproperlyConfigured(f"MDA_BLIND_INDEX_KEY is malformed. {BLIND_INDEX_KEY_FORMAT}")
    return key


def _index_key() -> bytes:
    value = getattr(settings, "MDA_BLIND_INDEX_KEY", None)
    if not value or not isinstance(value, str):
        raise ImproperlyConfigured(f"MDA_BLIND_INDEX_KEY is not set. {BLIND_INDEX_KEY_FORMAT}")
    return _decoded_key(value)


def _hmac(domain: bytes, message: bytes) -> str:
    return hmac.new(_index_key(), domain + message, hashlib.sha256).hexdigest()


# --- BSN ------------------------------------------------------------------------------------


def normalise_bsn(raw: str) -> str:
    """Drop the spaces, dots and dashes people type in a BSN ("1234.56.782" -> "123456782")."""
    return _BSN_SEPARATORS.sub("", raw)


def validate_bsn(raw: str) -> str:
    """Return the normalised BSN, or raise ValidationError (the message never repeats it)."""
    bsn = normalise_bsn(raw)
    if not _BSN_DIGITS.fullmatch(bsn):
        raise ValidationError(_("A BSN consists of exactly 9 digits."), code="bsn_format")
    checksum = sum(weight * int(digit) for weight, digit in zip(_BSN_WEIGHTS, bsn, strict=True))
    if bsn == "000000000" or checksum % 11:
        raise ValidationError(
            _("This is not a valid BSN: it does not pass the eleven test (elfproef)."),
            code="bsn_checksum",
        )
    return bsn


def bsn_index(bsn: str) -> str:
    """Hex HMAC-SHA256 of the normalised BSN; raises ValidationError for an invalid BSN."""
    return _hmac(b"bsn:", validate_bsn(bsn).encode("ascii"))


# --- Name and date of birth ------------------------------------------------------------------


def normalise_name(name: str) -> str:
    """Letters only, without accents, case-folded, words separated by one space.

    "  José  d'Ávila-Smit " -> "jose d avila smit". Punctuation separates words, so "de Vries"
    and "de-Vries" match; "deVries" does not.
    """
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    kept = (
        char if char.isalpha() else " "
        for char in decomposed
        if not unicodedata.category(char).startswith("M")
    )
    return " ".join("".join(kept).split())


def name_dob_index(name: str, date_of_birth: datetime.date) -> str:
    """Hex HMAC-SHA256 of the normalised name and the date of birth (ISO)."""
    normalised = normalise_name(name)
    if not normalised:
        raise ValueError("name_dob_index() needs a name with at least one letter.")
    day = datetime.date(date_of_birth.year, date_of_birth.month, date_of_birth.day)
    return _hmac(b"name-dob:", normalised.encode("utf-8") + b"\x00" + day.isoformat().encode())
