"""Device keys, the account's sync keys, and envelopes: what opens, and every way a key that did
not come from the practitioner's own devices is refused."""

from __future__ import annotations

import pytest

from sessionclock.core.devices.keys import (
    ENVELOPE_VERSION,
    RECOVERY_RECIPIENT,
    AccountKeys,
    DeviceKey,
    EnvelopeMode,
    forget_sync_keys,
    load_account_keys,
    load_device_key,
    open_envelope,
    save_account_keys,
    save_device_key,
    seal_envelope,
)
from sessionclock.core.errors import KeyNotVerifiedError, KeyStoreUnavailableError
from sessionclock.core.keystore import MemoryKeyStore

ACCOUNT = "a1b2c3d4e5f60718293a4b5c6d7e8f90"


def keys_of(check: bytes | None = None) -> AccountKeys:
    recovery = DeviceKey.generate()
    return AccountKeys.first(
        account=ACCOUNT, recovery_public=recovery.public, check_key=check or b"c" * 32
    )


def test_a_device_key_has_a_32_byte_public_key_and_agrees_with_its_peer() -> None:
    a, b = DeviceKey.generate(), DeviceKey.generate()
    assert len(a.public) == 32 and a.public != b.public
    assert a.exchange(b.public) == b.exchange(a.public)
    assert "private" not in repr(a) or a.private.hex() not in repr(a)
    with pytest.raises(ValueError, match="32 bytes"):
        DeviceKey(b"short")


def test_account_keys_survive_the_key_store_and_rotate_to_a_new_data_key() -> None:
    keys = keys_of()
    assert AccountKeys.from_secret(keys.to_secret()) == keys
    rotated = keys.rotated()
    assert rotated.epoch == 2 and rotated.data_key != keys.data_key
    assert (rotated.recovery_public, rotated.check_key) == (keys.recovery_public, keys.check_key)
    assert keys.data_key.hex() not in repr(keys) and keys.check_key.hex() not in repr(keys)


@pytest.mark.parametrize(
    "secret",
    [b"[]", b'{"epoch": "1", "account": "x"}', b'{"epoch": true, "account": "x"}', b"{"],
)
def test_a_damaged_key_set_is_refused(secret: bytes) -> None:
    with pytest.raises(ValueError, match="not a key set"):
        AccountKeys.from_secret(secret)


def test_account_keys_refuse_impossible_values() -> None:
    with pytest.raises(ValueError, match="counts from 1"):
        AccountKeys(ACCOUNT, 0, b"k" * 32, b"r" * 32, b"c" * 32)
    with pytest.raises(ValueError, match="32 bytes"):
        AccountKeys(ACCOUNT, 1, b"k" * 31, b"r" * 32, b"c" * 32)


def test_an_envelope_opens_for_its_recipient_with_the_trusted_check_key() -> None:
    keys, device = keys_of(), DeviceKey.generate()
    blob = seal_envelope(keys, recipient_public=device.public, recipient_id="dev-1")
    assert blob[0] == ENVELOPE_VERSION and blob[1] == EnvelopeMode.ANONYMOUS
    opened = open_envelope(
        blob,
        recipient=device,
        recipient_id="dev-1",
        account=ACCOUNT,
        epoch=1,
        check_key=keys.check_key,
    )
    assert opened == keys


def test_an_envelope_the_service_made_itself_is_refused() -> None:
    # The service knows every public key: it can seal a key of its own choosing, but it cannot
    # prove it with the key-check key it never saw.
    keys, device = keys_of(), DeviceKey.generate()
    forged = AccountKeys(ACCOUNT, 1, b"s" * 32, keys.recovery_public, b"f" * 32)
    blob = seal_envelope(forged, recipient_public=device.public, recipient_id="dev-1")
    with pytest.raises(KeyNotVerifiedError):
        open_envelope(
            blob,
            recipient=device,
            recipient_id="dev-1",
            account=ACCOUNT,
            epoch=1,
            check_key=keys.check_key,
        )


