"""Tests for the key stores: memory, and the OS key store over an in-memory keyring backend."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import keyring
import keyring.errors
import pytest
from keyring.backends import chainer, fail, null
from keyring.compat import properties

from sessionclock.core.errors import KeyStoreUnavailableError
from sessionclock.core.keystore import (
    DEFAULT_SERVICE,
    KeyringKeyStore,
    KeyStore,
    MemoryKeyStore,
    backend_name,
    next_step,
    refusal_reason,
)
from tests.support.keyrings import InMemoryKeyring


class WeakKeyring(InMemoryKeyring):
    """Stands for a plaintext file backend: keyring rates those between zero and one."""

    priority = 0.5


class AltKeyring(InMemoryKeyring):
    """Claims to come from keyrings.alt, whatever its priority."""

    __module__ = "keyrings.alt.file"


class NotViableKeyring(InMemoryKeyring):
    """Raises from ``priority``, which is how keyring says a backend cannot work here."""

    @properties.classproperty
    def priority(cls) -> float:  # noqa: N805 - a class property receives the class
        raise RuntimeError("requires a D-Bus session")


class BrokenKeyring(InMemoryKeyring):
    """A recommended backend whose every call fails like a locked or missing store."""

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    def get_password(self, service: str, username: str) -> str | None:
        raise self.error

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.error


@pytest.fixture(params=["memory", "keyring"])
def store(request: pytest.FixtureRequest, memory_keyring: InMemoryKeyring) -> KeyStore:
    """Each key store implementation, for the behaviour they share."""
    if request.param == "memory":
        return MemoryKeyStore()
    return KeyringKeyStore()


def test_round_trip_of_arbitrary_bytes(store: KeyStore) -> None:
    secret = bytes(range(256))
    store.check_available()
    store.set_secret("account-key/a", secret)
    assert store.get_secret("account-key/a") == secret
    assert store.get_secret("account-key/b") is None


def test_set_replaces_and_delete_forgets(store: KeyStore) -> None:
    store.set_secret("k", b"one")
    store.set_secret("k", b"two")
    assert store.get_secret("k") == b"two"
    store.delete_secret("k")
    assert store.get_secret("k") is None
    store.delete_secret("k")  # deleting again is not an error
    assert store.get_secret("k") is None


def test_keyring_store_writes_base64_text_under_the_service(
    memory_keyring: InMemoryKeyring,
) -> None:
    KeyringKeyStore().set_secret("account-key/x", b"\x00\xffkey")
    assert memory_keyring.passwords == {
        (DEFAULT_SERVICE, "account-key/x"): base64.b64encode(b"\x00\xffkey").decode()
    }


def test_keyring_store_uses_an_explicit_backend_over_the_global_one(
    memory_keyring: InMemoryKeyring,
) -> None:
    own = InMemoryKeyring()
    KeyringKeyStore("Other", backend=own).set_secret("n", b"s")
    assert own.passwords == {("Other", "n"): "cw=="}
    assert memory_keyring.passwords == {}


def test_memory_store_exposes_a_copy_of_its_secrets() -> None:
    store = MemoryKeyStore()
    store.set_secret("n", b"s")
    copy = store.secrets
    copy["n"] = b"changed"
    assert store.secrets == {"n": b"s"}


def test_damaged_keyring_entry_is_reported_not_returned(memory_keyring: InMemoryKeyring) -> None:
    memory_keyring.passwords[(DEFAULT_SERVICE, "n")] = "not base64!"
    with pytest.raises(KeyStoreUnavailableError, match="damaged") as caught:
        KeyringKeyStore().get_secret("n")

    assert "Delete all data on this computer" in str(caught.value)


@pytest.mark.parametrize(
    "backend",
    [
        fail.Keyring(),
        null.Keyring(),
        WeakKeyring(),
        AltKeyring(),
        NotViableKeyring(),
    ],
    ids=["fail", "null", "plaintext-priority", "keyrings.alt", "not-viable"],
)
@pytest.mark.parametrize(
    "operation",
    [
        lambda s: s.check_available(),
        lambda s: s.get_secret("n"),
        lambda s: s.set_secret("n", b"secret"),
        lambda s: s.delete_secret("n"),
    ],
    ids=["check", "get", "set", "delete"],
)
def test_unsafe_backends_count_as_no_key_store(
    backend: Any, operation: Callable[[KeyringKeyStore], object]
) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        with pytest.raises(KeyStoreUnavailableError, match="No secure key store"):
            operation(KeyringKeyStore())
    finally:
        keyring.set_keyring(previous)
    if isinstance(backend, InMemoryKeyring):
        assert backend.passwords == {}  # nothing was written to the refused backend


@pytest.mark.parametrize(
    ("chained", "refused"),
    [
        ([InMemoryKeyring(), WeakKeyring()], True),
        ([], True),
        ([InMemoryKeyring(), InMemoryKeyring()], False),
    ],
    ids=["falls-back-to-plaintext", "empty", "all-recommended"],
)
def test_chainer_is_refused_if_it_could_fall_back_to_an_unsafe_backend(
    monkeypatch: pytest.MonkeyPatch, chained: list[Any], refused: bool
) -> None:
    # The chainer discovers every installed backend; pin the list it would use.
    monkeypatch.setattr(chainer.ChainerBackend, "backends", chained)
    backend = chainer.ChainerBackend()
    assert (refusal_reason(backend) is not None) is refused


@pytest.mark.parametrize(
    "error",
    [
        keyring.errors.NoKeyringError("no backend"),
        keyring.errors.KeyringLocked("locked"),
        keyring.errors.PasswordSetError("refused"),
        OSError("dbus went away"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_backend_failures_become_key_store_unavailable(error: Exception) -> None:
    store = KeyringKeyStore(backend=BrokenKeyring(error))
    with pytest.raises(KeyStoreUnavailableError) as get_info:
        store.get_secret("n")
    with pytest.raises(KeyStoreUnavailableError) as set_info:
        store.set_secret("n", b"top-secret")
    with pytest.raises(KeyStoreUnavailableError):
        store.delete_secret("n")
    for message in (str(get_info.value), str(set_info.value)):
        # Plain words and what to do next; no exception names such as "InitError".
        assert type(error).__name__ not in message
        assert "Error" not in message
        assert "then try again" in message
    assert "top-secret" not in str(set_info.value)
    assert set_info.value.__cause__ is error


def test_delete_failure_becomes_key_store_unavailable() -> None:
    class UndeletableKeyring(InMemoryKeyring):
        def delete_password(self, service: str, username: str) -> None:
            raise keyring.errors.PasswordDeleteError("refused")

    backend = UndeletableKeyring()
    backend.passwords[(DEFAULT_SERVICE, "n")] = "cw=="
    with pytest.raises(KeyStoreUnavailableError, match="refused to delete"):
        KeyringKeyStore(backend=backend).delete_secret("n")


def test_backend_discovery_failure_becomes_key_store_unavailable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken() -> object:
        raise keyring.errors.InitError("config file unreadable")

    monkeypatch.setattr(keyring, "get_keyring", broken)
    with pytest.raises(KeyStoreUnavailableError, match="could not be opened") as caught:
        KeyringKeyStore().check_available()

    assert "InitError" not in str(caught.value)
    assert str(caught.value).endswith(next_step())


def test_a_locked_key_store_says_to_unlock_it() -> None:
    store = KeyringKeyStore(backend=BrokenKeyring(keyring.errors.KeyringLocked("locked")))

    with pytest.raises(KeyStoreUnavailableError) as caught:
        store.get_secret("n")

    assert str(caught.value) == f"The system's key store is locked. {next_step()}"


@pytest.mark.parametrize(
    ("platform", "where"),
    [
        ("linux", "GNOME Keyring or KDE Wallet"),
        ("darwin", "macOS Keychain"),
        ("win32", "Windows Credential Manager"),
    ],
)
def test_the_next_step_names_the_platforms_key_store(platform: str, where: str) -> None:
    assert where in next_step(platform)
    assert next_step(platform).endswith("then try again.")


def test_where_the_secrets_live_is_named_for_the_privacy_page() -> None:
    from keyring.backends import SecretService, Windows, macOS

    assert backend_name(Windows.WinVaultKeyring()) == "Windows Credential Manager"
    assert backend_name(macOS.Keyring()) == "macOS Keychain"
    assert backend_name(SecretService.Keyring()).startswith("the Secret Service")
    assert backend_name(InMemoryKeyring()) == "the system key store (InMemoryKeyring)"
    assert KeyringKeyStore(backend=InMemoryKeyring()).location() == (
        "the system key store (InMemoryKeyring)"
    )
    assert "memory" in MemoryKeyStore().location()
    with pytest.raises(KeyStoreUnavailableError):
        KeyringKeyStore(backend=fail.Keyring()).location()
