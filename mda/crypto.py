"""Field-level envelope encryption: per-case data keys wrapped by versioned master keys.

A sensitive field is encrypted with its case's data key (AES-256-GCM). The data key is stored
only wrapped (AES-256-GCM) by a master key that lives outside the database, in
``settings.MDA_MASTER_KEYS`` (``"1:<urlsafe-base64 32 bytes>,2:<...>"``; the highest version wraps
new keys). Shredding a data key destroys every ciphertext made with it, wherever copies are.

Ciphertext, format 1::

    0x01 | data key id (16 bytes) | nonce (12) | AES-256-GCM ciphertext + tag (16)

The associated data binds the format, table, column, row id and data key id, so a ciphertext copied
to another row, column, table or case does not decrypt. Wrapped data key, format 1::

    0x01 | nonce (12) | AES-256-GCM(master key v N) of the 32-byte data key + tag

with associated data binding the data key id and N. Every failure raises; nothing here ever
returns ciphertext or an empty string in place of plaintext, and no message contains plaintext or
key material.

The settings import this module to check ``MDA_MASTER_KEYS`` at start-up, so it must not import
models at module level (the app registry is not ready then).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import functools
import hashlib
import hmac
import os
import re
import struct
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

if TYPE_CHECKING:
    from django.db import models

    from mda.models.keys import DataKey

KEY_BYTES = 32
_NONCE_BYTES = 12
_TAG_BYTES = 16
_ID_BYTES = 16
_FIELD_FORMAT = 1
_WRAP_FORMAT = 1
_NONCE_AT = 1 + _ID_BYTES
_FIELD_HEADER = _NONCE_AT + _NONCE_BYTES
_FORMAT_BYTE = bytes([_FIELD_FORMAT])
_WRAPPED_LENGTH = 1 + _NONCE_BYTES + KEY_BYTES + _TAG_BYTES
_URLSAFE_B64 = re.compile(r"[A-Za-z0-9_-]+={0,2}")
_VERSION = re.compile(r"[0-9]{1,9}")
_T = TypeVar("_T")

MASTER_KEYS_FORMAT = (
    "Expected MDA_MASTER_KEYS (or MDA_MASTER_KEYS_FILE) in the form "
    "'1:<urlsafe-base64 of 32 random bytes>,2:<...>'; the highest version wraps new keys. "
    'Generate a key with: python -c "import base64, os; '
    'print(base64.urlsafe_b64encode(os.urandom(32)).decode())"'
)


class CryptoError(Exception):
    """Base class for every encryption failure."""


class MasterKeyError(CryptoError):
    """A master key is missing, malformed, unknown or wrong: a configuration problem."""


class DecryptionError(CryptoError):
    """A ciphertext does not decrypt: wrong key, altered, moved, truncated or malformed."""


class KeyShreddedError(DecryptionError):
    """The data key was destroyed (crypto-shredding); its data is gone for good."""


# --- Master keys ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Keyring:
    """Master keys by version; the highest version wraps new and re-wrapped data keys."""

    keys: Mapping[int, bytes] = dataclasses.field(repr=False)

    @property
    def versions(self) -> tuple[int, ...]:
        return tuple(sorted(self.keys))

    @property
    def newest_version(self) -> int:
        return max(self.keys)

    def key(self, version: int) -> bytes:
        try:
            return self.keys[version]
        except KeyError:
            raise MasterKeyError(
                f"Master key version {version} is not in MDA_MASTER_KEYS (it holds versions "
                f"{', '.join(map(str, self.versions))}). Data keys still use version {version}: "
                "put it back, then run `manage.py rotate_master_key` before retiring it."
            ) from None


def decode_key(text: str, *, size: int = KEY_BYTES) -> bytes | None:
    """Decode urlsafe base64 (padding optional) of exactly *size* bytes, else None."""
    text = text.strip()
    if not _URLSAFE_B64.fullmatch(text):
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == size else None


def parse_master_keys(value: str) -> Keyring:
    """Parse ``"1:<key>,2:<key>"``; raise MasterKeyError saying what is wrong (never the key)."""
    if not value or not value.strip():
        raise MasterKeyError(f"MDA_MASTER_KEYS is not set or empty. {MASTER_KEYS_FORMAT}")
    keys: dict[int, bytes] = {}
    for position, entry in enumerate(value.split(","), start=1):
        version, key = _parse_master_key_entry(entry, position)
        if version in keys:
            raise MasterKeyError(
                f"MDA_MASTER_KEYS lists version {version} twice. {MASTER_KEYS_FORMAT}"
            )
        keys[version] = key
    return Keyring(keys)


def _parse_master_key_entry(entry: str, position: int) -> tuple[int, bytes]:
    version_text, colon, key_text = entry.strip().partition(":")
    if not colon or not _VERSION.fullmatch(version_text.strip()) or int(version_text) < 1:
        raise MasterKeyError(
            f"MDA_MASTER_KEYS entry {position} does not start with a version number (1 or "
            f"higher) and a colon. {MASTER_KEYS_FORMAT}"
        )
    version = int(version_text)
    key = decode_key(key_text)
    if key is None:
        raise MasterKeyError(
            f"MDA_MASTER_KEYS version {version}: the key is not urlsafe base64 of exactly "
            f"{KEY_BYTES} bytes. {MASTER_KEYS_FORMAT}"
        )
    return version, key


def check_master_keys(value: str) -> str:
    """For the settings: return *value* if it is a valid keyring, else fail start-up."""
    try:
        parse_master_keys(value)
    except MasterKeyError as exc:
        raise ImproperlyConfigured(str(exc)) from None
    return value


@functools.lru_cache(maxsize=8)
def _cached_keyring(value: str) -> Keyring:
    return parse_master_keys(value)


def master_keyring() -> Keyring:
    """The keyring from ``settings.MDA_MASTER_KEYS``, cached by value so overrides take effect."""
    value = getattr(settings, "MDA_MASTER_KEYS", None)
    if not value:
        raise MasterKeyError(f"MDA_MASTER_KEYS is not set. {MASTER_KEYS_FORMAT}")
    if not isinstance(value, str):
        raise MasterKeyError(f"MDA_MASTER_KEYS must be a string. {MASTER_KEYS_FORMAT}")
    return _cached_keyring(value)


# --- Data keys --------------------------------------------------------------------------------


def _key_id(key: DataKey) -> uuid.UUID:
    key_id = key.id
    return key_id if type(key_id) is uuid.UUID else uuid.UUID(str(key_id))


def _wrap_aad(key_id: uuid.UUID, version: int) -> bytes:
    return b"mda-data-key\x00" + bytes([_WRAP_FORMAT]) + key_id.bytes + version.to_bytes(4, "big")


def _wrap(raw_key: bytes, key_id: uuid.UUID, version: int, keyring: Keyring) -> bytes:
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(keyring.key(version)).encrypt(nonce, raw_key, _wrap_aad(key_id, version))
    return bytes([_WRAP_FORMAT]) + nonce + sealed


def _unwrap(key: DataKey) -> bytes:
    """*key*'s raw data key, unwrapped now and kept nowhere (a re-wrap); raises as ``_cached``."""
    return _cached(_raw_of, key)