@pytest.mark.parametrize(
    ("recipient_id", "account", "epoch"),
    [("dev-2", ACCOUNT, 1), ("dev-1", "another-account", 1), ("dev-1", ACCOUNT, 2)],
)
def test_an_envelope_for_another_recipient_account_or_epoch_does_not_open(
    recipient_id: str, account: str, epoch: int
) -> None:
    keys, device = keys_of(), DeviceKey.generate()
    blob = seal_envelope(keys, recipient_public=device.public, recipient_id="dev-1")
    with pytest.raises(KeyNotVerifiedError):
        open_envelope(
            blob,
            recipient=device,
            recipient_id=recipient_id,
            account=account,
            epoch=epoch,
            check_key=keys.check_key,
        )


def test_an_envelope_for_another_device_key_does_not_open() -> None:
    keys, device = keys_of(), DeviceKey.generate()
    blob = seal_envelope(keys, recipient_public=device.public, recipient_id="dev-1")
    with pytest.raises(KeyNotVerifiedError):
        open_envelope(
            blob,
            recipient=DeviceKey.generate(),
            recipient_id="dev-1",
            account=ACCOUNT,
            epoch=1,
            check_key=keys.check_key,
        )


def test_a_pairing_envelope_opens_only_as_from_the_approving_device() -> None:
    keys, approver, new = keys_of(), DeviceKey.generate(), DeviceKey.generate()
    blob = seal_envelope(keys, recipient_public=new.public, recipient_id="new", sender=approver)
    assert blob[1] == EnvelopeMode.FROM_DEVICE
    opened = open_envelope(
        blob,
        recipient=new,
        recipient_id="new",
        account=ACCOUNT,
        epoch=1,
        sender_public=approver.public,
    )
    assert opened == keys
    # The same envelope claimed to come from another device (the service's own key) fails.
    with pytest.raises(KeyNotVerifiedError):
        open_envelope(
            blob,
            recipient=new,
            recipient_id="new",
            account=ACCOUNT,
            epoch=1,
            sender_public=DeviceKey.generate().public,
        )
    # And an anonymous envelope cannot pass for a pairing one.
    anonymous = seal_envelope(keys, recipient_public=new.public, recipient_id="new")
    with pytest.raises(KeyNotVerifiedError):
        open_envelope(
            anonymous,
            recipient=new,
            recipient_id="new",
            account=ACCOUNT,
            epoch=1,
            sender_public=approver.public,
        )


@pytest.mark.parametrize("index", [0, 1, 2, 40, 60, -1])
def test_any_flipped_bit_or_a_cut_envelope_is_refused(index: int) -> None:
    keys, device = keys_of(), DeviceKey.generate()
    blob = seal_envelope(keys, recipient_public=device.public, recipient_id=RECOVERY_RECIPIENT)
    flipped = bytearray(blob)
    flipped[index] ^= 0x01
    for damaged in (bytes(flipped), blob[:40], b""):
        with pytest.raises(KeyNotVerifiedError):
            open_envelope(
                damaged,
                recipient=device,
                recipient_id=RECOVERY_RECIPIENT,
                account=ACCOUNT,
                epoch=1,
                check_key=keys.check_key,
            )


def test_an_envelope_is_trusted_one_way_only() -> None:
    keys, device = keys_of(), DeviceKey.generate()
    blob = seal_envelope(keys, recipient_public=device.public, recipient_id="d")
    with pytest.raises(ValueError, match="not both"):
        open_envelope(blob, recipient=device, recipient_id="d", account=ACCOUNT, epoch=1)
    with pytest.raises(ValueError, match="32 bytes"):
        seal_envelope(keys, recipient_public=b"x", recipient_id="d")


def test_keys_live_in_the_key_store_per_local_account_and_go_together() -> None:
    store = MemoryKeyStore()
    assert load_device_key(store, "local") is None and load_account_keys(store, "local") is None
    device, keys = DeviceKey.generate(), keys_of()
    save_device_key(store, "local", device)
    save_account_keys(store, "local", keys)
    assert set(store.secrets) == {"device-key/local", "sync-key/local"}
    assert load_device_key(store, "local") == device
    assert load_account_keys(store, "local") == keys
    forget_sync_keys(store, "local")
    assert store.secrets == {}


def test_damaged_keys_in_the_key_store_say_so() -> None:
    store = MemoryKeyStore()
    store.set_secret("device-key/local", b"short")
    store.set_secret("sync-key/local", b"not json")
    with pytest.raises(KeyStoreUnavailableError, match="pair this device again"):
        load_device_key(store, "local")
    with pytest.raises(KeyStoreUnavailableError, match="pair this device again"):
        load_account_keys(store, "local")
