from __future__ import annotations

import base64
import hashlib
import hmac
import os
import uuid
from io import StringIO
from unittest import mock

import pytest
import time_machine
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pytest_django import Settings

from mda import crypto
from mda.crypto import (
    CryptoError,
    DecryptionError,
    KeyShreddedError,
    MasterKeyError,
    check_master_keys,
    data_key_create,
    data_key_rewrap,
    data_key_shred,
    decrypt,
    encrypt,
    master_keyring,
    seal,
    unseal,
)
from mda.models import DataKey

pytestmark = pytest.mark.django_db

WHERE = {
    "table": "casework_note",
    "column": "body",
    "row_id": "2b1f0c9e-0000-4000-8000-000000000001",
}
SECRET = "Slachtoffer verblijft bij haar zus in Zwolle"
shared_fixture = hypothesis_settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)


def random_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


@pytest.fixture
def v1() -> str:
    return random_key()


@pytest.fixture(autouse=True)
def master_keys(settings: Settings, v1: str) -> str:
    """Every test starts with its own one-version keyring."""
    settings.MDA_MASTER_KEYS = f"1:{v1}"
    return settings.MDA_MASTER_KEYS


@pytest.fixture
def key() -> DataKey:
    return data_key_create()


def fresh(key: DataKey) -> DataKey:
    return DataKey.objects.get(pk=key.pk)


# --- Round trips -----------------------------------------------------------------------------


@shared_fixture
@given(plaintext=st.text(), row_id=st.uuids().map(str), column=st.text(min_size=1))
def test_any_text_round_trips(key: DataKey, plaintext: str, row_id: str, column: str) -> None:
    where = {"table": "casework_note", "column": column, "row_id": row_id}
    assert decrypt(key, encrypt(key, plaintext, **where), **where) == plaintext


def test_the_empty_string_round_trips_and_is_still_ciphertext(key: DataKey) -> None:
    ciphertext = encrypt(key, "", **WHERE)
    assert len(ciphertext) > 16
    assert decrypt(key, ciphertext, **WHERE) == ""


def test_a_data_key_read_back_from_the_database_decrypts(key: DataKey) -> None:
    ciphertext = encrypt(key, SECRET, **WHERE)
    assert decrypt(fresh(key), memoryview(ciphertext), **WHERE) == SECRET


def test_the_same_text_encrypts_differently_each_time_and_never_shows(key: DataKey) -> None:
    first, second = encrypt(key, SECRET, **WHERE), encrypt(key, SECRET, **WHERE)
    assert first != second
    assert SECRET.encode() not in first


def test_new_data_keys_are_random_and_stored_only_wrapped(key: DataKey) -> None:
    other = data_key_create()
    assert fresh(key).wrapped_key != fresh(other).wrapped_key
    assert crypto._unwrap(key) != crypto._unwrap(other)
    wrapped = fresh(key).wrapped_key
    assert wrapped is not None
    assert crypto._unwrap(key) not in bytes(wrapped)


# --- Moved, altered, truncated ---------------------------------------------------------------


@pytest.mark.parametrize(
    "moved_to",
    [
        pytest.param({"row_id": "2b1f0c9e-0000-4000-8000-000000000002"}, id="row"),
        pytest.param({"column": "summary"}, id="column"),
        pytest.param({"table": "casework_agreement"}, id="table"),
    ],
)
def test_a_ciphertext_moved_to_another_row_column_or_table_does_not_decrypt(
    key: DataKey, moved_to: dict[str, str]
) -> None:
    ciphertext = encrypt(key, SECRET, **WHERE)
    with pytest.raises(DecryptionError) as caught:
        decrypt(key, ciphertext, **(WHERE | moved_to))
    assert SECRET not in str(caught.value)


def test_a_ciphertext_moved_to_another_case_does_not_decrypt_with_that_cases_key(
    key: DataKey,
) -> None:
    ciphertext = encrypt(key, SECRET, **WHERE)
    with pytest.raises(DecryptionError, match="made with data key"):
        decrypt(data_key_create(), ciphertext, **WHERE)


def test_a_ciphertext_relabelled_with_another_cases_key_id_does_not_decrypt(key: DataKey) -> None:
    other = data_key_create()
    ciphertext = encrypt(key, SECRET, **WHERE)
    relabelled = ciphertext[:1] + other.id.bytes + ciphertext[17:]
    with pytest.raises(DecryptionError, match="altered"):
        decrypt(other, relabelled, **WHERE)