# Unwrapping a data key costs a master-key AES-GCM operation and a cipher set-up on every field;
# a page of a case reads many fields with one key. So each process keeps the ciphers of the data
# keys it used last. The entry is found by everything the unwrap depends on: the key id, the
# master key version and key, and the wrapped bytes as stored. A key re-wrapped elsewhere (new
# bytes or version) or shredded elsewhere (``wrapped_key`` NULL, refused above before any lookup)
# therefore never decrypts from a stale entry once its row is read again; this process also
# forgets everything when it re-wraps or shreds. Failures are never cached: they raise every time.
DATA_KEY_CACHE_SIZE = 1024


@functools.lru_cache(maxsize=DATA_KEY_CACHE_SIZE)
def _cipher_of(
    key_id: uuid.UUID, version: int, blob: bytes, master_keys: str
) -> tuple[AESGCM, bytes, bytes]:
    raw = _raw_of(key_id, version, blob, master_keys)
    return AESGCM(raw), data_key_aad(key_id), _FORMAT_BYTE + key_id.bytes


@functools.lru_cache(maxsize=DATA_KEY_CACHE_SIZE)
def _deriver_of(key_id: uuid.UUID, version: int, blob: bytes, master_keys: str) -> hmac.HMAC:
    """The HMAC-SHA256 of the raw data key, keyed and not yet fed: ``data_key_derive`` copies it
    (a statistics token per escalation sent would otherwise unwrap the key each time)."""
    return hmac.new(_raw_of(key_id, version, blob, master_keys), digestmod=hashlib.sha256)


