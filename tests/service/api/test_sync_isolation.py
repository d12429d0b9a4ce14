"""Two accounts on one service: every devices, pairing, keys and sync route, called by one
account with the other's ids, answers like a missing id and changes nothing of the other."""

from __future__ import annotations

import os
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.fake_resend import FakeResend
from tests.support.service import Customer, sign_up_and_in
from tests.support.sync import (
    Device,
    b64,
    first_key,
    new_device,
    pair,
    pairing_of,
    record,
    recovery,
    register,
    sign_in_again,
)

NOT_FOUND = {"detail": "Not found."}


def _view(client: TestClient, device: Device) -> dict[str, Any]:
    """Everything the account shows its device (what the other account must never change)."""
    return {
        route: client.get(route, headers=device.headers).json()
        for route in ["/v1/devices", "/v1/devices/pairings", "/v1/keys", "/v1/sync/pull"]
    }


@pytest.fixture
def owner(client: TestClient, customer: Customer) -> dict[str, Any]:
    """An account with a keyed desk, a paired tablet, records, and a laptop asking to pair."""
    desk = register(client, customer)
    first_key(client, desk)
    tablet = new_device(client, customer)
    pair(client, tablet, desk)
    laptop = new_device(client, customer, "Laptop")
    pairing = pairing_of(client, laptop)["id"]
    kept = record()
    r = client.post("/v1/sync/push", json={"records": [kept, record()]}, headers=desk.headers)
    assert r.status_code == 200
    return {"desk": desk, "tablet": tablet, "laptop": laptop, "pairing": pairing, "record": kept}


@pytest.fixture
def stranger(client: TestClient, fake_resend: FakeResend) -> Device:
    """A device of another account, holding that account's key."""
    device = register(client, sign_up_and_in(client, fake_resend))
    first_key(client, device)
    return device


def test_ids_of_another_account_answer_like_missing_ones(
    client: TestClient, owner: dict[str, Any], stranger: Device
) -> None:
    desk: Device = owner["desk"]
    before = _view(client, desk)
    pairing = owner["pairing"]
    nonce = b64(os.urandom(32))
    calls = [
        ("DELETE", f"/v1/devices/{desk.id}", None),
        ("DELETE", f"/v1/devices/{owner['laptop'].id}", None),
        ("GET", f"/v1/devices/pairings/{pairing}", None),
        (
            "POST",
            f"/v1/devices/pairings/{pairing}/answer",
            {"nonce_a": nonce, "approver_public_key": b64(stranger.public_key)},
        ),
        ("POST", f"/v1/devices/pairings/{pairing}/reveal", {"nonce_b": nonce}),
        ("POST", f"/v1/devices/pairings/{pairing}/approve", {"epoch": 1, "envelope": nonce}),
        ("POST", f"/v1/devices/pairings/{pairing}/deny", None),
    ]
    for method, path, body in calls:
        r = client.request(method, path, json=body, headers=stranger.headers)
        assert (r.status_code, r.json()) == (404, NOT_FOUND), f"{method} {path}"
    assert _view(client, desk) == before


def test_lists_and_keys_show_only_the_callers_account(
    client: TestClient, owner: dict[str, Any], stranger: Device
) -> None:
    devices = client.get("/v1/devices", headers=stranger.headers).json()
    assert [d["id"] for d in devices] == [stranger.id]
    assert client.get("/v1/devices/pairings", headers=stranger.headers).json() == []
    keys = client.get("/v1/keys", headers=stranger.headers).json()
    own = client.get("/v1/keys", headers=owner["desk"].headers).json()
    assert keys["device_id"] == stranger.id and keys["envelope"] != own["envelope"]
    assert keys["recovery"] != own["recovery"]
    assert client.get("/v1/sync/pull", headers=stranger.headers).json()["records"] == []


def test_writes_of_another_account_never_reach_this_one(
    client: TestClient, owner: dict[str, Any], stranger: Device
) -> None:
    desk: Device = owner["desk"]
    before = _view(client, desk)
    # The same public key and record ids are the stranger's own: accounts share nothing.
    tablet_key = {"public_key": b64(owner["tablet"].public_key)}
    token = sign_in_again(client, stranger.customer)
    r = client.post("/v1/devices", json=tablet_key, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201 and r.json()["id"] != owner["tablet"].id
    taken = {**owner["record"], "version": "9" * 20, "ciphertext": b64(b"stranger's")}
    r = client.post("/v1/sync/push", json={"records": [taken]}, headers=stranger.headers)
    assert r.json()["results"][0]["status"] == "accepted"
    assert r.json()["results"][0]["seq"] == 1  # the stranger's own sequence
    # A rotation naming the owner's devices is refused: they hold no key of this account.
    r = client.post(
        "/v1/keys/rotate",
        json={
            "epoch": 2,
            "envelopes": [{"device_id": d.id, "envelope": b64(b"e")} for d in (stranger, desk)],
            "recovery": recovery(),
        },
        headers=stranger.headers,
    )
    assert r.status_code == 409 and r.json()["code"] == "envelopes_mismatch"
    r = client.put(
        "/v1/keys/envelope", json={"epoch": 1, "envelope": b64(b"e")}, headers=stranger.headers
    )
    assert r.status_code == 200
    r = client.post(
        "/v1/devices/pairings",
        json={"public_key": b64(stranger.public_key), "commitment": b64(os.urandom(32))},
        headers=stranger.headers,
    )
    assert r.status_code == 201
    # Starting over deletes the stranger's records, envelopes and pairings only.
    r = client.post(
        "/v1/keys/restart",
        json={"epoch": 2, "envelope": b64(b"e"), "recovery": recovery()},
        headers=stranger.headers,
    )
    assert r.status_code == 200
    assert _view(client, desk) == before
