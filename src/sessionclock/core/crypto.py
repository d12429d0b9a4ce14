"""AES-256-GCM sealing of the few secrets Session Clock stores: client names, the feed address,
and the account's e-mail address and last subscription check.

Each account has its own 256-bit key, created on first use and kept in a ``KeyStore`` (the OS key
store), never in the database. A sealed blob is laid out as::

    version (1 byte, 0x01) | key id (4 bytes) | nonce length (1 byte, 12) | nonce (12 bytes)
    | ciphertext with the 16-byte GCM tag

The nonce is fresh and random for every seal. The associated data binds the format version, the
purpose (``Purpose``), the account id and the key id, so a blob copied into another account's row,
or moved from one kind of field to another, fails to open with ``DecryptionError``. The parser
insists on the version and on exactly 12-byte nonces (``AESGCM`` itself would accept 8 to 128).
"""

from __future__ import annotations

import enum
import os
import struct
import threading
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from sessionclock.core.errors import DecryptionError, KeyMissingError, KeyStoreUnavailableError
from sessionclock.core.keystore import KeyStore

FORMAT_VERSION = 1
"""The version byte every blob written by this module starts with."""

KEY_ID_LENGTH = 4
NONCE_LENGTH = 12
KEY_LENGTH = 32
TAG_LENGTH = 16
_HEADER = struct.Struct(f">B{KEY_ID_LENGTH}sB")
_MIN_BLOB_LENGTH = _HEADER.size + NONCE_LENGTH + TAG_LENGTH

# Creating a key is check-then-set in the key store; two threads doing it at once for the same
# account would each seal with a different key and one of them would be lost.
_KEY_CREATION_LOCK = threading.Lock()


class Purpose(enum.StrEnum):
    """What a sealed value is for; bound into the associated data."""

    CLIENT_NAME = "client-name"
    FEED_URL = "feed-url"
    ACCOUNT_EMAIL = "account-email"
    ENTITLEMENT = "entitlement"
    SYNC_RECORD = "sync-record"


@dataclass(frozen=True, slots=True)
class AccountKey:
    """One account's data key.

    Attributes:
        key_id: a random 4-byte id, written into every blob sealed with this key.
        key: the 256-bit AES key.
    """

    key_id: bytes
    key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.key_id) != KEY_ID_LENGTH or len(self.key) != KEY_LENGTH:
            raise ValueError("an account key is a 4-byte id and a 32-byte key")

    @classmethod
    def generate(cls) -> AccountKey:
        """Return a new random key with a random id."""
        return cls(key_id=os.urandom(KEY_ID_LENGTH), key=AESGCM.generate_key(bit_length=256))

    def to_secret(self) -> bytes:
        """Return the bytes kept in the key store: key id then key."""
        return self.key_id + self.key

    @classmethod
    def from_secret(cls, secret: bytes) -> AccountKey:
        """Rebuild a key from what ``to_secret`` returned.

        Raises:
            KeyStoreUnavailableError: the stored secret does not have the expected shape.
        """
        if len(secret) != KEY_ID_LENGTH + KEY_LENGTH:
            raise KeyStoreUnavailableError("The encryption key in the key store is damaged.")
        return cls(key_id=secret[:KEY_ID_LENGTH], key=secret[KEY_ID_LENGTH:])


def key_name(account_id: str) -> str:
    """Return the key store name of *account_id*'s key."""
    return f"account-key/{account_id}"


def load_key(keystore: KeyStore, account_id: str) -> AccountKey | None:
    """Return *account_id*'s key, or ``None`` if the key store has none."""
    secret = keystore.get_secret(key_name(account_id))
    return None if secret is None else AccountKey.from_secret(secret)


def load_or_create_key(keystore: KeyStore, account_id: str) -> AccountKey:
    """Return *account_id*'s key, creating and storing a new one if there is none."""
    with _KEY_CREATION_LOCK:
        key = load_key(keystore, account_id)
        if key is None:
            key = AccountKey.generate()
            keystore.set_secret(key_name(account_id), key.to_secret())
        return key


def delete_key(keystore: KeyStore, account_id: str) -> None:
    """Delete *account_id*'s key: whatever it sealed can never be opened again."""
    keystore.delete_secret(key_name(account_id))


