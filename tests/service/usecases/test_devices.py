"""Devices: registering a public key for a token, the list, removal, and when a rotation is due."""

from __future__ import annotations

import os
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from sessionclock_service.db.models import (
    ApiToken,
    Device,
    KeyEnvelope,
    Pairing,
    RateEvent,
    SyncRecord,
    SyncState,
)
from tests.support.fake_resend import FakeResend
from tests.support.service import Customer, MutableClock, services_of, sign_up_and_in
from tests.support.sync import (
    b64,
    first_key,
    new_device,
    pair,
    pairing_of,
    record,
    register,
    sign_in_again,
    unb64,
)


def test_a_token_registers_one_public_key(client: TestClient, customer: Customer) -> None:
    key = os.urandom(32)
    r = client.post("/v1/devices", json={"public_key": b64(key)}, headers=customer.headers)
    assert r.status_code == 201
    body = r.json()
    assert body["name"] == "Front desk" and body["current"] is True
    assert unb64(body["public_key"]) == key
    assert body["last_sync_at"] is None and body["has_current_key"] is False
    # The same key again is the same device (an app retrying after a lost answer).
    again = client.post("/v1/devices", json={"public_key": b64(key)}, headers=customer.headers)
    assert again.status_code == 201 and again.json()["id"] == body["id"]
    # Another key for the same sign-in is refused, and nothing changes.
    other = client.post(
        "/v1/devices", json={"public_key": b64(os.urandom(32))}, headers=customer.headers
    )
    assert other.status_code == 409 and other.json()["code"] == "device_exists"
    listed = client.get("/v1/devices", headers=customer.headers).json()
    assert [d["id"] for d in listed] == [body["id"]]
    assert unb64(listed[0]["public_key"]) == key