def _raw_of(key_id: uuid.UUID, version: int, blob: bytes, master_keys: str) -> bytes:
    master = _cached_keyring(master_keys).key(version)
    try:
        return AESGCM(master).decrypt(
            blob[1 : 1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES :], _wrap_aad(key_id, version)
        )
    except InvalidTag:
        raise _UnwrapFailed from None


class _UnwrapFailed(Exception):
    pass


def _cipher(key: DataKey) -> tuple[AESGCM, bytes, bytes]:
    """The AES-GCM cipher of *key*'s data key, the end of a field's AAD under it (the length of
    the key's id and the id) and the header of a field sealed with it (the format byte and the
    id), see the cache above; raises like ``_unwrap``."""
    wrapped = key.wrapped_key
    # The same instance again (a page reading many fields): its own memo, valid while it holds
    # the very wrapped key and the settings object it was made under.
    memo = key.__dict__.get("_mda_cipher")
    if (
        memo is not None
        and memo[0] is wrapped
        and memo[1] is _SETTINGS_STATE["_wrapped"]
        and key.shredded_at is None
    ):
        return memo[2]
    found = _cached(_cipher_of, key)
    key.__dict__["_mda_cipher"] = (wrapped, _SETTINGS_STATE["_wrapped"], found)
    return found


def _cached(make: Callable[[uuid.UUID, int, bytes, str], _T], key: DataKey) -> _T:
    """What *make* (``_raw_of`` or one of the caches above) gives for *key*: KeyShreddedError
    when it was shredded, DecryptionError when its wrapped key is malformed, MasterKeyError when
    the master keys are missing or do not unwrap it."""
    master_keys = _master_keys_setting()
    wrapped = key.wrapped_key
    if key.shredded_at is not None or wrapped is None:
        raise KeyShreddedError(f"Data key {key.id} was shredded; its data cannot be decrypted.")
    blob = wrapped if type(wrapped) is bytes else bytes(wrapped)
    if len(blob) != _WRAPPED_LENGTH or blob[0] != _WRAP_FORMAT:
        raise DecryptionError(f"Data key {key.id} has a malformed wrapped key.")
    version = key.master_key_version
    try:
        return make(_key_id(key), version, blob, master_keys)
    except _UnwrapFailed:
        raise MasterKeyError(
            f"Data key {key.id} does not unwrap with master key version {version}: "
            f"MDA_MASTER_KEYS holds a different key for version {version} than the one it was "
            "wrapped with, or the wrapped key was altered."
        ) from None


_master_keys_seen: tuple[object, str] | None = None

# The settings object's own attribute dict, kept once: tests override settings by putting another
# object under its "_wrapped" key, and reading that key straight from the dict costs a tenth of
# reading it through the lazy settings object (which a field's memo check would pay every time).
_SETTINGS_STATE = settings.__dict__


def _master_keys_setting() -> str:
    """``settings.MDA_MASTER_KEYS``, checked, read again only when the settings object changes
    (reading a setting costs as much as the rest of a field; tests override settings by replacing
    that object)."""
    global _master_keys_seen
    holder = _SETTINGS_STATE["_wrapped"]
    seen = _master_keys_seen
    if seen is None or seen[0] is not holder:
        master_keyring()  # raises, saying what is wrong, when it is missing or malformed
        seen = _master_keys_seen = (holder, settings.MDA_MASTER_KEYS)
    return seen[1]


def data_keys_forget() -> None:
    """Drop every cached data key of this process (after a re-wrap or a shred)."""
    _cipher_of.cache_clear()
    _deriver_of.cache_clear()


def data_key_create() -> DataKey:
    """Create and save a new random 256-bit data key, wrapped under the newest master key."""
    from mda.models.keys import DataKey  # here, not at the top: the settings import this module

    keyring = master_keyring()
    key_id = uuid.uuid4()
    version = keyring.newest_version
    wrapped = _wrap(AESGCM.generate_key(bit_length=256), key_id, version, keyring)
    return DataKey.objects.create(id=key_id, wrapped_key=wrapped, master_key_version=version)


def data_key_rewrap(key: DataKey) -> bool:
    """Re-wrap *key* under the newest master key; False if already current or shredded.

    The update is conditional on the row still being unshredded and on its old version, so a
    rotation racing a shred can never bring a destroyed key back.
    """
    keyring = master_keyring()
    newest = keyring.newest_version
    old = key.master_key_version
    if key.shredded_at is not None or key.wrapped_key is None or old == newest:
        return False
    wrapped = _wrap(_unwrap(key), _key_id(key), newest, keyring)
    now = timezone.now()
    updated = (
        type(key)
        .objects.filter(pk=key.pk, master_key_version=old, shredded_at__isnull=True)
        .update(wrapped_key=wrapped, master_key_version=newest, rewrapped_at=now)
    )
    if updated:
        key.wrapped_key, key.master_key_version, key.rewrapped_at = wrapped, newest, now
    data_keys_forget()
    return bool(updated)