@shared_fixture
@given(data=st.data())
def test_a_flipped_bit_anywhere_makes_decryption_fail(key: DataKey, data: st.DataObject) -> None:
    ciphertext = bytearray(encrypt(key, SECRET, **WHERE))
    position = data.draw(st.integers(0, len(ciphertext) - 1), label="position")
    ciphertext[position] ^= data.draw(st.sampled_from([1, 2, 4, 8, 16, 32, 64, 128]), label="bit")
    with pytest.raises(DecryptionError):
        decrypt(key, bytes(ciphertext), **WHERE)


@shared_fixture
@given(data=st.data())
def test_a_truncated_ciphertext_does_not_decrypt(key: DataKey, data: st.DataObject) -> None:
    ciphertext = encrypt(key, SECRET, **WHERE)
    length = data.draw(st.integers(0, len(ciphertext) - 1), label="length")
    with pytest.raises(DecryptionError):
        decrypt(key, ciphertext[:length], **WHERE)


@pytest.mark.parametrize(
    "garbage", [None, "plain text", b"", b"\x02" + bytes(60), b"plain text, not encrypted"]
)
def test_a_missing_or_foreign_value_raises_instead_of_returning_text(
    key: DataKey, garbage: object
) -> None:
    with pytest.raises(DecryptionError):
        decrypt(key, garbage, **WHERE)  # type: ignore[arg-type]


def test_text_that_is_not_valid_unicode_is_refused_without_quoting_it(key: DataKey) -> None:
    with pytest.raises(CryptoError) as caught:
        encrypt(key, "adres: Dorpsstraat \ud800", **WHERE)
    assert "Dorpsstraat" not in str(caught.value)
    assert "\\ud800" not in str(caught.value)


# --- Sealing model fields --------------------------------------------------------------------


def holder() -> DataKey:
    """Any model with a UUID pk and a binary column will do; DataKey is one (never saved here)."""
    return DataKey(id=uuid.uuid4(), master_key_version=1)


def test_a_sealed_field_unseals_for_its_own_row(key: DataKey) -> None:
    row = holder()
    seal(row, "wrapped_key", SECRET, key)
    assert isinstance(row.wrapped_key, bytes)
    assert unseal(row, "wrapped_key", key) == SECRET
    where = {"table": "mda_datakey", "column": "wrapped_key", "row_id": str(row.pk)}
    assert decrypt(key, row.wrapped_key, **where) == SECRET


def test_a_sealed_value_copied_to_another_row_does_not_unseal(key: DataKey) -> None:
    original, copy = holder(), holder()
    seal(original, "wrapped_key", SECRET, key)
    copy.wrapped_key = original.wrapped_key
    with pytest.raises(DecryptionError):
        unseal(copy, "wrapped_key", key)


def test_sealing_needs_the_primary_key_first(key: DataKey) -> None:
    row = holder()
    row.id = None
    with pytest.raises(CryptoError, match="no primary key"):
        seal(row, "wrapped_key", SECRET, key)


# --- Master keys -----------------------------------------------------------------------------


def test_a_wrong_master_key_under_the_same_version_fails_loudly(
    settings: Settings, key: DataKey
) -> None:
    ciphertext = encrypt(key, SECRET, **WHERE)
    wrong = random_key()
    settings.MDA_MASTER_KEYS = f"1:{wrong}"
    with pytest.raises(MasterKeyError, match="version 1") as caught:
        decrypt(fresh(key), ciphertext, **WHERE)
    assert wrong not in str(caught.value)


@pytest.mark.parametrize("missing", ["deleted", ""])
def test_a_missing_master_key_setting_fails_loudly(
    settings: Settings, key: DataKey, missing: str
) -> None:
    ciphertext = encrypt(key, SECRET, **WHERE)
    if missing == "deleted":
        del settings.MDA_MASTER_KEYS
    else:
        settings.MDA_MASTER_KEYS = missing
    with pytest.raises(MasterKeyError, match="MDA_MASTER_KEYS is not set"):
        decrypt(key, ciphertext, **WHERE)
    with pytest.raises(MasterKeyError):
        data_key_create()


