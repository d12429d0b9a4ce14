"""The recovery code: 128 random bits the practitioner prints or writes down at the first device,
which can open the account's data key when no other device is at hand.

The code is never stored anywhere. It is shown once as 28 characters in seven groups of four
(Crockford's base32: digits and capitals without I, L, O or U, so nothing reads as something
else; typing is forgiving of case, spaces, dashes and O/0, I/L/1). The last 12 bits are a check
of the first 128, so a typo is caught before anything is asked of the service.

From the code and a random salt kept by the service, scrypt (n = 2^17, r = 8, p = 1: about
1.2 s and 128 MiB on a shared 2-core machine) gives 64 bytes: an X25519 private key, the
*recovery recipient* (its public key is registered, and every epoch's data key is sealed to
it), and the key-check key that proves a data key genuine (see ``keys``).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from hashlib import sha256

from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from sessionclock.core.crypto import KEY_LENGTH
from sessionclock.core.devices.keys import DeviceKey
from sessionclock.core.errors import RecoveryCodeError

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base32 alphabet."""
CODE_BITS = 128
CHECK_BITS = 12
GROUP = 4
LENGTH = (CODE_BITS + CHECK_BITS) // 5
"""Characters in a code: 28."""
GROUPS = LENGTH // GROUP
SALT_LENGTH = 16
SCRYPT_N = 2**17
SCRYPT_R = 8
SCRYPT_P = 1

_READS_AS = {"O": "0", "I": "1", "L": "1"}

MSG_LENGTH = (
    "A recovery code has 28 letters and digits (seven groups of four). Check that none is "
    "missing or extra."
)
MSG_TYPO = "This recovery code has a typo: one of the groups does not match. Check each group."
MSG_CHARACTER = "A recovery code holds only digits and the letters A to Z (no U)."


@dataclass(frozen=True, slots=True)
class RecoveryCode:
    """A recovery code's 128 bits.

    Attributes:
        secret: the 16 random bytes (never stored, never logged).
    """

    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.secret) != CODE_BITS // 8:
            raise ValueError("a recovery code holds 16 bytes")

    @classmethod
    def generate(cls) -> RecoveryCode:
        """Return a new random code."""
        return cls(secrets.token_bytes(CODE_BITS // 8))

    def groups(self) -> tuple[str, ...]:
        """Return the code as its seven groups of four characters."""
        value = (int.from_bytes(self.secret, "big") << CHECK_BITS) | _check(self.secret)
        characters = [ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(LENGTH))]
        text = "".join(characters)
        return tuple(text[i : i + GROUP] for i in range(0, LENGTH, GROUP))

    def text(self) -> str:
        """Return the code as shown and printed: groups joined by dashes."""
        return "-".join(self.groups())

    @classmethod
    def parse(cls, typed: str) -> RecoveryCode:
        """Read a code as the practitioner typed it.

        Raises:
            RecoveryCodeError: a character that is never in a code, a wrong length, or a typo
                caught by the check.
        """
        cleaned = [_READS_AS.get(c, c) for c in typed.upper() if c not in " -\t\n"]
        if any(c not in ALPHABET for c in cleaned):
            raise RecoveryCodeError(MSG_CHARACTER)
        if len(cleaned) != LENGTH:
            raise RecoveryCodeError(MSG_LENGTH)
        value = 0
        for c in cleaned:
            value = (value << 5) | ALPHABET.index(c)
        secret = (value >> CHECK_BITS).to_bytes(CODE_BITS // 8, "big")
        if value & ((1 << CHECK_BITS) - 1) != _check(secret):
            raise RecoveryCodeError(MSG_TYPO)
        return cls(secret)


def _check(secret: bytes) -> int:
    digest = sha256(b"sessionclock-recovery-check-v1" + secret).digest()
    return int.from_bytes(digest[:2], "big") >> (16 - CHECK_BITS)


def group_matches(code: RecoveryCode, index: int, typed: str) -> bool:
    """Return whether *typed* is group *index* (0-based) of *code* (the "did you keep it?"
    check), forgiving case, spaces and O/0, I/L/1 as ``parse`` does."""
    cleaned = "".join(_READS_AS.get(c, c) for c in typed.upper() if c not in " -\t\n")
    return secrets.compare_digest(cleaned, code.groups()[index])


@dataclass(frozen=True, slots=True)
class RecoverySecrets:
    """What the recovery code and the salt give.

    Attributes:
        recipient: the recovery recipient's X25519 key pair.
        check_key: the key-check key.
    """

    recipient: DeviceKey
    check_key: bytes = field(repr=False)


def new_salt() -> bytes:
    """Return a new random salt (kept by the service with the recovery public key)."""
    return os.urandom(SALT_LENGTH)


def derive(code: RecoveryCode, salt: bytes) -> RecoverySecrets:
    """Return the recovery recipient and the key-check key of *code* with *salt* (slow: scrypt)."""
    if len(salt) != SALT_LENGTH:
        raise RecoveryCodeError(
            "The account service sent recovery details this version cannot use."
        )
    material = Scrypt(salt=salt, length=2 * KEY_LENGTH, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P).derive(
        code.secret
    )
    return RecoverySecrets(DeviceKey(material[:KEY_LENGTH]), material[KEY_LENGTH:])
