"""Pairing a new device with a short code the service cannot forge (commit, then reveal).

A code computed from the new device's public key alone would not do: the service could make key
pairs until one gave the same six digits. Instead, as in Bluetooth's numeric comparison:

1. the new device B sends its public key and a commitment, SHA-256 of a random nonce it keeps;
2. a device A already in use answers with its own public key and nonce;
3. only then does B reveal its nonce, and A checks it against the commitment;
4. both show six digits hashed from the pairing id, both public keys and both nonces.

Whoever sits in the middle has to fix what it tells one side before it learns what the other side
will say, so it can match the two codes only by luck (one in a million). The practitioner
compares them and approves on A; A then seals the data key to B with an envelope that B can
check came from A's key (the one the code covered).
"""

from __future__ import annotations

import hmac
import os
from dataclasses import dataclass, field
from hashlib import sha256

from sessionclock.core.crypto import length_prefixed
from sessionclock.core.errors import PairingRefusedError

NONCE_LENGTH = 32
CODE_DIGITS = 6

MSG_COMMITMENT = (
    "The new device's answer did not match what it promised at the start, so it was not let "
    "in. Start the pairing again on the new device."
)


def new_nonce() -> bytes:
    """Return a fresh random nonce."""
    return os.urandom(NONCE_LENGTH)


def commitment(nonce: bytes) -> bytes:
    """Return the commitment to *nonce* (SHA-256)."""
    return sha256(nonce).digest()


def check_reveal(nonce: bytes, promised: bytes) -> None:
    """Check that the revealed *nonce* is the one *promised* earlier.

    Raises:
        PairingRefusedError: it is not.
    """
    if len(nonce) != NONCE_LENGTH or not hmac.compare_digest(commitment(nonce), promised):
        raise PairingRefusedError(MSG_COMMITMENT)


@dataclass(frozen=True, slots=True)
class Transcript:
    """Everything both sides of a pairing must agree on.

    Attributes:
        pairing_id: the service's id of the pairing.
        new_device_public: B's public key.
        approver_public: A's public key.
        nonce_approver: A's nonce.
        nonce_new: B's nonce (revealed last).
    """

    pairing_id: str
    new_device_public: bytes
    approver_public: bytes
    nonce_approver: bytes = field(repr=False)
    nonce_new: bytes = field(repr=False)

    def code(self) -> str:
        """Return the six digits both screens show, as "482 913"."""
        digest = sha256(
            length_prefixed(
                b"sessionclock-pair-v1",
                self.pairing_id.encode("utf-8"),
                self.new_device_public,
                self.approver_public,
                self.nonce_approver,
                self.nonce_new,
            )
        ).digest()
        number = int.from_bytes(digest[:8], "big") % 10**CODE_DIGITS
        text = f"{number:0{CODE_DIGITS}d}"
        return f"{text[:3]} {text[3:]}"
