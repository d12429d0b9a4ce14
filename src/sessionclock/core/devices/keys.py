"""The keys behind syncing between devices: each device's key pair, the account's data key per
epoch, and the envelopes that hand a data key from one device to another.

- A *device key* is an X25519 key pair made when a device first syncs an account. The private
  key stays in the OS key store (``device-key/<local account id>``); the public key is registered
  with the service.
- ``AccountKeys`` is what a device that has joined holds (``sync-key/<local account id>``): the
  data key of the current *epoch* (AES-256; a new one each time a device is removed), the
  recovery recipient's public key (every epoch's key is sealed to it too) and the *key-check
  key*, derived from the recovery code, that proves a data key was made by one of the
  practitioner's devices. The service never sees either secret.
- An *envelope* seals ``AccountKeys`` to one recipient's public key: ephemeral X25519 → HKDF-SHA256
  (bound to the account, the epoch, the recipient and both public keys) → AES-256-GCM. Sealing
  to a public key needs no secret, so the service could make envelopes of its own; a device
  therefore accepts a data key only with proof: the key-check MAC it can verify with the key-check
  key it already holds (rotations, recovery), or, when pairing, an envelope also sealed with the
  approving device's own key, whose public key the practitioner confirmed with the six-digit code.
"""

from __future__ import annotations

import base64
import enum
import hmac
import json
import os
import struct
from dataclasses import dataclass, field, replace
from hashlib import sha256

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from sessionclock.core.crypto import KEY_LENGTH, NONCE_LENGTH, TAG_LENGTH, length_prefixed
from sessionclock.core.errors import KeyNotVerifiedError, KeyStoreUnavailableError
from sessionclock.core.keystore import KeyStore

PUBLIC_KEY_LENGTH = 32
ENVELOPE_VERSION = 1
RECOVERY_RECIPIENT = "recovery"
"""The recipient id of the recovery code's envelope of each epoch."""

_ENVELOPE_HEADER = struct.Struct(">BB")
_MIN_ENVELOPE = _ENVELOPE_HEADER.size + PUBLIC_KEY_LENGTH + NONCE_LENGTH + TAG_LENGTH

MSG_NOT_VERIFIED = (
    "The key the account service handed over could not be verified as coming from one of your "
    "devices, so it was not used and nothing was synced. Try pairing again; if it happens "
    "again, tell support."
)


class EnvelopeMode(enum.IntEnum):
    """How an envelope's key was derived."""

    ANONYMOUS = 0
    """From an ephemeral key and the recipient's key only (proved by the key-check MAC)."""
    FROM_DEVICE = 1
    """Also from the sending device's own key (pairing: the recipient knows that key)."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object, length: int | None = None) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not base64 text")
    data = base64.b64decode(text, validate=True)
    if length is not None and len(data) != length:
        raise ValueError("unexpected length")
    return data


@dataclass(frozen=True, slots=True)
class DeviceKey:
    """A device's X25519 key pair for one account.

    Attributes:
        private: the 32-byte private key (kept in the key store only).
    """

    private: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.private) != KEY_LENGTH:
            raise ValueError("a device key is 32 bytes")

    @classmethod
    def generate(cls) -> DeviceKey:
        """Return a new random key pair."""
        return cls(X25519PrivateKey.generate().private_bytes_raw())

    @property
    def public(self) -> bytes:
        """Return the 32-byte public key (registered with the service)."""
        return X25519PrivateKey.from_private_bytes(self.private).public_key().public_bytes_raw()

    def exchange(self, public: bytes) -> bytes:
        """Return the X25519 shared secret with *public*."""
        return X25519PrivateKey.from_private_bytes(self.private).exchange(
            X25519PublicKey.from_public_bytes(public)
        )


@dataclass(frozen=True, slots=True)
class AccountKeys:
    """The sync keys of one account at one epoch, as a device that has joined holds them.

    Attributes:
        account: the account's id at the service (bound into every record and envelope).
        epoch: which data key this is (1 first, one more at each rotation).
        data_key: the AES-256 key records are sealed with.
        recovery_public: the recovery recipient's X25519 public key.
        check_key: the key-check key (from the recovery code) that proves a data key genuine.
    """

    account: str
    epoch: int
    data_key: bytes = field(repr=False)
    recovery_public: bytes
    check_key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if self.epoch < 1 or not self.account:
            raise ValueError("an epoch counts from 1 and keys belong to an account")
        for value in (self.data_key, self.recovery_public, self.check_key):
            if len(value) != KEY_LENGTH:
                raise ValueError("sync keys are 32 bytes each")

    @classmethod
    def first(cls, *, account: str, recovery_public: bytes, check_key: bytes) -> AccountKeys:
        """Return the first epoch's keys of an account, with a new random data key."""
        return cls(account, 1, AESGCM.generate_key(bit_length=256), recovery_public, check_key)

    def rotated(self) -> AccountKeys:
        """Return the next epoch's keys: a new random data key, the same recovery."""
        return replace(self, epoch=self.epoch + 1, data_key=AESGCM.generate_key(bit_length=256))

    def proof(self) -> bytes:
        """Return the key-check MAC of this epoch's data key."""
        return key_check(self.check_key, self.account, self.epoch, self.data_key)

    def to_secret(self) -> bytes:
        """Return the form kept in the key store and sealed into envelopes (JSON)."""
        values = {
            "account": self.account,
            "epoch": self.epoch,
            "data_key": _b64(self.data_key),
            "recovery_public": _b64(self.recovery_public),
            "check_key": _b64(self.check_key),
        }
        return json.dumps(values, sort_keys=True).encode("utf-8")

    @classmethod
    def from_secret(cls, secret: bytes) -> AccountKeys:
        """Read what ``to_secret`` wrote.

        Raises:
            ValueError: *secret* is not a key set.
        """
        try:
            values = json.loads(secret)
        except ValueError:
            raise ValueError("not a key set") from None
        if not isinstance(values, dict):
            raise ValueError("not a key set")
        epoch = values.get("epoch")
        account = values.get("account")
        if not isinstance(epoch, int) or isinstance(epoch, bool) or not isinstance(account, str):
            raise ValueError("not a key set")
        return cls(
            account=account,
            epoch=epoch,
            data_key=_unb64(values.get("data_key"), KEY_LENGTH),
            recovery_public=_unb64(values.get("recovery_public"), PUBLIC_KEY_LENGTH),
            check_key=_unb64(values.get("check_key"), KEY_LENGTH),
        )


