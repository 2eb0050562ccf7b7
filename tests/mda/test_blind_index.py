from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import os

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from pytest_django import Settings

from mda.blind_index import (
    bsn_index,
    check_blind_index_key,
    name_dob_index,
    normalise_bsn,
    normalise_name,
    validate_bsn,
)
from mda.crypto import decode_key

BIRTHDAY = datetime.date(1984, 2, 29)
FULLWIDTH_BSN = "".join(chr(0xFF10 + int(digit)) for digit in "123456782")


def random_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


@pytest.fixture(autouse=True)
def keys(settings: Settings) -> Settings:
    """Every test has its own blind index key, apart from its master key."""
    settings.MDA_MASTER_KEYS = f"1:{random_key()}"
    settings.MDA_BLIND_INDEX_KEY = random_key()
    return settings


# --- BSN validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("111222333", "111222333"),
        ("123456782", "123456782"),
        ("1234.56.782", "123456782"),
        (" 123 456 782 ", "123456782"),
        ("123-456-782", "123456782"),
    ],
)
def test_a_valid_bsn_passes_in_any_usual_notation(raw: str, normalised: str) -> None:
    assert normalise_bsn(raw) == normalised
    assert validate_bsn(raw) == normalised


@pytest.mark.parametrize("raw", ["12345678", "1234567820", "", "12345678a", FULLWIDTH_BSN])
def test_a_bsn_without_exactly_nine_digits_is_refused(raw: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_bsn(raw)
    assert caught.value.code == "bsn_format"
    assert caught.value.messages == ["A BSN consists of exactly 9 digits."]


@pytest.mark.parametrize("raw", ["123456789", "111222334", "000000000", "999999999"])
def test_a_bsn_that_fails_the_eleven_test_is_refused_without_repeating_it(raw: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_bsn(raw)
    assert caught.value.code == "bsn_checksum"
    assert caught.value.messages == [
        "This is not a valid BSN: it does not pass the eleven test (elfproef)."
    ]
    assert raw not in str(caught.value)


# --- BSN index -------------------------------------------------------------------------------


def test_the_bsn_index_is_stable_and_ignores_formatting() -> None:
    index = bsn_index("123456782")
    assert len(index) == 64
    assert int(index, 16) >= 0
    assert bsn_index("123456782") == index
    assert bsn_index("1234.56.782") == index
    assert bsn_index(" 123-456-782 ") == index
    assert bsn_index("111222333") != index


def test_the_bsn_index_changes_with_the_blind_index_key(settings: Settings) -> None:
    before = bsn_index("123456782")
    settings.MDA_BLIND_INDEX_KEY = random_key()
    assert bsn_index("123456782") != before


def test_the_bsn_index_does_not_use_the_encryption_key(settings: Settings) -> None:
    before = bsn_index("123456782")
    master = settings.MDA_MASTER_KEYS.partition(":")[2]
    settings.MDA_MASTER_KEYS = f"1:{random_key()}"

    assert bsn_index("123456782") == before
    master_key = decode_key(master)
    assert master_key is not None
    for message in (b"bsn:123456782", b"123456782"):
        assert before != hmac.new(master_key, message, hashlib.sha256).hexdigest()
    assert before != hashlib.sha256(b"123456782").hexdigest()


def test_an_invalid_bsn_gets_no_index() -> None:
    with pytest.raises(ValidationError):
        bsn_index("123456789")


# --- Name and date of birth ------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    [
        "José de Vries",
        "JOSE DE VRIES",
        "  jose   de   vries ",
        "José de-Vries",
        "Jose\u0301 de Vries",
    ],
)
def test_the_name_index_ignores_accents_case_spacing_and_punctuation(spelling: str) -> None:
    assert normalise_name(spelling) == "jose de vries"
    assert name_dob_index(spelling, BIRTHDAY) == name_dob_index("Jose de Vries", BIRTHDAY)


def test_the_name_index_tells_people_apart_by_name_and_date_of_birth() -> None:
    index = name_dob_index("Fatima el Amrani", BIRTHDAY)
    assert name_dob_index("Fatima el Amrani", datetime.date(1984, 3, 1)) != index
    assert name_dob_index("Fatima el Amrani-Bakker", BIRTHDAY) != index
    assert normalise_name("Straße Øster") == "strasse øster"


def test_the_name_index_changes_with_the_key_and_is_separate_from_the_bsn_index(
    settings: Settings,
) -> None:
    index = name_dob_index("Jan Jansen", BIRTHDAY)
    assert index not in {bsn_index("123456782"), bsn_index("111222333")}
    settings.MDA_BLIND_INDEX_KEY = random_key()
    assert name_dob_index("Jan Jansen", BIRTHDAY) != index


def test_a_name_without_letters_gets_no_index() -> None:
    with pytest.raises(ValueError, match="at least one letter"):
        name_dob_index(" - . 123 ", BIRTHDAY)


# --- The key ---------------------------------------------------------------------------------


def test_a_missing_blind_index_key_fails_loudly(settings: Settings) -> None:
    del settings.MDA_BLIND_INDEX_KEY
    with pytest.raises(ImproperlyConfigured, match="MDA_BLIND_INDEX_KEY is not set"):
        bsn_index("123456782")


@pytest.mark.parametrize(
    ("value", "complaint"),
    [("", "is not set"), ("too-short", "is malformed"), ("{master}", "is one of the master keys")],
)
def test_a_bad_blind_index_key_stops_start_up(value: str, complaint: str) -> None:
    master = random_key()
    with pytest.raises(ImproperlyConfigured, match=complaint) as caught:
        check_blind_index_key(value.format(master=master), master_keys=f"1:{master}")
    assert master not in str(caught.value)
    assert "urlsafe base64 of 32 random bytes" in str(caught.value)


def test_a_good_blind_index_key_is_accepted() -> None:
    key = random_key()
    assert check_blind_index_key(key, master_keys=f"1:{random_key()}") == key