def test_a_data_key_whose_master_version_was_retired_names_that_version(
    settings: Settings, key: DataKey
) -> None:
    settings.MDA_MASTER_KEYS = f"2:{random_key()}"
    with pytest.raises(MasterKeyError, match="Master key version 1 is not in MDA_MASTER_KEYS"):
        encrypt(fresh(key), SECRET, **WHERE)


def test_the_highest_version_wraps_new_keys_whatever_the_order(settings: Settings) -> None:
    settings.MDA_MASTER_KEYS = f"3:{random_key()}, 1:{random_key()}"
    assert master_keyring().versions == (1, 3)
    assert data_key_create().master_key_version == 3


@pytest.mark.parametrize(
    ("value", "complaint"),
    [
        ("", "not set or empty"),
        ("{key}", "entry 1 does not start with a version number"),
        ("one:{key}", "entry 1 does not start with a version number"),
        ("0:{key}", "entry 1 does not start with a version number"),
        ("1:{key},2", "entry 2 does not start with a version number"),
        ("1:{key},1:{key}", "lists version 1 twice"),
        ("1:{short}", "version 1: the key is not urlsafe base64 of exactly 32 bytes"),
        ("1:{key}!", "version 1: the key is not urlsafe base64"),
        ("1:{long}", "version 1: the key is not urlsafe base64 of exactly 32 bytes"),
    ],
)
def test_a_malformed_master_key_setting_stops_start_up_and_explains_the_format(
    value: str, complaint: str
) -> None:
    keys = {"key": random_key(), "short": random_key()[:20], "long": random_key() + "AAAA"}
    with pytest.raises(ImproperlyConfigured, match=complaint) as caught:
        check_master_keys(value.format(**keys))
    message = str(caught.value)
    assert "'1:<urlsafe-base64 of 32 random bytes>,2:<...>'" in message
    assert not any(secret in message for secret in keys.values())


def test_unpadded_keys_are_accepted_and_a_keyring_never_shows_its_keys(
    settings: Settings,
) -> None:
    unpadded = random_key().rstrip("=")
    settings.MDA_MASTER_KEYS = f"1:{unpadded}"
    assert check_master_keys(settings.MDA_MASTER_KEYS) == settings.MDA_MASTER_KEYS
    assert unpadded not in repr(master_keyring())


# --- Rotation --------------------------------------------------------------------------------


def encrypted_corpus(count: int) -> list[tuple[DataKey, bytes, dict[str, str]]]:
    corpus = []
    for number in range(count):
        key = data_key_create()
        where = WHERE | {"row_id": str(uuid.uuid4())}
        corpus.append((key, encrypt(key, f"{SECRET} {number}", **where), where))
    return corpus


def assert_all_decrypt(corpus: list[tuple[DataKey, bytes, dict[str, str]]]) -> None:
    for number, (key, ciphertext, where) in enumerate(corpus):
        assert decrypt(fresh(key), ciphertext, **where) == f"{SECRET} {number}"


def rotate(**options: object) -> str:
    out = StringIO()
    call_command("rotate_master_key", stdout=out, **options)
    return out.getvalue()


def test_rotation_rewraps_every_key_and_the_old_version_can_then_be_retired(
    settings: Settings, v1: str
) -> None:
    corpus = encrypted_corpus(5)
    v2 = random_key()
    settings.MDA_MASTER_KEYS = f"1:{v1},2:{v2}"

    output = rotate(batch_size=2)

    assert set(DataKey.objects.values_list("master_key_version", flat=True)) == {2}
    assert "5/5 data keys (100%)" in output
    assert "Version 1: no data keys left; it can be removed from MDA_MASTER_KEYS." in output
    assert_all_decrypt(corpus)
    settings.MDA_MASTER_KEYS = f"2:{v2}"
    assert_all_decrypt(corpus)


def test_an_interrupted_rotation_resumes_where_it_stopped(settings: Settings, v1: str) -> None:
    corpus = encrypted_corpus(4)
    settings.MDA_MASTER_KEYS = f"1:{v1},2:{random_key()}"
    calls = 0

    def crash_in_second_batch(key: DataKey) -> bool:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("worker killed")
        return data_key_rewrap(key)

    target = "mda.management.commands.rotate_master_key.data_key_rewrap"
    with mock.patch(target, crash_in_second_batch), pytest.raises(RuntimeError):
        rotate(batch_size=1)
    assert DataKey.objects.filter(master_key_version=2).count() == 1
    assert "3 data keys remain" in rotate_report_only()

    output = rotate(batch_size=1)

    assert "Re-wrapping 3 data keys" in output
    assert DataKey.objects.filter(master_key_version=1).count() == 0
    assert_all_decrypt(corpus)