def test_another_device_of_the_account_cannot_take_a_registered_key(
    client: TestClient, customer: Customer, fake_resend: FakeResend
) -> None:
    desk = register(client, customer)
    tablet = new_device(client, customer)
    assert tablet.id != desk.id
    token = sign_in_again(client, customer, "Laptop")
    r = client.post(
        "/v1/devices",
        json={"public_key": b64(desk.public_key)},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 409 and r.json()["code"] == "public_key_taken"
    # Another account may hold the same public key: accounts know nothing of each other.
    stranger = sign_up_and_in(client, fake_resend)
    r = client.post(
        "/v1/devices", json={"public_key": b64(desk.public_key)}, headers=stranger.headers
    )
    assert r.status_code == 201


def test_malformed_public_keys_are_refused_and_change_nothing(
    client: TestClient, customer: Customer
) -> None:
    for bad in [b64(os.urandom(31)), b64(os.urandom(33)), "not base64!", "QUJD", 12, None, ""]:
        r = client.post("/v1/devices", json={"public_key": bad}, headers=customer.headers)
        assert r.status_code == 422, bad
    r = client.post(
        "/v1/devices",
        json={"public_key": b64(os.urandom(32)), "name": "extra"},
        headers=customer.headers,
    )
    assert r.status_code == 422
    assert client.get("/v1/devices", headers=customer.headers).json() == []


def test_the_list_says_which_devices_hold_the_key_and_which_is_asking(
    client: TestClient, customer: Customer, clock: MutableClock
) -> None:
    desk = register(client, customer)
    first_key(client, desk)
    clock.advance(timedelta(seconds=1))
    tablet = new_device(client, customer, "Room tablet")
    clock.advance(timedelta(seconds=1))
    waiting = new_device(client, customer, "Laptop")
    pair(client, tablet, desk)
    listed = client.get("/v1/devices", headers=tablet.headers).json()
    assert [(d["name"], d["has_current_key"], d["current"]) for d in listed] == [
        ("Front desk", True, False),
        ("Room tablet", True, True),
        ("Laptop", False, False),
    ]
    assert [d["id"] for d in listed] == [desk.id, tablet.id, waiting.id]


def test_removing_a_device_signs_it_out_and_makes_a_rotation_due(
    client: TestClient, customer: Customer
) -> None:
    desk = register(client, customer)
    first_key(client, desk)
    tablet = new_device(client, customer)
    pair(client, tablet, desk)
    assert client.get("/v1/keys", headers=desk.headers).json()["rotation_due"] is False
    r = client.delete(f"/v1/devices/{tablet.id}", headers=desk.headers)
    assert r.status_code == 204
    assert client.get("/v1/keys", headers=tablet.headers).status_code == 401
    assert [d["id"] for d in client.get("/v1/devices", headers=desk.headers).json()] == [desk.id]
    assert client.get("/v1/keys", headers=desk.headers).json()["rotation_due"] is True
    # Removing it again: it is gone.
    assert client.delete(f"/v1/devices/{tablet.id}", headers=desk.headers).status_code == 404


def test_a_device_that_never_held_the_key_goes_without_a_rotation(
    client: TestClient, customer: Customer
) -> None:
    desk = register(client, customer)
    first_key(client, desk)
    waiting = new_device(client, customer)
    assert client.delete(f"/v1/devices/{waiting.id}", headers=desk.headers).status_code == 204
    assert client.get("/v1/keys", headers=desk.headers).json()["rotation_due"] is False


def test_signing_out_a_device_that_held_the_key_makes_a_rotation_due_too(
    client: TestClient, customer: Customer
) -> None:
    desk = register(client, customer)
    first_key(client, desk)
    tablet = new_device(client, customer)
    pair(client, tablet, desk)
    assert client.delete("/v1/tokens/current", headers=tablet.headers).status_code == 204
    keys = client.get("/v1/keys", headers=desk.headers).json()
    assert keys["rotation_due"] is True
    with services_of(client).db.read() as db:
        assert db.scalar(select(func.count()).select_from(Device)) == 1
        orphans = db.scalar(
            select(func.count()).select_from(KeyEnvelope).where(KeyEnvelope.device_id.is_(None))
        )
        assert orphans == 2  # the tablet's, and the recovery recipient's (never a device)


def test_a_device_signed_in_again_registers_anew_and_may_post_its_own_envelope(
    client: TestClient, customer: Customer
) -> None:
    desk = register(client, customer)
    first_key(client, desk)
    client.delete("/v1/tokens/current", headers=desk.headers)
    token = sign_in_again(client, customer, "Front desk")
    again = client.post(
        "/v1/devices",
        json={"public_key": b64(desk.public_key)},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert again.status_code == 201 and again.json()["id"] != desk.id
    assert again.json()["has_current_key"] is False
    envelope = os.urandom(300)
    r = client.put(
        "/v1/keys/envelope",
        json={"epoch": 1, "envelope": b64(envelope)},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 200 and unb64(r.json()["envelope"]) == envelope


def test_last_sync_is_written_at_most_once_a_minute(
    client: TestClient, customer: Customer, clock: MutableClock
) -> None:
    desk = register(client, customer)
    first_key(client, desk)
    start = clock.now()
    assert client.get("/v1/sync/pull", headers=desk.headers).status_code == 200
    clock.advance(timedelta(seconds=30))
    client.post("/v1/sync/push", json={"records": [record()]}, headers=desk.headers)
    clock.advance(timedelta(seconds=20))
    client.get("/v1/sync/pull", headers=desk.headers)
    listed = client.get("/v1/devices", headers=desk.headers).json()
    assert listed[0]["last_sync_at"] == start.isoformat().replace("+00:00", "Z")
    clock.advance(timedelta(seconds=15))
    client.get("/v1/sync/pull", headers=desk.headers)
    listed = client.get("/v1/devices", headers=desk.headers).json()
    assert listed[0]["last_sync_at"] == clock.now().isoformat().replace("+00:00", "Z")


def test_a_password_change_signs_the_other_devices_out_and_their_keys_with_them(
    client: TestClient, customer: Customer
) -> None:
    desk = register(client, customer)
    first_key(client, desk)
    tablet = new_device(client, customer)
    pair(client, tablet, desk)
    r = client.post(
        "/v1/account/password",
        json={"current_password": customer.password, "new_password": "another long password"},
        headers=desk.headers,
    )
    assert r.status_code == 204
    assert [d["id"] for d in client.get("/v1/devices", headers=desk.headers).json()] == [desk.id]
    assert client.get("/v1/keys", headers=desk.headers).json()["rotation_due"] is True
    with services_of(client).db.read() as db:
        assert db.scalar(select(func.count()).select_from(ApiToken)) == 1


def test_deleting_the_account_deletes_every_device_pairing_envelope_and_record(
    client: TestClient, customer: Customer, fake_resend: FakeResend
) -> None:
    desk = register(client, customer)
    first_key(client, desk)
    tablet = new_device(client, customer)
    pair(client, tablet, desk)
    laptop = new_device(client, customer, "Laptop")
    pairing_of(client, laptop)
    client.post("/v1/sync/push", json={"records": [record(), record()]}, headers=desk.headers)
    other = register(client, sign_up_and_in(client, fake_resend))
    first_key(client, other)
    client.post("/v1/sync/push", json={"records": [record()]}, headers=other.headers)
    with services_of(client).db.read() as db:
        account_id = db.scalar(select(Device.account_id).where(Device.id == desk.id))
        other_id = db.scalar(select(Device.account_id).where(Device.id == other.id))
        tokens = set(db.scalars(select(ApiToken.id).where(ApiToken.account_id == account_id)))
    assert account_id and other_id and len(tokens) == 3
    columns = {
        "devices": Device.account_id,
        "pairings": Pairing.account_id,
        "key_envelopes": KeyEnvelope.account_id,
        "sync_records": SyncRecord.account_id,
        "sync_states": SyncState.account_id,
    }

    def rows() -> dict[str, list[str]]:
        with services_of(client).db.read() as db:
            return {name: sorted(db.scalars(select(c))) for name, c in columns.items()}

    def quotas() -> list[str]:
        with services_of(client).db.read() as db:
            return list(db.scalars(select(RateEvent.key)))

    assert rows() == {
        "devices": sorted([account_id] * 3 + [other_id]),
        "pairings": [account_id] * 2,  # the approved one stays until it expires
        "key_envelopes": sorted([account_id] * 3 + [other_id] * 2),  # with the recovery's
        "sync_records": sorted([account_id] * 2 + [other_id]),
        "sync_states": sorted([account_id, other_id]),
    }
    assert any(account_id in key for key in quotas())
    r = client.request(
        "DELETE", "/v1/account", headers=customer.headers, json={"password": customer.password}
    )
    assert r.status_code == 204
    assert rows() == {
        "devices": [other_id],
        "pairings": [],
        "key_envelopes": [other_id] * 2,
        "sync_records": [other_id],
        "sync_states": [other_id],
    }
    assert not any(account_id in key or key.split(":")[-1] in tokens for key in quotas())
    assert any(other_id in key for key in quotas())  # the other account keeps its own