def data_key_shred(key: DataKey) -> None:
    """Destroy *key*: every ciphertext made with it becomes unreadable (KeyShreddedError)."""
    type(key).objects.filter(pk=key.pk).update(
        wrapped_key=None, shredded_at=Coalesce(F("shredded_at"), Value(timezone.now()))
    )
    key.wrapped_key = None
    data_keys_forget()
    key.refresh_from_db(fields=["shredded_at"])


def data_key_derive(key: DataKey, purpose: bytes) -> bytes:
    """A 32-byte value derived from *key* for one *purpose* (HMAC-SHA256 of the raw key): stable
    while the key lives, impossible to recompute once it is shredded (KeyShreddedError)."""
    derive = _cached(_deriver_of, key).copy()
    derive.update(b"mda-derive\x00" + purpose)
    return derive.digest()


# --- Fields -----------------------------------------------------------------------------------


def data_key_aad(key_id: uuid.UUID) -> bytes:
    """The end of the AAD of every field sealed with data key *key_id*: the id, with its length."""
    return _ID_AAD_LENGTH + key_id.bytes


def field_aad(key_aad: bytes, table: str, column: str, row_id: str) -> bytes:
    """What a field is bound to: its table and column, its row, and (*key_aad*, from
    ``data_key_aad``) the data key's id, each with its length. ``encrypt`` and ``decrypt`` build
    the same bytes inline (a call costs a tenth of a field there); tests hold the three
    together."""
    row = row_id.encode()
    column_aad = _COLUMN_AADS.get((table, column)) or _column_aad(table, column)
    size = len(row)
    length = _LENGTHS[size] if size < 64 else size.to_bytes(4, "big")
    return b"".join((column_aad, length, row, key_aad))


# Length prefixes of row ids up to 63 bytes (a UUID has 36), made once.
_LENGTHS = tuple(size.to_bytes(4, "big") for size in range(64))


# Length prefixes keep ("a", "bc") and ("ab", "c") apart.
_ID_AAD_LENGTH = _ID_BYTES.to_bytes(4, "big")


# The part of a field's AAD that names its table and column: a handful of (table, column) pairs.
_COLUMN_AADS: dict[tuple[str, str], bytes] = {}


def _column_aad(table: str, column: str) -> bytes:
    parts = [b"mda-field", bytes([_FIELD_FORMAT]), table.encode(), column.encode()]
    made = b"".join(len(part).to_bytes(4, "big") + part for part in parts)
    if len(_COLUMN_AADS) < 256:
        _COLUMN_AADS[table, column] = made
    return made


def encrypt(key: DataKey, plaintext: str, *, table: str, column: str, row_id: str) -> bytes:
    """Encrypt *plaintext* with *key*, bound to the row and column it will be stored in."""
    if not isinstance(plaintext, str):
        raise TypeError("encrypt() takes text (str); encode other data first.")
    try:
        encoded = plaintext.encode()  # UTF-8, always (not the locale)
    except UnicodeEncodeError:
        # The codec's own message quotes the offending character: keep it out of logs.
        raise CryptoError("The plaintext is not valid Unicode (it has a lone surrogate).") from None
    cipher, key_aad, header = _cipher(key)
    try:
        nonce = _nonces.pop()  # _nonce(), its usual case inline
    except IndexError:
        nonce = _nonce()
    # field_aad(), inline (see there).
    row = row_id.encode()
    size = len(row)
    aad = b"".join(
        (
            _COLUMN_AADS.get((table, column)) or _column_aad(table, column),
            _LENGTHS[size] if size < 64 else size.to_bytes(4, "big"),
            row,
            key_aad,
        )
    )
    return b"".join((header, nonce, cipher.encrypt(nonce, encoded, aad)))


# Random 96-bit nonces, read from the operating system's CSPRNG a few hundred at a time rather than
# with a system call per field. list.pop() is atomic, so two threads never take the same one. A
# forked child (a Celery or gunicorn worker) starts with none: it must never reuse its parent's,
# which would reuse a nonce under the same key, the one thing AES-GCM cannot survive.
_NONCE_BATCH = 256
_nonces: list[bytes] = []