def rotate_report_only() -> str:
    with mock.patch("mda.management.commands.rotate_master_key._rewrap_batch", return_value=[]):
        return rotate()


def test_rotation_skips_shredded_keys_and_never_brings_them_back(
    settings: Settings, v1: str
) -> None:
    shredded, kept = data_key_create(), data_key_create()
    stale = fresh(shredded)
    data_key_shred(shredded)
    settings.MDA_MASTER_KEYS = f"1:{v1},2:{random_key()}"

    assert data_key_rewrap(stale) is False
    output = rotate()

    assert "Re-wrapping 1 data keys" in output
    assert fresh(shredded).wrapped_key is None
    assert fresh(shredded).master_key_version == 1
    assert fresh(kept).master_key_version == 2


def test_a_key_already_on_the_newest_version_is_not_rewrapped(key: DataKey) -> None:
    assert data_key_rewrap(key) is False
    assert fresh(key).rewrapped_at is None


def test_rotation_with_a_bad_keyring_stops_with_a_clear_error(
    settings: Settings, key: DataKey
) -> None:
    from django.core.management.base import CommandError

    settings.MDA_MASTER_KEYS = f"2:{random_key()}"
    with pytest.raises(CommandError, match="Master key version 1 is not in MDA_MASTER_KEYS"):
        rotate()


# --- Shredding -------------------------------------------------------------------------------


def test_shredding_a_key_makes_all_its_data_unreadable_but_not_other_cases(key: DataKey) -> None:
    other = data_key_create()
    mine = [encrypt(key, f"{SECRET} {n}", **WHERE) for n in range(3)]
    theirs = encrypt(other, SECRET, **WHERE)

    data_key_shred(key)

    for ciphertext in mine:
        with pytest.raises(KeyShreddedError):
            decrypt(fresh(key), ciphertext, **WHERE)
        with pytest.raises(KeyShreddedError):
            decrypt(key, ciphertext, **WHERE)
    with pytest.raises(KeyShreddedError):
        encrypt(key, SECRET, **WHERE)
    assert decrypt(fresh(other), theirs, **WHERE) == SECRET
    assert fresh(key).wrapped_key is None


def test_shredding_twice_keeps_the_moment_of_the_first_shred(key: DataKey) -> None:
    with time_machine.travel("2026-03-02 10:00 +01:00", tick=False):
        data_key_shred(key)
    first = fresh(key).shredded_at
    with time_machine.travel("2026-04-01 10:00 +02:00", tick=False):
        data_key_shred(key)
    assert first is not None
    assert fresh(key).shredded_at == first == key.shredded_at


# --- The per-process cache of data keys ---------------------------------------------------------


def test_a_case_read_field_by_field_unwraps_its_data_key_once(key: DataKey) -> None:
    crypto.data_keys_forget()
    fields = [encrypt(key, f"{SECRET} {n}", **WHERE) for n in range(20)]
    with mock.patch.object(crypto, "AESGCM", wraps=crypto.AESGCM) as made:
        assert [decrypt(fresh(key), f, **WHERE) for f in fields][-1] == f"{SECRET} 19"
    assert made.call_count == 0  # the cipher made by the first encrypt serves every field


def test_a_key_shredded_by_another_process_does_not_decrypt_from_this_ones_cache(
    key: DataKey,
) -> None:
    ciphertext = encrypt(key, SECRET, **WHERE)
    assert decrypt(fresh(key), ciphertext, **WHERE) == SECRET  # cached here
    # Another process shreds it: this process's cache is not told.
    DataKey.objects.filter(pk=key.pk).update(wrapped_key=None)
    with pytest.raises(KeyShreddedError):
        decrypt(fresh(key), ciphertext, **WHERE)


