"""Sign-in tokens and waiting deletions live in the key store, and only there."""

from __future__ import annotations

import pytest

from sessionclock.core.account.credentials import (
    PendingDeletion,
    add_pending_deletion,
    delete_token,
    load_token,
    pending_deletions,
    remove_pending_deletion,
    save_token,
)
from sessionclock.core.errors import KeyStoreUnavailableError
from sessionclock.core.keystore import MemoryKeyStore


def test_a_token_is_kept_per_local_account_and_forgotten_on_sign_out() -> None:
    keystore = MemoryKeyStore()
    save_token(keystore, "a", "sct_one")
    save_token(keystore, "b", "sct_two")
    assert (load_token(keystore, "a"), load_token(keystore, "b")) == ("sct_one", "sct_two")
    delete_token(keystore, "a")
    assert load_token(keystore, "a") is None
    assert load_token(keystore, "b") == "sct_two"


def test_waiting_deletions_are_listed_until_removed() -> None:
    keystore = MemoryKeyStore()
    first = PendingDeletion("https://svc.example", token="sct_1", password="pw one")
    second = PendingDeletion("https://svc.example", token="sct_2", password="pw two")
    add_pending_deletion(keystore, first)
    add_pending_deletion(keystore, second)
    add_pending_deletion(keystore, first)  # twice is once
    assert pending_deletions(keystore) == (first, second)
    assert "pw one" not in repr(first)
    remove_pending_deletion(keystore, first.id)
    assert pending_deletions(keystore) == (second,)
    remove_pending_deletion(keystore, second.id)
    assert pending_deletions(keystore) == ()
    assert keystore.secrets == {}, "nothing of a finished deletion is left, its password least"


def test_a_damaged_entry_is_skipped_not_fatal() -> None:
    keystore = MemoryKeyStore()
    good = PendingDeletion("https://svc.example", token="sct_1", password="pw")
    add_pending_deletion(keystore, good)
    keystore.set_secret("pending-deletions", b'["gone", "' + good.id.encode() + b'", 3]')
    keystore.set_secret("pending-deletion/gone", b"{not json")
    assert pending_deletions(keystore) == (good,)
    keystore.set_secret("pending-deletions", b"nonsense")
    assert pending_deletions(keystore) == ()


def test_when_the_key_store_refuses_the_list_nothing_is_half_kept() -> None:
    class Refusing(MemoryKeyStore):
        def set_secret(self, name: str, secret: bytes) -> None:
            if name == "pending-deletions":
                raise KeyStoreUnavailableError("The key store refused to store the key.")
            super().set_secret(name, secret)

    keystore = Refusing()
    with pytest.raises(KeyStoreUnavailableError):
        add_pending_deletion(
            keystore, PendingDeletion("https://x.example", token="t", password="p")
        )
    assert keystore.secrets == {}
