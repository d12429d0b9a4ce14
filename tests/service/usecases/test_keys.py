"""Keys: the first key, rotation as epoch + 1 to exactly the devices holding the key, a device's
own envelope after recovery, starting over, and how often an account may change its key."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.support.service import Customer, MutableClock
from tests.support.sync import (
    Device,
    b64,
    first_key,
    new_device,
    pair,
    record,
    recovery,
    refused,
    register,
    sign_in_again,
    unb64,
)


def _rotate(
    client: TestClient, by: Device, devices: list[Device], *, epoch: int = 2, **extra: Any
) -> Any:
    body = {
        "epoch": epoch,
        "envelopes": [{"device_id": d.id, "envelope": b64(os.urandom(120))} for d in devices],
        "recovery": recovery(),
        **extra,
    }
    return client.post("/v1/keys/rotate", json=body, headers=by.headers)


def test_before_any_key_the_account_has_epoch_zero(client: TestClient, customer: Customer) -> None:
    keys = client.get("/v1/keys", headers=customer.headers).json()
    assert keys == {
        "epoch": 0,
        "device_id": None,
        "envelope": None,
        "recovery": None,
        "rotation_due": False,
    }


def test_the_first_device_sets_the_first_key_and_recovery(
    client: TestClient, customer: Customer
) -> None:
    desk = register(client, customer)
    own, salt, public, sealed = os.urandom(200), os.urandom(16), os.urandom(32), os.urandom(220)
    body = {
        "epoch": 1,
        "envelope": b64(own),
        "recovery": {"salt": b64(salt), "public_key": b64(public), "envelope": b64(sealed)},
    }
    r = client.post("/v1/keys", json=body, headers=desk.headers)
    assert r.status_code == 201, r.text
    keys = r.json()
    assert keys["epoch"] == 1 and keys["device_id"] == desk.id
    assert unb64(keys["envelope"]) == own
    assert [unb64(keys["recovery"][k]) for k in ("salt", "public_key", "envelope")] == [
        salt,
        public,
        sealed,
    ]
    assert client.get("/v1/keys", headers=desk.headers).json() == keys
    # A second first key (another device racing, or this one retrying) is refused.
    refused(client.post("/v1/keys", json=body, headers=desk.headers), 409, "key_exists")
    tablet = new_device(client, customer)
    refused(client.post("/v1/keys", json=body, headers=tablet.headers), 409, "key_exists")
    # A device sees only its own envelope: the tablet has none yet, but sees the recovery.
    seen = client.get("/v1/keys", headers=tablet.headers).json()
    assert seen["envelope"] is None and seen["recovery"] == keys["recovery"]


def test_the_first_key_needs_a_registered_device_and_epoch_one(
    client: TestClient, customer: Customer
) -> None:
    body = {"epoch": 1, "envelope": b64(b"e" * 50), "recovery": recovery()}
    refused(client.post("/v1/keys", json=body, headers=customer.headers), 409, "device_required")
    desk = register(client, customer)
    refused(
        client.post("/v1/keys", json={**body, "epoch": 2}, headers=desk.headers),
        409,
        "epoch_changed",
    )
    for bad in [
        {**body, "epoch": 0},
        {**body, "envelope": b64(os.urandom(4097))},
        {**body, "envelope": ""},
        {**body, "recovery": {**recovery(), "salt": b64(os.urandom(15))}},
        {**body, "recovery": {**recovery(), "salt": b64(os.urandom(65))}},
        {**body, "recovery": {**recovery(), "public_key": b64(os.urandom(31))}},
        {**body, "extra": 1},
    ]:
        refused(client.post("/v1/keys", json=bad, headers=desk.headers), 422)
    assert client.get("/v1/keys", headers=desk.headers).json()["epoch"] == 0


def test_a_rotation_is_the_next_epoch_for_exactly_the_devices_holding_the_key(
    client: TestClient, customer: Customer, desk: Device
) -> None:
    tablet = new_device(client, customer)
    pair(client, tablet, desk)
    waiting = new_device(client, customer, "Laptop")  # signed in, never paired: no envelope
    refused(_rotate(client, desk, [desk]), 409, "envelopes_mismatch")
    refused(_rotate(client, desk, [desk, tablet, waiting]), 409, "envelopes_mismatch")
    refused(_rotate(client, desk, [desk, tablet, tablet]), 409, "envelopes_mismatch")
    refused(_rotate(client, desk, [desk, tablet], epoch=3), 409, "epoch_changed")
    refused(_rotate(client, desk, [desk, tablet], epoch=1), 409, "epoch_changed")
    refused(_rotate(client, waiting, [desk, tablet]), 409, "key_required")
    assert client.get("/v1/keys", headers=desk.headers).json()["epoch"] == 1
    r = _rotate(client, desk, [desk, tablet])
    assert r.status_code == 200, r.text
    assert r.json()["epoch"] == 2
    for device in (desk, tablet):
        keys = client.get("/v1/keys", headers=device.headers).json()
        assert keys["epoch"] == 2 and keys["envelope"] is not None
    listed = client.get("/v1/devices", headers=desk.headers).json()
    assert {d["id"]: d["has_current_key"] for d in listed} == {
        desk.id: True,
        tablet.id: True,
        waiting.id: False,
    }


def test_the_mismatch_names_the_missing_and_extra_devices(
    client: TestClient, customer: Customer, desk: Device
) -> None:
    tablet = new_device(client, customer)
    pair(client, tablet, desk)
    waiting = new_device(client, customer, "Laptop")
    r = _rotate(client, desk, [desk, waiting])
    refused(r, 409, "envelopes_mismatch")
    assert tablet.id in r.json()["detail"] and waiting.id in r.json()["detail"]


def test_after_removing_a_device_the_rotation_leaves_it_out_and_is_no_longer_due(
    client: TestClient, customer: Customer, desk: Device
) -> None:
    tablet = new_device(client, customer)
    pair(client, tablet, desk)
    client.delete(f"/v1/devices/{tablet.id}", headers=desk.headers)
    assert client.get("/v1/keys", headers=desk.headers).json()["rotation_due"] is True
    r = _rotate(client, desk, [desk])
    assert r.status_code == 200, r.text
    assert r.json()["rotation_due"] is False and r.json()["epoch"] == 2


def test_after_a_rotation_pushes_of_the_old_epoch_arerefused(
    client: TestClient, customer: Customer, desk: Device
) -> None:
    kept = record(version="1764000000000-000000-aa")
    assert client.post("/v1/sync/push", json={"records": [kept]}, headers=desk.headers).json()
    assert _rotate(client, desk, [desk]).status_code == 200
    r = client.post("/v1/sync/push", json={"records": [record()]}, headers=desk.headers)
    refused(r, 409, "epoch_changed")
    # Re-sealing the same version under the new epoch is accepted, and pulls show it.
    resealed = {**kept, "epoch": 2, "ciphertext": b64(os.urandom(256))}
    r = client.post("/v1/sync/push", json={"records": [resealed]}, headers=desk.headers)
    assert r.json()["results"][0]["status"] == "accepted"
    pulled = client.get("/v1/sync/pull", headers=desk.headers).json()
    assert pulled["epoch"] == 2
    assert [(x["record_id"], x["epoch"]) for x in pulled["records"]] == [(kept["record_id"], 2)]


def test_a_device_posts_its_own_envelope_only_for_the_current_epoch(
    client: TestClient, customer: Customer, desk: Device
) -> None:
    tablet = new_device(client, customer)
    body = {"epoch": 2, "envelope": b64(b"mine" * 10)}
    r = client.put("/v1/keys/envelope", json=body, headers=tablet.headers)
    refused(r, 409, "epoch_changed")
    r = client.put("/v1/keys/envelope", json={**body, "epoch": 1}, headers=tablet.headers)
    assert r.status_code == 200 and unb64(r.json()["envelope"]) == b"mine" * 10
    # Posting again replaces it: one envelope per device and epoch.
    r = client.put(
        "/v1/keys/envelope", json={"epoch": 1, "envelope": b64(b"new")}, headers=tablet.headers
    )
    assert unb64(r.json()["envelope"]) == b"new"
    refused(_rotate(client, desk, [desk]), 409, "envelopes_mismatch")
    assert _rotate(client, desk, [desk, tablet]).status_code == 200


def test_a_device_envelope_needs_a_key_and_a_device(client: TestClient, customer: Customer) -> None:
    body = {"epoch": 1, "envelope": b64(b"x")}
    r = client.put("/v1/keys/envelope", json=body, headers=customer.headers)
    refused(r, 409, "device_required")
    device = register(client, customer)
    refused(client.put("/v1/keys/envelope", json=body, headers=device.headers), 409, "no_key")


def test_starting_over_deletes_every_record_envelope_and_pairing(
    client: TestClient, customer: Customer, desk: Device
) -> None:
    tablet = new_device(client, customer)
    pair(client, tablet, desk)
    laptop = new_device(client, customer, "Laptop")
    client.post("/v1/sync/push", json={"records": [record(), record()]}, headers=desk.headers)
    client.post(
        "/v1/devices/pairings",
        json={"public_key": b64(laptop.public_key), "commitment": b64(os.urandom(32))},
        headers=laptop.headers,
    )
    body = {"epoch": 2, "envelope": b64(b"fresh" * 10), "recovery": recovery()}
    refused(
        client.post("/v1/keys/restart", json={**body, "epoch": 3}, headers=tablet.headers),
        409,
        "epoch_changed",
    )
    # Any registered device may start over: it is for when no device holds the key any more.
    r = client.post("/v1/keys/restart", json=body, headers=laptop.headers)
    assert r.status_code == 200, r.text
    assert r.json()["epoch"] == 2 and unb64(r.json()["envelope"]) == b"fresh" * 10
    assert client.get("/v1/devices/pairings", headers=desk.headers).json() == []
    listed = client.get("/v1/devices", headers=desk.headers).json()
    assert {d["id"]: d["has_current_key"] for d in listed} == {
        desk.id: False,
        tablet.id: False,
        laptop.id: True,
    }
    assert client.get("/v1/keys", headers=desk.headers).json()["envelope"] is None
    pulled = client.get("/v1/sync/pull", headers=laptop.headers).json()
    assert pulled["records"] == [] and pulled["epoch"] == 2
    # The old key's holders must pair again before they push.
    r = client.post("/v1/sync/push", json={"records": [record()]}, headers=desk.headers)
    refused(r, 409, "key_required")


def test_starting_over_needs_a_first_key(client: TestClient, customer: Customer) -> None:
    device = register(client, customer)
    body = {"epoch": 1, "envelope": b64(b"x"), "recovery": recovery()}
    refused(client.post("/v1/keys/restart", json=body, headers=device.headers), 409, "no_key")
    first_key(client, device)
    unregistered = {"Authorization": f"Bearer {sign_in_again(client, customer)}"}
    body["epoch"] = 2
    refused(
        client.post("/v1/keys/restart", json=body, headers=unregistered), 409, "device_required"
    )


def test_an_account_changes_its_key_a_limited_number_of_times_an_hour(
    client: TestClient, customer: Customer, desk: Device, clock: MutableClock
) -> None:
    # The first key was one change; nine rotations make ten.
    for epoch in range(2, 11):
        assert _rotate(client, desk, [desk], epoch=epoch).status_code == 200
    r = _rotate(client, desk, [desk], epoch=11)
    refused(r, 429)
    assert 1 <= int(r.headers["retry-after"]) <= 3600
    restart = {"epoch": 11, "envelope": b64(b"x"), "recovery": recovery()}
    refused(client.post("/v1/keys/restart", json=restart, headers=desk.headers), 429)
    assert client.get("/v1/keys", headers=desk.headers).json()["epoch"] == 10
    clock.advance(timedelta(hours=1))
    assert _rotate(client, desk, [desk], epoch=11).status_code == 200