def key_check(check_key: bytes, account: str, epoch: int, data_key: bytes) -> bytes:
    """Return the MAC that proves *data_key* is epoch *epoch*'s key of *account*."""
    message = length_prefixed(
        b"sessionclock-key-check-v1", account.encode("utf-8"), str(epoch).encode(), data_key
    )
    return hmac.new(check_key, message, sha256).digest()


# -- envelopes ---------------------------------------------------------------------------------


def _context(
    *,
    mode: EnvelopeMode,
    account: str,
    epoch: int,
    recipient_id: str,
    ephemeral: bytes,
    recipient: bytes,
) -> bytes:
    return length_prefixed(
        f"sessionclock-envelope-v{ENVELOPE_VERSION}".encode(),
        bytes([mode]),
        account.encode("utf-8"),
        str(epoch).encode(),
        recipient_id.encode("utf-8"),
        ephemeral,
        recipient,
    )


def _envelope_key(secret: bytes, context: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_LENGTH, salt=None, info=context).derive(
        secret
    )


def seal_envelope(
    keys: AccountKeys,
    *,
    recipient_public: bytes,
    recipient_id: str,
    sender: DeviceKey | None = None,
) -> bytes:
    """Seal *keys* to the holder of *recipient_public*.

    Args:
        keys: the account's keys at the epoch to hand over.
        recipient_public: the recipient's X25519 public key (a device's, or the recovery one).
        recipient_id: the recipient's device id at the service (or ``RECOVERY_RECIPIENT``).
        sender: the sending device's key, when the recipient knows its public key (pairing).
    """
    if len(recipient_public) != PUBLIC_KEY_LENGTH:
        raise ValueError("a public key is 32 bytes")
    mode = EnvelopeMode.ANONYMOUS if sender is None else EnvelopeMode.FROM_DEVICE
    ephemeral = DeviceKey.generate()
    secret = ephemeral.exchange(recipient_public)
    if sender is not None:
        secret += sender.exchange(recipient_public)
    context = _context(
        mode=mode,
        account=keys.account,
        epoch=keys.epoch,
        recipient_id=recipient_id,
        ephemeral=ephemeral.public,
        recipient=recipient_public,
    )
    nonce = os.urandom(NONCE_LENGTH)
    payload = json.dumps(
        {"keys": keys.to_secret().decode("utf-8"), "proof": _b64(keys.proof())}
    ).encode("utf-8")
    sealed = AESGCM(_envelope_key(secret, context)).encrypt(nonce, payload, context)
    return _ENVELOPE_HEADER.pack(ENVELOPE_VERSION, mode) + ephemeral.public + nonce + sealed


