"""Where secrets (the per-account encryption keys) live: the OS key store, or memory for tests.

The database never holds a key. ``KeyringKeyStore`` keeps each secret in the operating system's
key store (Windows Credential Locker, macOS Keychain, Secret Service) through ``keyring``, as base64
text. It refuses keyring's plaintext, "fail" and null backends: a key written to a plaintext file
beside the data would defeat the encryption, so such a backend counts as "no key store".
``MemoryKeyStore`` keeps secrets in memory only, for tests and the throwaway ``--demo`` profile.
"""

from __future__ import annotations

import base64
import binascii
import sys
import threading
from typing import Any, Protocol

from sessionclock.core.errors import KeyStoreUnavailableError

DEFAULT_SERVICE = "SessionClock"
"""The service name Session Clock's secrets are filed under in the OS key store."""

_MIN_PRIORITY = 1.0
"""keyring's documentation: priority below one marks a backend as "suitable, not recommended".

Plaintext and other weak backends (keyrings.alt) sit between zero and one; the "fail" backend is
zero and the null backend is negative.
"""

_UNAVAILABLE = (
    "No secure key store is available on this computer, so Session Clock cannot keep its "
    "encryption key safe, and nothing was stored"
)
_DAMAGED = (
    "The encryption key Session Clock keeps in the system's key store is damaged, so the data on "
    "this computer cannot be opened. If the key store was restored from a backup, restore it "
    "from the same backup as the data; otherwise use Session ▸ Delete all data on this computer "
    "and connect the calendar again."
)


def next_step(platform: str = sys.platform) -> str:
    """Return what to do about a key store that cannot be used, on *platform*, in plain words."""
    if platform == "darwin":
        return (
            "Session Clock keeps its key in the macOS Keychain: open Keychain Access, unlock the "
            "login keychain, then try again."
        )
    if platform.startswith("win"):
        return (
            "Session Clock keeps its key in the Windows Credential Manager: sign in to Windows "
            "with your own account (not a guest account), then try again."
        )
    return (
        "Session Clock keeps its key in the desktop's key store (GNOME Keyring or KDE Wallet): "
        "make sure one is installed and unlocked (signing in to the desktop usually unlocks it), "
        "then try again."
    )


class KeyStore(Protocol):
    """A place to keep small secrets by name, outside the database."""

    def check_available(self) -> None:
        """Raise ``KeyStoreUnavailableError`` if secrets cannot be kept here."""

    def get_secret(self, name: str) -> bytes | None:
        """Return the secret stored under *name*, or ``None`` if there is none."""

    def set_secret(self, name: str, secret: bytes) -> None:
        """Store *secret* under *name*, replacing any previous one."""

    def delete_secret(self, name: str) -> None:
        """Delete the secret stored under *name*; deleting a missing secret does nothing."""

    def location(self) -> str:
        """Return where the secrets live, in words the practitioner knows (privacy page)."""


class MemoryKeyStore:
    """A key store that forgets everything when the process ends (tests, ``--demo``).

    Thread-safe: a worker thread may use the same instance as the UI thread.

    Attributes:
        secrets: a copy of what is stored, by name (for tests to inspect).
    """

    def __init__(self) -> None:
        """Create an empty key store."""
        self._secrets: dict[str, bytes] = {}
        self._lock = threading.Lock()

    @property
    def secrets(self) -> dict[str, bytes]:
        """Return a copy of the stored secrets."""
        with self._lock:
            return dict(self._secrets)

    def check_available(self) -> None:
        """Do nothing: memory is always available."""

    def get_secret(self, name: str) -> bytes | None:
        """Return the secret stored under *name*, or ``None``."""
        with self._lock:
            return self._secrets.get(name)

    def set_secret(self, name: str, secret: bytes) -> None:
        """Store *secret* under *name*."""
        with self._lock:
            self._secrets[name] = bytes(secret)

    def delete_secret(self, name: str) -> None:
        """Delete the secret stored under *name*, if any."""
        with self._lock:
            self._secrets.pop(name, None)

    def location(self) -> str:
        """Return "memory": nothing outlives the app."""
        return "memory only (forgotten when Session Clock closes)"