def test_a_key_rewrapped_by_another_process_is_unwrapped_again_with_the_new_master_key(
    settings: Settings, key: DataKey, v1: str
) -> None:
    ciphertext = encrypt(key, SECRET, **WHERE)
    v2 = random_key()
    settings.MDA_MASTER_KEYS = f"1:{v1},2:{v2}"
    assert data_key_rewrap(fresh(key))
    old_wrapping = key.wrapped_key
    assert old_wrapping is not None
    crypto._cipher_of(  # this process still holds the entry of the old wrapping
        crypto._key_id(key), 1, bytes(old_wrapping), f"1:{v1}"
    )
    settings.MDA_MASTER_KEYS = f"2:{v2}"  # version 1 retired
    assert decrypt(fresh(key), ciphertext, **WHERE) == SECRET
    settings.MDA_MASTER_KEYS = f"2:{random_key()}"  # a wrong key under version 2: no stale hit
    with pytest.raises(MasterKeyError):
        decrypt(fresh(key), ciphertext, **WHERE)


def test_an_altered_wrapped_key_fails_every_time_even_after_a_good_read(key: DataKey) -> None:
    ciphertext = encrypt(key, SECRET, **WHERE)
    assert decrypt(fresh(key), ciphertext, **WHERE) == SECRET
    wrapped = fresh(key).wrapped_key
    assert wrapped is not None
    altered = bytearray(bytes(wrapped))
    altered[-1] ^= 1
    DataKey.objects.filter(pk=key.pk).update(wrapped_key=bytes(altered))
    for _ in range(2):
        with pytest.raises(MasterKeyError):
            decrypt(fresh(key), ciphertext, **WHERE)


def test_a_derived_value_is_the_hmac_of_the_raw_key_unwrapped_once_and_never_after_a_shred(
    key: DataKey,
) -> None:
    crypto.data_keys_forget()
    expected = hmac.new(crypto._unwrap(key), b"mda-derive\x00purpose", hashlib.sha256).digest()
    with mock.patch.object(crypto, "AESGCM", wraps=crypto.AESGCM) as made:
        derived = [crypto.data_key_derive(fresh(key), b"purpose") for _ in range(5)]
    assert derived == [expected] * 5
    assert made.call_count == 1  # one unwrap for the five
    assert crypto.data_key_derive(key, b"other") != expected
    DataKey.objects.filter(pk=key.pk).update(wrapped_key=None)  # shredded by another process
    with pytest.raises(KeyShreddedError):
        crypto.data_key_derive(fresh(key), b"purpose")
    data_key_shred(key)  # and by this one: the cache is emptied
    assert crypto._deriver_of.cache_info().currsize == 0


def test_the_cache_is_bounded(key: DataKey) -> None:
    crypto.data_keys_forget()
    for _ in range(crypto.DATA_KEY_CACHE_SIZE + 10):
        encrypt(data_key_create(), SECRET, **WHERE)
    assert crypto._cipher_of.cache_info().currsize == crypto.DATA_KEY_CACHE_SIZE


def test_nonces_are_never_repeated_and_a_forked_child_never_takes_its_parents() -> None:
    taken = [crypto._nonce() for _ in range(3 * crypto._NONCE_BATCH)]
    assert len(set(taken)) == len(taken) and {len(n) for n in taken} == {12}
    buffered = set(crypto._nonces)  # what the parent would hand out next
    assert buffered
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: take nonces and report them, then leave at once
        os.close(read)
        os.write(write, b"".join(crypto._nonce() for _ in range(8)))
        os._exit(0)
    os.close(write)
    reported = os.read(read, 12 * 8)
    os.close(read)
    os.waitpid(pid, 0)
    from_child = {reported[i : i + 12] for i in range(0, len(reported), 12)}
    assert len(from_child) == 8
    assert not from_child & buffered


def test_a_field_sealed_by_hand_with_field_aad_decrypts_and_encrypt_binds_the_same_bytes(
    key: DataKey,
) -> None:
    """``encrypt`` and ``decrypt`` build ``field_aad`` inline: the three must agree, and so must
    the benchmark data, which seals its fields by hand with it."""
    from bench.data import _seal

    row_id = str(uuid.uuid4())
    where = {"table": "casework_case", "column": "reason_ct", "row_id": row_id}
    by_hand = _seal(crypto._unwrap(key), key.id, "casework_case", "reason_ct", row_id, SECRET)
    assert decrypt(key, by_hand, **where) == SECRET
    sealed = encrypt(key, SECRET, **where)
    aad = crypto.field_aad(crypto.data_key_aad(key.id), **where)
    assert AESGCM(crypto._unwrap(key)).decrypt(sealed[17:29], sealed[29:], aad) == SECRET.encode()