def open_envelope(
    blob: bytes,
    *,
    recipient: DeviceKey,
    recipient_id: str,
    account: str,
    epoch: int,
    sender_public: bytes | None = None,
    check_key: bytes | None = None,
) -> AccountKeys:
    """Open an envelope and return the keys in it, verified.

    Exactly one way of trusting it is given: *sender_public*, the public key of the device the
    practitioner approved (the envelope must have been sealed with that device's key too), or
    *check_key*, the key-check key this device already trusts (its own, or one derived from the
    recovery code), which the data key's MAC must match.

    Raises:
        KeyNotVerifiedError: the envelope does not open, is for another account, epoch or
            recipient, or its key cannot be proved genuine.
    """
    if (sender_public is None) == (check_key is None):
        raise ValueError("trust an envelope by its sender or by the key-check key, not both")
    try:
        version, mode_value = _ENVELOPE_HEADER.unpack_from(blob)
        mode = EnvelopeMode(mode_value)
    except (struct.error, ValueError):
        raise KeyNotVerifiedError(MSG_NOT_VERIFIED) from None
    expected = EnvelopeMode.ANONYMOUS if sender_public is None else EnvelopeMode.FROM_DEVICE
    if version != ENVELOPE_VERSION or mode is not expected or len(blob) < _MIN_ENVELOPE:
        raise KeyNotVerifiedError(MSG_NOT_VERIFIED)
    start = _ENVELOPE_HEADER.size
    ephemeral = blob[start : start + PUBLIC_KEY_LENGTH]
    nonce = blob[start + PUBLIC_KEY_LENGTH : start + PUBLIC_KEY_LENGTH + NONCE_LENGTH]
    sealed = blob[start + PUBLIC_KEY_LENGTH + NONCE_LENGTH :]
    context = _context(
        mode=mode,
        account=account,
        epoch=epoch,
        recipient_id=recipient_id,
        ephemeral=ephemeral,
        recipient=recipient.public,
    )
    try:
        secret = recipient.exchange(ephemeral)
        if sender_public is not None:
            secret += recipient.exchange(sender_public)
        payload = json.loads(AESGCM(_envelope_key(secret, context)).decrypt(nonce, sealed, context))
        keys = AccountKeys.from_secret(str(payload["keys"]).encode("utf-8"))
        proof = _unb64(payload["proof"], KEY_LENGTH)
    except (InvalidTag, ValueError, KeyError, TypeError):
        raise KeyNotVerifiedError(MSG_NOT_VERIFIED) from None
    trusted = check_key if check_key is not None else keys.check_key
    if (keys.account, keys.epoch) != (account, epoch) or keys.check_key != trusted:
        raise KeyNotVerifiedError(MSG_NOT_VERIFIED)
    if not hmac.compare_digest(proof, keys.proof()):
        raise KeyNotVerifiedError(MSG_NOT_VERIFIED)
    return keys


# -- the key store -----------------------------------------------------------------------------


def device_key_name(account_id: str) -> str:
    """Return the key store name of this device's key for local account *account_id*."""
    return f"device-key/{account_id}"


def sync_key_name(account_id: str) -> str:
    """Return the key store name of local account *account_id*'s sync keys."""
    return f"sync-key/{account_id}"


_DAMAGED = "The sync key kept in the system's key store is damaged; pair this device again."


def load_device_key(keystore: KeyStore, account_id: str) -> DeviceKey | None:
    """Return this device's key for *account_id*, or None if it has none yet."""
    secret = keystore.get_secret(device_key_name(account_id))
    if secret is None:
        return None
    try:
        return DeviceKey(secret)
    except ValueError:
        raise KeyStoreUnavailableError(_DAMAGED) from None


def save_device_key(keystore: KeyStore, account_id: str, key: DeviceKey) -> None:
    """Keep this device's key for *account_id*."""
    keystore.set_secret(device_key_name(account_id), key.private)


def load_account_keys(keystore: KeyStore, account_id: str) -> AccountKeys | None:
    """Return the sync keys this device holds for *account_id*, or None (not joined)."""
    secret = keystore.get_secret(sync_key_name(account_id))
    if secret is None:
        return None
    try:
        return AccountKeys.from_secret(secret)
    except ValueError:
        raise KeyStoreUnavailableError(_DAMAGED) from None


def save_account_keys(keystore: KeyStore, account_id: str, keys: AccountKeys) -> None:
    """Keep *keys* as this device's sync keys for *account_id* (replacing an older epoch)."""
    keystore.set_secret(sync_key_name(account_id), keys.to_secret())


def forget_sync_keys(keystore: KeyStore, account_id: str) -> None:
    """Delete this device's key and sync keys for *account_id* (the account is deleted here)."""
    keystore.delete_secret(sync_key_name(account_id))
    keystore.delete_secret(device_key_name(account_id))
