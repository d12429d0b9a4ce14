"""Tests for AES-256-GCM sealing: the blob format, what it binds, and every way opening fails."""

from __future__ import annotations

import struct
import threading

import pytest

from sessionclock.core import crypto
from sessionclock.core.crypto import (
    FORMAT_VERSION,
    KEY_ID_LENGTH,
    NONCE_LENGTH,
    TAG_LENGTH,
    AccountKey,
    Purpose,
    Sealer,
    associated_data,
    delete_key,
    key_name,
    load_key,
    load_or_create_key,
    open_sealed,
    seal,
)
from sessionclock.core.errors import DecryptionError, KeyMissingError, KeyStoreUnavailableError
from sessionclock.core.keystore import MemoryKeyStore

ACCOUNT = "7a1c4f0e-0000-4000-8000-000000000001"
OTHER_ACCOUNT = "7a1c4f0e-0000-4000-8000-000000000002"
HEADER = 1 + KEY_ID_LENGTH + 1


@pytest.fixture
def key() -> AccountKey:
    return AccountKey.generate()


def _seal(key: AccountKey, text: str = "Ada Lovelace") -> bytes:
    return seal(text, key=key, purpose=Purpose.CLIENT_NAME, account_id=ACCOUNT)


def _open(key: AccountKey, blob: bytes) -> str:
    return open_sealed(blob, key=key, purpose=Purpose.CLIENT_NAME, account_id=ACCOUNT)


def _flip(blob: bytes, index: int) -> bytes:
    return blob[:index] + bytes([blob[index] ^ 0x01]) + blob[index + 1 :]


@pytest.mark.parametrize("text", ["Ada Lovelace", "", "Zoë Ñúñez 山田 🌿", "x" * 10_000])
def test_seal_then_open_returns_the_text(key: AccountKey, text: str) -> None:
    assert _open(key, _seal(key, text)) == text


def test_blob_layout_is_version_key_id_nonce_length_nonce_ciphertext(key: AccountKey) -> None:
    blob = _seal(key, "abc")
    assert blob[0] == FORMAT_VERSION
    assert blob[1 : 1 + KEY_ID_LENGTH] == key.key_id
    assert blob[1 + KEY_ID_LENGTH] == NONCE_LENGTH
    assert len(blob) == HEADER + NONCE_LENGTH + len("abc") + TAG_LENGTH
    assert b"abc" not in blob


def test_every_seal_uses_a_fresh_nonce(key: AccountKey) -> None:
    blobs = [_seal(key) for _ in range(50)]
    nonces = {blob[HEADER : HEADER + NONCE_LENGTH] for blob in blobs}
    assert len(nonces) == 50
    assert len(set(blobs)) == 50


@pytest.mark.parametrize(
    "region",
    ["version", "key-id", "nonce-length", "nonce", "ciphertext", "tag"],
)
def test_any_changed_bit_fails_to_open(key: AccountKey, region: str) -> None:
    blob = _seal(key)
    index = {
        "version": 0,
        "key-id": 1,
        "nonce-length": 1 + KEY_ID_LENGTH,
        "nonce": HEADER,
        "ciphertext": HEADER + NONCE_LENGTH,
        "tag": len(blob) - 1,
    }[region]
    with pytest.raises(DecryptionError):
        _open(key, _flip(blob, index))


def test_blob_of_another_account_fails(key: AccountKey) -> None:
    blob = seal("Ada", key=key, purpose=Purpose.CLIENT_NAME, account_id=OTHER_ACCOUNT)
    with pytest.raises(DecryptionError, match="another account"):
        _open(key, blob)


def test_blob_for_another_purpose_fails(key: AccountKey) -> None:
    blob = seal("https://x.test/f.ics", key=key, purpose=Purpose.FEED_URL, account_id=ACCOUNT)
    with pytest.raises(DecryptionError):
        _open(key, blob)
    assert open_sealed(blob, key=key, purpose=Purpose.FEED_URL, account_id=ACCOUNT)


def test_blob_sealed_with_another_key_fails(key: AccountKey) -> None:
    with pytest.raises(DecryptionError, match="different key"):
        _open(AccountKey.generate(), _seal(key))


def test_same_key_id_but_different_key_fails(key: AccountKey) -> None:
    impostor = AccountKey(key_id=key.key_id, key=AccountKey.generate().key)
    with pytest.raises(DecryptionError, match="another account"):
        _open(impostor, _seal(key))


@pytest.mark.parametrize(
    "length",
    [0, 1, HEADER - 1, HEADER, HEADER + NONCE_LENGTH, HEADER + NONCE_LENGTH + TAG_LENGTH - 1],
)
def test_truncated_blob_fails(key: AccountKey, length: int) -> None:
    with pytest.raises(DecryptionError, match="damaged"):
        _open(key, _seal(key)[:length])


@pytest.mark.parametrize("nonce_length", [8, 11, 13, 16, 0])
def test_nonce_of_any_other_length_is_refused(key: AccountKey, nonce_length: int) -> None:
    # AESGCM itself would accept an 8- or 16-byte nonce; the parser must not.
    blob = _seal(key)
    header = struct.pack(">B4sB", FORMAT_VERSION, key.key_id, nonce_length)
    rewritten = header + b"\x00" * nonce_length + blob[HEADER + NONCE_LENGTH :]
    with pytest.raises(DecryptionError, match="nonce length"):
        _open(key, rewritten)