class KeyringKeyStore:
    """Secrets in the operating system's key store, through ``keyring``.

    Each secret is stored as base64 text under ``(service, name)``. The keyring backend is looked
    up at each call (unless one is given), so ``keyring.set_keyring`` takes effect at once.

    Every failure of the backend, including ``keyring.errors.NoKeyringError``, locked key stores
    and the platform's own errors, becomes ``KeyStoreUnavailableError`` with a message that can be
    shown as it is and never contains the secret.

    Attributes:
        service: the service name the secrets are filed under.
    """

    def __init__(self, service: str = DEFAULT_SERVICE, *, backend: Any = None) -> None:
        """Create a key store over *backend*, or over keyring's current backend if ``None``.

        Args:
            service: the service name to file secrets under.
            backend: a ``keyring.backend.KeyringBackend`` instance to use instead of the global
                one (keyring has no type stubs, hence ``Any``).
        """
        self.service = service
        self._backend = backend

    def check_available(self) -> None:
        """Raise ``KeyStoreUnavailableError`` unless a secure backend is in use."""
        self._usable_backend()

    def get_secret(self, name: str) -> bytes | None:
        """Return the secret stored under *name*, or ``None``.

        Raises:
            KeyStoreUnavailableError: the key store cannot be used, or the stored text is not a
                secret Session Clock wrote.
        """
        backend = self._usable_backend()
        try:
            text = backend.get_password(self.service, name)
        except Exception as exc:  # backends raise their platform's own errors
            raise _unavailable("could not be read", exc) from exc
        if text is None:
            return None
        try:
            return base64.b64decode(str(text), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise KeyStoreUnavailableError(_DAMAGED) from exc

    def set_secret(self, name: str, secret: bytes) -> None:
        """Store *secret* under *name*.

        Raises:
            KeyStoreUnavailableError: the key store cannot be used or refused the secret.
        """
        backend = self._usable_backend()
        text = base64.b64encode(secret).decode("ascii")
        try:
            backend.set_password(self.service, name, text)
        except Exception as exc:  # backends raise their platform's own errors
            raise _unavailable("refused to store the key", exc) from exc

    def delete_secret(self, name: str) -> None:
        """Delete the secret stored under *name*, if any.

        Raises:
            KeyStoreUnavailableError: the key store cannot be used or refused the deletion.
        """
        backend = self._usable_backend()
        try:
            # keyring raises PasswordDeleteError both for "missing" and for "failed", so look first.
            if backend.get_password(self.service, name) is None:
                return
            backend.delete_password(self.service, name)
        except Exception as exc:  # backends raise their platform's own errors
            raise _unavailable("refused to delete the key", exc) from exc

    def location(self) -> str:
        """Return the name of the operating system's key store in use.

        Raises:
            KeyStoreUnavailableError: the key store cannot be used.
        """
        return backend_name(self._usable_backend())

    def _usable_backend(self) -> Any:
        backend = self._backend
        if backend is None:
            import keyring  # only needed when the OS key store is used

            try:
                backend = keyring.get_keyring()
            except Exception as exc:  # backend discovery can fail in many ways
                raise _unavailable("could not be opened", exc) from exc
        reason = refusal_reason(backend)
        if reason is not None:
            raise KeyStoreUnavailableError(f"{_UNAVAILABLE} ({reason}). {next_step()}")
        return backend


_BACKEND_NAMES = {
    "keyring.backends.Windows": "Windows Credential Manager",
    "keyring.backends.macOS": "macOS Keychain",
    "keyring.backends.SecretService": "the Secret Service (GNOME Keyring or KDE Wallet)",
    "keyring.backends.libsecret": "the Secret Service (GNOME Keyring or KDE Wallet)",
    "keyring.backends.kwallet": "KDE Wallet",
}


def backend_name(backend: Any) -> str:
    """Return the practitioner's name for a keyring *backend* (the first one a chainer uses)."""
    from keyring.backends import chainer

    if isinstance(backend, chainer.ChainerBackend) and list(backend.backends):
        return backend_name(next(iter(backend.backends)))
    module = type(backend).__module__
    for prefix, name in _BACKEND_NAMES.items():
        if module.startswith(prefix):
            return name
    return f"the system key store ({type(backend).__name__})"


def refusal_reason(backend: Any) -> str | None:
    """Return why *backend* must not hold Session Clock's keys, or ``None`` if it may.

    Refused: keyring's "fail" and null backends, anything from ``keyrings.alt`` (plaintext and
    weakly encrypted files), any backend whose priority is below one or cannot be determined,
    and a chainer backend that would fall back to any of those.
    """
    from keyring.backends import chainer, fail, null

    if isinstance(backend, fail.Keyring | null.Keyring):
        return "no key store backend is installed"
    if type(backend).__module__.startswith("keyrings.alt"):
        return "only a plaintext or weakly protected file backend is installed"
    if isinstance(backend, chainer.ChainerBackend):
        chained = list(backend.backends)
        if not chained:
            return "no key store backend is installed"
        for inner in chained:
            reason = refusal_reason(inner)
            if reason is not None:
                return reason
        return None
    try:
        priority = float(type(backend).priority)
    except Exception:  # keyring signals "not viable here" by raising
        return "the key store backend is not usable here"
    if priority < _MIN_PRIORITY:
        return "only a backend that keyring does not recommend is installed"
    return None


def _unavailable(what: str, exc: BaseException) -> KeyStoreUnavailableError:
    # The exception's text might echo the service or secret name, and its type is jargon: the
    # message says what happened and what to do; the cause stays attached for a developer.
    from keyring.errors import KeyringLocked

    if isinstance(exc, KeyringLocked):
        return KeyStoreUnavailableError(f"The system's key store is locked. {next_step()}")
    return KeyStoreUnavailableError(f"The system's key store {what}. {next_step()}")