def seal(plaintext: str, *, key: AccountKey, purpose: Purpose, account_id: str) -> bytes:
    """Encrypt *plaintext* for *account_id* and *purpose*; return the blob to store."""
    nonce = os.urandom(NONCE_LENGTH)
    header = _HEADER.pack(FORMAT_VERSION, key.key_id, NONCE_LENGTH)
    aad = associated_data(purpose=purpose, account_id=account_id, key_id=key.key_id)
    ciphertext = AESGCM(key.key).encrypt(nonce, plaintext.encode("utf-8"), aad)
    return header + nonce + ciphertext


def open_sealed(blob: bytes, *, key: AccountKey, purpose: Purpose, account_id: str) -> str:
    """Decrypt a blob written by ``seal`` with the same key, purpose and account.

    Raises:
        DecryptionError: the blob is damaged, of another version or key, or was sealed for
            another account or purpose.
    """
    if len(blob) < _HEADER.size:
        raise DecryptionError("The stored value is damaged (too short).")
    version, key_id, nonce_length = _HEADER.unpack_from(blob)
    if version != FORMAT_VERSION:
        raise DecryptionError("The stored value was written in a format this version cannot read.")
    if nonce_length != NONCE_LENGTH:
        raise DecryptionError("The stored value is damaged (unexpected nonce length).")
    if len(blob) < _MIN_BLOB_LENGTH:
        raise DecryptionError("The stored value is damaged (too short).")
    if key_id != key.key_id:
        raise DecryptionError("The stored value was sealed with a different key.")
    nonce = blob[_HEADER.size : _HEADER.size + NONCE_LENGTH]
    ciphertext = blob[_HEADER.size + NONCE_LENGTH :]
    aad = associated_data(purpose=purpose, account_id=account_id, key_id=key_id)
    try:
        plaintext = AESGCM(key.key).decrypt(nonce, ciphertext, aad)
    except InvalidTag as exc:
        raise DecryptionError(
            "The stored value cannot be opened: it is damaged or belongs to another account."
        ) from exc
    return plaintext.decode("utf-8")


def associated_data(*, purpose: Purpose, account_id: str, key_id: bytes) -> bytes:
    """Return the associated data binding a blob to its purpose, account and key.

    Each part is length-prefixed, so no two different triples encode to the same bytes.
    """
    return length_prefixed(
        f"sessionclock-seal-v{FORMAT_VERSION}".encode(),
        purpose.value.encode("utf-8"),
        account_id.encode("utf-8"),
        key_id,
    )


def length_prefixed(*parts: bytes) -> bytes:
    """Return *parts* joined, each after its length (two bytes), so that no two different lists
    of parts encode to the same bytes (associated data, key derivation contexts)."""
    return b"".join(struct.pack(">H", len(part)) + part for part in parts)


class Sealer:
    """Seals and opens values for one account, fetching its key from the key store once.

    Attributes:
        account_id: the account whose key and associated data this sealer uses.
    """

    def __init__(self, keystore: KeyStore, account_id: str) -> None:
        """Create a sealer for *account_id*; the key is read (or created) on first use."""
        self.account_id = account_id
        self._keystore = keystore
        self._key: AccountKey | None = None
        self._lock = threading.Lock()

    def seal(self, plaintext: str, *, purpose: Purpose) -> bytes:
        """Seal *plaintext*, creating the account's key if it has none yet."""
        return seal(
            plaintext, key=self._key_for_sealing(), purpose=purpose, account_id=self.account_id
        )

    def open(self, blob: bytes, *, purpose: Purpose) -> str:
        """Open a blob sealed for this account and *purpose*.

        Raises:
            KeyMissingError: the account's key is not in the key store.
            DecryptionError: the blob cannot be opened with it.
        """
        return open_sealed(
            blob, key=self._key_for_opening(), purpose=purpose, account_id=self.account_id
        )

    def _key_for_sealing(self) -> AccountKey:
        with self._lock:
            if self._key is None:
                self._key = load_or_create_key(self._keystore, self.account_id)
            return self._key

    def _key_for_opening(self) -> AccountKey:
        with self._lock:
            if self._key is None:
                key = load_key(self._keystore, self.account_id)
                if key is None:
                    raise KeyMissingError(
                        "The encryption key for this profile is missing from the key store, "
                        "so its stored data cannot be opened."
                    )
                self._key = key
            return self._key
