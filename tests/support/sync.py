"""Helpers for driving the service's devices, pairing, keys and sync routes in tests.

The service opens nothing it relays, so public keys, nonces, envelopes and ciphertexts here are
random bytes of the right sizes; what the tests check is what the service does with them.
"""

from __future__ import annotations

import base64
import hashlib
import os
import uuid
from dataclasses import dataclass, field
from typing import Any

from tests.support.service import PASSWORD, Customer


def b64(data: bytes) -> str:
    """Return *data* as standard, padded base64 text."""
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    """Return the bytes of base64 *text*."""
    return base64.b64decode(text, validate=True)


@dataclass
class Device:
    """A signed-in token of a customer with a registered public key.

    Attributes:
        customer: The account's owner (e-mail and password).
        token: The device's API token.
        id: Its device id at the service.
        public_key: The public key it registered.
    """

    customer: Customer
    token: str
    id: str
    public_key: bytes = field(repr=False)

    @property
    def headers(self) -> dict[str, str]:
        """The Authorization header of its token."""
        return {"Authorization": f"Bearer {self.token}"}


def sign_in_again(client: Any, customer: Customer, name: str = "Room tablet") -> str:
    """Sign *customer* in once more (another device); return the new token."""
    r = client.post(
        "/v1/tokens", json={"email": customer.email, "password": PASSWORD, "device_name": name}
    )
    assert r.status_code == 201, r.text
    token: str = r.json()["token"]
    return token


def register(client: Any, customer: Customer, token: str | None = None) -> Device:
    """Register a device with a new random public key for *token* (default: the customer's)."""
    token = token or customer.token
    public_key = os.urandom(32)
    r = client.post(
        "/v1/devices",
        json={"public_key": b64(public_key)},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 201, r.text
    return Device(customer=customer, token=token, id=r.json()["id"], public_key=public_key)


def new_device(client: Any, customer: Customer, name: str = "Room tablet") -> Device:
    """Sign *customer* in on another device and register it."""
    return register(client, customer, sign_in_again(client, customer, name))


def recovery(envelope: bytes | None = None) -> dict[str, str]:
    """Return a recovery recipient body with random salt, key and envelope."""
    return {
        "salt": b64(os.urandom(16)),
        "public_key": b64(os.urandom(32)),
        "envelope": b64(envelope or os.urandom(200)),
    }


def refused(response: Any, status: int, code: str | None = None) -> None:
    """Assert that *response* is a refusal with *status* and, if given, the refusal *code*."""
    assert response.status_code == status, response.text
    if code is not None:
        assert response.json()["code"] == code


def keyed(client: Any, customer: Customer) -> Device:
    """Register the customer's own token as a device and set up the account's first key."""
    device = register(client, customer)
    first_key(client, device)
    return device


def first_key(client: Any, device: Device) -> dict[str, Any]:
    """Set up the account's first key from *device*; return the answer."""
    r = client.post(
        "/v1/keys",
        json={"epoch": 1, "envelope": b64(os.urandom(200)), "recovery": recovery()},
        headers=device.headers,
    )
    assert r.status_code == 201, r.text
    answer: dict[str, Any] = r.json()
    return answer


def pairing_of(client: Any, new: Device, nonce_b: bytes = b"b" * 32) -> dict[str, Any]:
    """Have *new* ask to join, committing to *nonce_b*; return the pairing."""
    r = client.post(
        "/v1/devices/pairings",
        json={
            "public_key": b64(new.public_key),
            "commitment": b64(hashlib.sha256(nonce_b).digest()),
        },
        headers=new.headers,
    )
    assert r.status_code == 201, r.text
    pairing: dict[str, Any] = r.json()
    return pairing


def pair(client: Any, new: Device, approver: Device, *, epoch: int = 1) -> bytes:
    """Take *new* through the whole pairing with *approver*; return the envelope it got."""
    nonce_b = os.urandom(32)
    pairing = pairing_of(client, new, nonce_b)["id"]
    r = client.post(
        f"/v1/devices/pairings/{pairing}/answer",
        json={"nonce_a": b64(os.urandom(32)), "approver_public_key": b64(approver.public_key)},
        headers=approver.headers,
    )
    assert r.status_code == 200, r.text
    r = client.post(
        f"/v1/devices/pairings/{pairing}/reveal",
        json={"nonce_b": b64(nonce_b)},
        headers=new.headers,
    )
    assert r.status_code == 200, r.text
    envelope = os.urandom(300)
    r = client.post(
        f"/v1/devices/pairings/{pairing}/approve",
        json={"epoch": epoch, "envelope": b64(envelope)},
        headers=approver.headers,
    )
    assert r.status_code == 200, r.text
    return envelope


def record(
    *,
    record_id: str | None = None,
    version: str | None = None,
    epoch: int = 1,
    size: int = 256,
    expires_at: str | None = None,
) -> dict[str, Any]:
    """Return a record to push, with a random ciphertext of *size* bytes."""
    body: dict[str, Any] = {
        "record_id": record_id or str(uuid.uuid4()),
        "version": version or version_text(0),
        "epoch": epoch,
        "ciphertext": b64(os.urandom(size)),
    }
    if expires_at is not None:
        body["expires_at"] = expires_at
    return body


def version_text(n: int, node: str = "00000000000000aa") -> str:
    """Return the *n*th hybrid-clock version text (they sort in *n*'s order)."""
    return f"{1_764_000_000_000 + n:013d}-{0:06d}-{node}"
