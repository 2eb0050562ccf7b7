"""Field encryption: 1 KB encrypt + decrypt through ``mda.crypto`` against raw AES-GCM and against
django-fernet-encrypted-fields (a dev dependency, for this comparison only). No database needed.

    python bench/crypto.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import common

TEXT = ("Zorgen over de veiligheid van de kinderen; afspraken met de wijkagent. " * 15)[:1024]
# Where the field is stored. The calls below pass these as keywords one by one, as mda.crypto's
# own callers do: unpacking a dict into them (``**``) would add Python's cost of building a new
# keyword dict to each call, a cost of the caller's style and not of the encryption.
TABLE, COLUMN, ROW_ID = "casework_note", "body_ct", str(uuid.uuid4())


def per_op(fns: list[Callable[[], object]], ops: int, runs: int) -> list[float]:
    """Median seconds per call of each of *fns*, over *runs* rounds of *ops* calls; the functions
    take turns within each round, so a neighbour's load on the machine hits them alike."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(runs):
        for n, fn in enumerate(fns):
            start = time.perf_counter()
            for _ in range(ops):
                fn()
            times[n].append((time.perf_counter() - start) / ops)
    return [common.median(t) for t in times]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    common.setup(database=False)
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from django.conf import settings

    from mda import crypto
    from mda.models import DataKey

    ops, runs = (200, 3) if args.quick else (1000, 21)
    keyring = crypto.master_keyring()
    key_id = uuid.uuid4()
    raw = AESGCM.generate_key(bit_length=256)
    key = DataKey(
        id=key_id,
        wrapped_key=crypto._wrap(raw, key_id, keyring.newest_version, keyring),
        master_key_version=keyring.newest_version,
    )

    def ours() -> None:
        ciphertext = crypto.encrypt(key, TEXT, table=TABLE, column=COLUMN, row_id=ROW_ID)
        assert crypto.decrypt(key, ciphertext, table=TABLE, column=COLUMN, row_id=ROW_ID) == TEXT

    def forget() -> None:
        crypto.data_keys_forget()
        key.__dict__.pop("_mda_cipher", None)

    def uncached() -> None:  # what every call cost before the cache: unwrap the key each time
        forget()
        ciphertext = crypto.encrypt(key, TEXT, table=TABLE, column=COLUMN, row_id=ROW_ID)
        forget()
        assert crypto.decrypt(key, ciphertext, table=TABLE, column=COLUMN, row_id=ROW_ID) == TEXT

    cipher = AESGCM(raw)
    aad = b"casework_note.body_ct" + key_id.bytes
    data = TEXT.encode()

    def raw_aes() -> None:
        nonce = os.urandom(12)
        assert cipher.decrypt(nonce, cipher.encrypt(nonce, data, aad), aad) == data

    settings.SALT_KEY = "bench-salt"
    from encrypted_fields.fields import EncryptedTextField

    field = EncryptedTextField()

    def fernet() -> None:
        token = field.get_prep_value(TEXT)
        assert field.from_db_value(token, None, None) == TEXT

    for fn in (ours, raw_aes, fernet):  # warm up (key derivation, the cache)
        fn()
    t_ours, t_raw, t_fernet, t_uncached = per_op([ours, raw_aes, fernet, uncached], ops, runs)

    report = common.Report("Field encryption, 1 KB encrypt + decrypt")
    ratio = t_ours / t_raw
    report.add(
        "mda.crypto vs raw",
        common.us(t_ours),
        f"raw AES-GCM {common.us(t_raw)}",
        "<= 2x raw",
        ratio <= 2,
    )
    report.add("  ratio to raw", f"{ratio:.2f}x", "", "<= 2x", ratio <= 2)
    speedup = t_fernet / t_ours
    report.add(
        "vs fernet fields",
        f"{speedup:.1f}x faster",
        f"fernet {common.us(t_fernet)}",
        ">= 5x faster",
        speedup >= 5,
    )
    report.add(
        "without the key cache", common.us(t_uncached), f"cached {common.us(t_ours)}", "", None
    )
    report.notes.append(
        f"{ops} operations x {runs} rounds, median; cache cleared per call for "
        "the uncached figure (the cost before the cache)"
    )
    report.print()


if __name__ == "__main__":
    main()
