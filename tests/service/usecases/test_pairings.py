"""Pairing: the commit-then-reveal exchange, each step in its state and from its device only."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.service import Customer, MutableClock
from tests.support.sync import (
    Device,
    b64,
    new_device,
    pair,
    pairing_of,
    recovery,
    refused,
    sign_in_again,
    unb64,
)


@pytest.fixture
def tablet(client: TestClient, customer: Customer, desk: Device) -> Device:
    """A new device of the account, without the key."""
    return new_device(client, customer)


NONCE_B = b"b" * 32
NONCE_A = b"a" * 32


def _answer(client: TestClient, pairing: str, device: Device) -> Any:
    return client.post(
        f"/v1/devices/pairings/{pairing}/answer",
        json={"nonce_a": b64(NONCE_A), "approver_public_key": b64(device.public_key)},
        headers=device.headers,
    )


def _reveal(client: TestClient, pairing: str, device: Device, nonce_b: bytes = NONCE_B) -> Any:
    return client.post(
        f"/v1/devices/pairings/{pairing}/reveal",
        json={"nonce_b": b64(nonce_b)},
        headers=device.headers,
    )


def _approve(client: TestClient, pairing: str, device: Device, epoch: int = 1) -> Any:
    return client.post(
        f"/v1/devices/pairings/{pairing}/approve",
        json={"epoch": epoch, "envelope": b64(b"sealed to the tablet")},
        headers=device.headers,
    )


def test_the_whole_exchange_as_both_devices_see_it(
    client: TestClient, desk: Device, tablet: Device
) -> None:
    started = pairing_of(client, tablet)
    assert started["state"] == "waiting"
    assert started["device_id"] == tablet.id and started["device_name"] == "Room tablet"
    assert unb64(started["public_key"]) == tablet.public_key
    assert started["nonce_a"] is None and started["approver_public_key"] is None
    pairing = started["id"]
    # The desk polls the account's pairings and finds it.
    seen = client.get("/v1/devices/pairings", headers=desk.headers).json()
    assert [p["id"] for p in seen] == [pairing]

    answered = _answer(client, pairing, desk).json()
    assert answered["state"] == "answered"
    assert unb64(answered["nonce_a"]) == NONCE_A
    assert answered["approver_device_id"] == desk.id
    assert unb64(answered["approver_public_key"]) == desk.public_key
    assert answered["nonce_b"] is None

    revealed = _reveal(client, pairing, tablet).json()
    assert revealed["state"] == "revealed" and unb64(revealed["nonce_b"]) == NONCE_B

    approved = _approve(client, pairing, desk).json()
    assert approved["state"] == "approved"
    keys = client.get("/v1/keys", headers=tablet.headers).json()
    assert keys["epoch"] == 1 and unb64(keys["envelope"]) == b"sealed to the tablet"
    assert keys["device_id"] == tablet.id
    devices = {d["id"]: d for d in client.get("/v1/devices", headers=desk.headers).json()}
    assert devices[tablet.id]["has_current_key"] is True
    # The same pairing as the tablet reads it.
    mine = client.get(f"/v1/devices/pairings/{pairing}", headers=tablet.headers).json()
    assert mine == approved


def test_each_step_only_in_its_state(client: TestClient, desk: Device, tablet: Device) -> None:
    pairing = pairing_of(client, tablet)["id"]
    refused(_reveal(client, pairing, tablet), 409, "pairing_state")  # nobody answered yet
    refused(_approve(client, pairing, desk), 409, "pairing_state")
    assert _answer(client, pairing, desk).status_code == 200
    refused(_answer(client, pairing, desk), 409, "pairing_state")  # the first answer wins
    refused(_approve(client, pairing, desk), 409, "pairing_state")  # not revealed yet
    assert _reveal(client, pairing, tablet).status_code == 200
    refused(_reveal(client, pairing, tablet), 409, "pairing_state")
    assert _approve(client, pairing, desk).status_code == 200
    refused(_approve(client, pairing, desk), 409, "pairing_state")
    refused(client.post(f"/v1/devices/pairings/{pairing}/deny", headers=desk.headers), 409)


def test_each_step_only_from_its_device(
    client: TestClient, customer: Customer, desk: Device, tablet: Device
) -> None:
    laptop = new_device(client, customer, "Laptop")
    pair(client, laptop, desk)  # the laptop holds the key too
    pairing = pairing_of(client, tablet)["id"]
    # The new device cannot answer its own pairing, even holding a key one day.
    refused(_answer(client, pairing, tablet), 409, "pairing_state")
    assert _answer(client, pairing, desk).status_code == 200
    refused(_reveal(client, pairing, laptop), 409, "pairing_state")  # only the tablet reveals
    assert _reveal(client, pairing, tablet).status_code == 200
    refused(_approve(client, pairing, laptop), 409, "pairing_state")  # only the desk approves
    refused(_approve(client, pairing, tablet), 409, "pairing_state")
    assert _approve(client, pairing, desk).status_code == 200


def test_only_a_device_holding_the_key_answers_with_its_own_public_key(
    client: TestClient, customer: Customer, desk: Device, tablet: Device
) -> None:
    waiting = new_device(client, customer, "Laptop")
    pairing = pairing_of(client, tablet)["id"]
    refused(_answer(client, pairing, waiting), 409, "key_required")
    wrong_key = client.post(
        f"/v1/devices/pairings/{pairing}/answer",
        json={"nonce_a": b64(NONCE_A), "approver_public_key": b64(os.urandom(32))},
        headers=desk.headers,
    )
    refused(wrong_key, 409, "public_key_mismatch")
    unregistered = client.post(
        f"/v1/devices/pairings/{pairing}/answer",
        json={"nonce_a": b64(NONCE_A), "approver_public_key": b64(desk.public_key)},
        headers={"Authorization": f"Bearer {_token(client, customer)}"},
    )
    refused(unregistered, 409, "device_required")
    # Nothing of it stuck: the pairing still waits for a right answer.
    assert (
        client.get(f"/v1/devices/pairings/{pairing}", headers=desk.headers).json()["state"]
        == "waiting"
    )


def _token(client: TestClient, customer: Customer) -> str:
    return sign_in_again(client, customer, "Phone")


def test_the_new_device_asks_with_its_own_registered_key(
    client: TestClient, customer: Customer, tablet: Device
) -> None:
    r = client.post(
        "/v1/devices/pairings",
        json={"public_key": b64(os.urandom(32)), "commitment": b64(os.urandom(32))},
        headers=tablet.headers,
    )
    refused(r, 409, "public_key_mismatch")
    r = client.post(
        "/v1/devices/pairings",
        json={"public_key": b64(os.urandom(32)), "commitment": b64(os.urandom(32))},
        headers={"Authorization": f"Bearer {_token(client, customer)}"},
    )
    refused(r, 409, "device_required")
    assert client.get("/v1/devices/pairings", headers=tablet.headers).json() == []


def test_a_revealed_nonce_must_match_the_commitment(
    client: TestClient, desk: Device, tablet: Device
) -> None:
    pairing = pairing_of(client, tablet)["id"]
    _answer(client, pairing, desk)
    refused(_reveal(client, pairing, tablet, b"c" * 32), 409, "commitment_mismatch")
    assert (
        client.get(f"/v1/devices/pairings/{pairing}", headers=desk.headers).json()["nonce_b"]
        is None
    )
    assert _reveal(client, pairing, tablet).status_code == 200


def test_an_approval_after_a_rotation_must_seal_the_new_key(
    client: TestClient, desk: Device, tablet: Device
) -> None:
    pairing = pairing_of(client, tablet)["id"]
    _answer(client, pairing, desk)
    _reveal(client, pairing, tablet)
    r = client.post(
        "/v1/keys/rotate",
        json={
            "epoch": 2,
            "envelopes": [{"device_id": desk.id, "envelope": b64(b"x" * 100)}],
            "recovery": recovery(),
        },
        headers=desk.headers,
    )
    assert r.status_code == 200, r.text
    refused(_approve(client, pairing, desk, epoch=1), 409, "epoch_changed")
    assert _approve(client, pairing, desk, epoch=2).status_code == 200
    assert client.get("/v1/keys", headers=tablet.headers).json()["envelope"] is not None


def test_either_side_may_deny_before_the_approval(
    client: TestClient, desk: Device, tablet: Device
) -> None:
    first = pairing_of(client, tablet)["id"]
    _answer(client, first, desk)
    denied = client.post(f"/v1/devices/pairings/{first}/deny", headers=desk.headers)
    assert denied.status_code == 200 and denied.json()["state"] == "denied"
    refused(_reveal(client, first, tablet), 409, "pairing_state")
    second = pairing_of(client, tablet)["id"]
    cancelled = client.post(f"/v1/devices/pairings/{second}/deny", headers=tablet.headers)
    assert cancelled.json()["state"] == "denied"
    refused(_answer(client, second, desk), 409, "pairing_state")
    assert client.get("/v1/keys", headers=tablet.headers).json()["envelope"] is None


def test_one_pairing_per_device_a_new_one_replaces_the_last(
    client: TestClient, desk: Device, tablet: Device
) -> None:
    first = pairing_of(client, tablet)["id"]
    _answer(client, first, desk)
    second = pairing_of(client, tablet, b"d" * 32)["id"]
    listed = client.get("/v1/devices/pairings", headers=desk.headers).json()
    assert [p["id"] for p in listed] == [second] and listed[0]["state"] == "waiting"
    refused(_reveal(client, first, tablet), 404)


def test_a_pairing_is_gone_ten_minutes_after_it_was_asked_for(
    client: TestClient, desk: Device, tablet: Device, clock: MutableClock
) -> None:
    pairing = pairing_of(client, tablet)
    assert pairing["expires_at"] == (clock.now() + timedelta(minutes=10)).isoformat().replace(
        "+00:00", "Z"
    )
    _answer(client, pairing["id"], desk)
    clock.advance(timedelta(minutes=9, seconds=59))
    assert _reveal(client, pairing["id"], tablet).status_code == 200
    clock.advance(timedelta(seconds=1))
    refused(_approve(client, pairing["id"], desk), 404)
    assert client.get("/v1/devices/pairings", headers=desk.headers).json() == []
    refused(client.get(f"/v1/devices/pairings/{pairing['id']}", headers=tablet.headers), 404)
    assert client.get("/v1/keys", headers=tablet.headers).json()["envelope"] is None


def test_an_account_starts_a_limited_number_of_pairings_an_hour(
    client: TestClient, desk: Device, tablet: Device, clock: MutableClock
) -> None:
    for n in range(10):
        pairing_of(client, tablet, bytes([n]) * 32)
    r = client.post(
        "/v1/devices/pairings",
        json={"public_key": b64(tablet.public_key), "commitment": b64(os.urandom(32))},
        headers=tablet.headers,
    )
    refused(r, 429)
    assert 1 <= int(r.headers["retry-after"]) <= 3600
    clock.advance(timedelta(hours=1))
    pairing_of(client, tablet)


def test_removing_the_new_device_removes_its_pairing(
    client: TestClient, desk: Device, tablet: Device
) -> None:
    pairing = pairing_of(client, tablet)["id"]
    assert client.delete(f"/v1/devices/{tablet.id}", headers=desk.headers).status_code == 204
    refused(client.get(f"/v1/devices/pairings/{pairing}", headers=desk.headers), 404)


def test_ids_that_cannot_exist_answer_404(client: TestClient, desk: Device) -> None:
    for bad in ["x", "0" * 32, "Z" * 32, "%00", "0" * 200]:
        assert client.get(f"/v1/devices/pairings/{bad}", headers=desk.headers).status_code == 404
        r = client.post(f"/v1/devices/pairings/{bad}/deny", headers=desk.headers)
        assert r.status_code == 404
