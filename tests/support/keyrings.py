"""An in-memory keyring backend standing in for the OS key store (never a plaintext file)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import keyring
import keyring.errors
from keyring.backend import KeyringBackend
from keyring.backends import fail


class InMemoryKeyring(KeyringBackend):
    """A keyring backend that keeps passwords in a dict, as keyring's own tests do.

    Attributes:
        passwords: what is stored, by (service, username).
    """

    priority: float = 5

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.passwords[(service, username)]
        except KeyError:
            raise keyring.errors.PasswordDeleteError("not found") from None


@contextmanager
def no_key_store() -> Iterator[None]:
    """Make keyring refuse, as on a computer without a key store, for the ``with`` block."""
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)