_NONCE_SPLIT = struct.Struct(f"{_NONCE_BYTES}s" * _NONCE_BATCH).unpack  # bytes -> 256 nonces


def _nonce() -> bytes:
    try:
        return _nonces.pop()
    except IndexError:
        _nonces.extend(_NONCE_SPLIT(os.urandom(_NONCE_BYTES * _NONCE_BATCH)))
        return _nonces.pop()


os.register_at_fork(after_in_child=_nonces.clear)


def decrypt(
    key: DataKey, ciphertext: bytes | memoryview, *, table: str, column: str, row_id: str
) -> str:
    """Decrypt *ciphertext* stored at table.column of row_id; raise DecryptionError otherwise."""
    cipher, key_aad, header = _cipher(key)
    blob = ciphertext
    if not (  # the usual case, checked here; anything else is explained by _ciphertext_for
        type(blob) is bytes and len(blob) >= _FIELD_HEADER + _TAG_BYTES and blob.startswith(header)
    ):
        blob = _ciphertext_for(key, header[1:], ciphertext, table, column, row_id)
    row = row_id.encode()  # field_aad(), inline (see there)
    size = len(row)
    aad = b"".join(
        (
            _COLUMN_AADS.get((table, column)) or _column_aad(table, column),
            _LENGTHS[size] if size < 64 else size.to_bytes(4, "big"),
            row,
            key_aad,
        )
    )
    try:
        plain = cipher.decrypt(blob[_NONCE_AT:_FIELD_HEADER], blob[_FIELD_HEADER:], aad)
        return plain.decode()  # UTF-8
    except (InvalidTag, UnicodeDecodeError):
        raise DecryptionError(
            f"The ciphertext in {table}.{column} of row {row_id} does not decrypt with data key "
            f"{key.id}: it was altered, or copied from another row, column or table."
        ) from None


def _ciphertext_for(
    key: DataKey, key_id: bytes, ciphertext: object, table: str, column: str, row_id: str
) -> bytes:
    """Check the format and data key id of *ciphertext*, for a clearer error than a bad tag."""
    if type(ciphertext) is bytes:
        blob = ciphertext
    elif isinstance(ciphertext, bytearray | memoryview):
        blob = bytes(ciphertext)
    else:
        raise DecryptionError(f"There is no ciphertext in {table}.{column} of row {row_id}.")
    if (
        len(blob) >= _FIELD_HEADER + _TAG_BYTES
        and blob[0] == _FIELD_FORMAT
        and blob[1 : 1 + _ID_BYTES] == key_id
    ):
        return blob
    where = f"{table}.{column} of row {row_id}"
    if len(blob) < _FIELD_HEADER + _TAG_BYTES:
        raise DecryptionError(f"The ciphertext in {where} is truncated or malformed.")
    if blob[0] != _FIELD_FORMAT:
        raise DecryptionError(f"The ciphertext in {where} has unknown format {blob[0]}.")
    made_with = uuid.UUID(bytes=blob[1 : 1 + _ID_BYTES])
    raise DecryptionError(
        f"The ciphertext in {where} was made with data key {made_with}, not {key.id}."
    )


def _binding(obj: models.Model, field_name: str) -> tuple[str, str, str]:
    """Where *field_name* of *obj* is stored: the table and column that define it, and the pk.
    A tuple, passed on as keywords one by one: unpacking a dict into them (``**``) costs a tenth
    of a field."""
    if obj.pk is None:
        raise CryptoError(
            f"{type(obj).__name__} has no primary key yet; set it before sealing {field_name}."
        )
    model_field = obj._meta.get_field(field_name)
    column = getattr(model_field, "column", None)
    if not column:
        raise CryptoError(f"{type(obj).__name__}.{field_name} is not a concrete column.")
    owner = model_field.model
    return owner._meta.db_table, column, str(obj.pk)


def seal(obj: models.Model, field: str, plaintext: str, key: DataKey) -> None:
    """Set ``obj.<field>`` to *plaintext* encrypted for that object's row and column."""
    table, column, row_id = _binding(obj, field)
    setattr(obj, field, encrypt(key, plaintext, table=table, column=column, row_id=row_id))


def unseal(obj: models.Model, field: str, key: DataKey) -> str:
    """Decrypt ``obj.<field>``; raise DecryptionError (never return "") when it cannot."""
    table, column, row_id = _binding(obj, field)
    return decrypt(key, getattr(obj, field), table=table, column=column, row_id=row_id)
