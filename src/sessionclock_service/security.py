"""Password hashing, opaque tokens, one-time codes and constant-time comparisons.

Passwords: bcrypt over ``base64(HMAC-SHA256(pepper, password))``. bcrypt only reads 72 bytes and
bcrypt 5 raises ``ValueError`` beyond that, so the HMAC turns any password into 44 bytes first;
the pepper (kept outside the database) makes the pre-hash useless to someone holding only a
database dump (a bare SHA-256 pre-hash would allow "password shucking").

One-time codes (six digits, mailed to confirm an address or reset a password) are stored as
HMAC-SHA256 under a key derived from the server's secret: a plain SHA-256 of one of only a
million codes would be reversed from a database dump in a moment.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import unicodedata

import bcrypt
import idna

TOKEN_BYTES = 32  # 256 bits
API_TOKEN_PREFIX = "sct_"  # noqa: S105 - a prefix, not a secret
CODE_DIGITS = 6
# Unicode categories that show nothing (or something else than they are): control, format
# (zero-width, bidi overrides), surrogate, private use and unassigned.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


class PasswordHasher:
    """Hash and verify passwords with a pepper and a bcrypt cost.

    Attributes:
        dummy_hash: A hash of a random password, verified against when the e-mail is unknown
            so that an unknown address costs the same bcrypt time as a known one.
    """

    def __init__(self, *, pepper: str, rounds: int) -> None:
        self._pepper = pepper.encode()
        self._rounds = rounds
        self.dummy_hash = self.hash(secrets.token_urlsafe(24))

    def _prehash(self, password: str) -> bytes:
        # surrogatepass: a lone surrogate from JSON must never turn into a server error.
        digest = hmac.new(
            self._pepper, password.encode("utf-8", "surrogatepass"), hashlib.sha256
        ).digest()
        return base64.b64encode(digest)

    def hash(self, password: str) -> str:
        """Return the bcrypt hash of *password* (any length)."""
        return bcrypt.hashpw(self._prehash(password), bcrypt.gensalt(self._rounds)).decode()

    def outdated(self, password_hash: str) -> bool:
        """Return whether *password_hash* was made at a lower cost than this hasher's.

        Such a hash is replaced at the next sign-in: left alone it would check faster than the
        dummy hash, telling a registered address from an unknown one by the time taken.
        """
        parts = password_hash.split("$")
        return len(parts) > 3 and parts[2].isdigit() and int(parts[2]) < self._rounds

    def verify(self, password: str, password_hash: str | None) -> bool:
        """Return whether *password* matches; with no hash, spend the same time and say no."""
        candidate = password_hash if password_hash is not None else self.dummy_hash
        try:
            ok = bcrypt.checkpw(self._prehash(password), candidate.encode())
        except ValueError:
            return False
        return ok and password_hash is not None


def new_token(prefix: str) -> str:
    """Return a new opaque token carrying 256 random bits."""
    return prefix + secrets.token_urlsafe(TOKEN_BYTES)


def new_code() -> str:
    """Return a new one-time code of `CODE_DIGITS` random digits."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def typed_code(value: str) -> str:
    """Return a code as typed, without the spaces and dashes people add (any digits to ASCII)."""
    return "".join(c for c in unicodedata.normalize("NFKC", value) if c not in " -")


class CodeHasher:
    """Keyed hashes of one-time codes, each bound to what it is for and to its row."""

    def __init__(self, secret: str) -> None:
        self._key = hmac.new(
            secret.encode("utf-8", "surrogatepass"), b"sessionclock one-time codes", hashlib.sha256
        ).digest()

    def hash(self, code: str, *, purpose: str, subject: str) -> str:
        """Return the hex HMAC under which *code* for *purpose* and *subject* is stored."""
        message = "\x00".join((purpose, subject, code)).encode("utf-8", "surrogatepass")
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def matches(self, code: str, stored: str, *, purpose: str, subject: str) -> bool:
        """Return whether *code* is the one stored as *stored* (compared in constant time)."""
        return constant_time_equal(self.hash(code, purpose=purpose, subject=subject), stored)


def clean_device_name(value: str, *, limit: int) -> str:
    """Return a device name as the user wrote it, minus invisible characters, at most *limit* long.

    Control, format (zero-width, bidi overrides), surrogate and private-use characters are
    dropped, runs of white space become one space.
    """
    kept = "".join(c for c in value if c.isspace() or unicodedata.category(c) not in _INVISIBLE)
    return " ".join(kept.split())[:limit].rstrip()


_EMAIL = re.compile(r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$")


def normalise_email(value: str) -> str:
    """Return the one spelling under which an e-mail address is stored and looked up.

    Unicode compatibility forms are folded (NFKC: full-width letters become plain ones), the
    address is lower-cased, invisible characters (zero-width, bidi overrides, controls) are
    refused rather than dropped, and the domain is stored in its IDNA ASCII form (UTS #46), so
    two addresses that look alike in the admin area are the same address or not accepted.

    Raises:
        ValueError: *value* is not an e-mail address.
    """
    value = unicodedata.normalize("NFKC", value.strip()).lower()
    if not _EMAIL.match(value) or any(unicodedata.category(c) in _INVISIBLE for c in value):
        raise ValueError("not an e-mail address")
    local, _, domain = value.rpartition("@")
    try:
        domain = idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError:
        raise ValueError("not an e-mail address") from None
    address = f"{local}@{domain}"
    if len(address) > 254:
        raise ValueError("not an e-mail address")
    return address


def new_id() -> str:
    """Return a random identifier for a row (not a secret)."""
    return secrets.token_hex(16)


def is_row_id(value: str) -> bool:
    """Return whether *value* has the shape of an id made by `new_id` (else it cannot exist)."""
    return len(value) == 32 and all(c in "0123456789abcdef" for c in value)


def has_control_characters(value: str) -> bool:
    """Return whether *value* holds characters no database text column should receive."""
    return any(ord(c) < 32 or ord(c) == 127 or 0xD800 <= ord(c) <= 0xDFFF for c in value)


def hash_token(token: str) -> str:
    """Return the SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def constant_time_equal(a: str, b: str) -> bool:
    """Compare two strings without leaking where they differ."""
    return hmac.compare_digest(
        a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass")
    )