@pytest.mark.parametrize("version", [0, 2, 255])
def test_unknown_version_is_refused(key: AccountKey, version: int) -> None:
    blob = bytes([version]) + _seal(key)[1:]
    with pytest.raises(DecryptionError, match="format"):
        _open(key, blob)


def test_associated_data_is_unambiguous() -> None:
    key_id = b"\x00\x01\x02\x03"
    a = associated_data(purpose=Purpose.CLIENT_NAME, account_id="ab", key_id=key_id)
    b = associated_data(purpose=Purpose.CLIENT_NAME, account_id="a", key_id=b"b" + key_id)
    assert a != b


def test_account_key_validates_lengths() -> None:
    with pytest.raises(ValueError, match="4-byte id"):
        AccountKey(key_id=b"abc", key=b"\x00" * 32)
    with pytest.raises(ValueError, match="32-byte key"):
        AccountKey(key_id=b"abcd", key=b"\x00" * 16)


def test_account_key_survives_the_key_store_and_hides_the_key_in_repr(key: AccountKey) -> None:
    assert AccountKey.from_secret(key.to_secret()) == key
    assert key.key.hex() not in repr(key)


def test_damaged_secret_in_the_key_store_is_reported() -> None:
    with pytest.raises(KeyStoreUnavailableError, match="damaged"):
        AccountKey.from_secret(b"\x00" * 20)


def test_key_is_created_once_and_kept_in_the_key_store() -> None:
    keystore = MemoryKeyStore()
    assert load_key(keystore, ACCOUNT) is None
    created = load_or_create_key(keystore, ACCOUNT)
    assert keystore.secrets == {key_name(ACCOUNT): created.to_secret()}
    assert load_or_create_key(keystore, ACCOUNT) == created
    assert load_key(keystore, ACCOUNT) == created
    delete_key(keystore, ACCOUNT)
    assert keystore.secrets == {}


def test_sealer_creates_the_key_on_first_seal_and_opens_its_blobs() -> None:
    keystore = MemoryKeyStore()
    sealer = Sealer(keystore, ACCOUNT)
    assert keystore.secrets == {}
    blob = sealer.seal("Grace Hopper", purpose=Purpose.CLIENT_NAME)
    assert list(keystore.secrets) == [key_name(ACCOUNT)]
    assert Sealer(keystore, ACCOUNT).open(blob, purpose=Purpose.CLIENT_NAME) == "Grace Hopper"
    assert sealer.open(blob, purpose=Purpose.CLIENT_NAME) == "Grace Hopper"


def test_sealer_of_another_account_cannot_open(key: AccountKey) -> None:
    keystore = MemoryKeyStore()
    blob = Sealer(keystore, ACCOUNT).seal("Grace Hopper", purpose=Purpose.CLIENT_NAME)
    # Even given the first account's key under its own name, the associated data differs.
    keystore.set_secret(key_name(OTHER_ACCOUNT), keystore.secrets[key_name(ACCOUNT)])
    with pytest.raises(DecryptionError):
        Sealer(keystore, OTHER_ACCOUNT).open(blob, purpose=Purpose.CLIENT_NAME)


def test_opening_without_a_key_fails_and_does_not_create_one() -> None:
    keystore = MemoryKeyStore()
    blob = Sealer(keystore, ACCOUNT).seal("Grace Hopper", purpose=Purpose.CLIENT_NAME)
    delete_key(keystore, ACCOUNT)
    with pytest.raises(KeyMissingError, match="missing"):
        Sealer(keystore, ACCOUNT).open(blob, purpose=Purpose.CLIENT_NAME)
    assert keystore.secrets == {}


def test_sealer_reads_the_key_store_once() -> None:
    class CountingKeyStore(MemoryKeyStore):
        reads = 0

        def get_secret(self, name: str) -> bytes | None:
            self.reads += 1
            return super().get_secret(name)

    keystore = CountingKeyStore()
    sealer = Sealer(keystore, ACCOUNT)
    blobs = [sealer.seal(str(i), purpose=Purpose.CLIENT_NAME) for i in range(5)]
    assert [sealer.open(b, purpose=Purpose.CLIENT_NAME) for b in blobs] == list("01234")
    assert keystore.reads == 1


def test_concurrent_first_seals_agree_on_one_key() -> None:
    keystore = MemoryKeyStore()
    barrier = threading.Barrier(8, timeout=5)
    blobs: list[bytes] = []
    lock = threading.Lock()

    def work(i: int) -> None:
        sealer = Sealer(keystore, ACCOUNT)
        barrier.wait()
        blob = sealer.seal(f"client {i}", purpose=Purpose.CLIENT_NAME)
        with lock:
            blobs.append(blob)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    opener = Sealer(keystore, ACCOUNT)
    opened = sorted(opener.open(blob, purpose=Purpose.CLIENT_NAME) for blob in blobs)
    assert opened == sorted(f"client {i}" for i in range(8))


def test_module_constants_match_the_documented_format() -> None:
    assert (FORMAT_VERSION, KEY_ID_LENGTH, NONCE_LENGTH, crypto.KEY_LENGTH) == (1, 4, 12, 32)
