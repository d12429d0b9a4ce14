"""The account service's device, key and sync routes, as the app uses them (``docs/sync-api.md``).

Every method takes the sign-in token and returns plain values, or raises an ``AccountError``
whose message can be shown as it is (``SyncRefusedError`` carries the service's refusal code,
which the sync acts on). Blobs travel as base64. Nothing here logs, and nothing here opens or
checks a blob: that is for ``keys``, ``pairing`` and ``records``.
"""

from __future__ import annotations

import base64
import binascii
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from sessionclock.core.account.client import (
    MSG_SIGNED_OUT,
    MSG_UNREADABLE,
    Refusals,
    moment_of,
    optional_moment_of,
    send,
)
from sessionclock.core.devices.records import SealedRecord
from sessionclock.core.errors import (
    NotFoundError,
    ServiceFailedError,
    SessionClockError,
    SignedOutError,
    SyncRefusedError,
)

PULL_LIMIT = 1000
"""Records asked for in one pull (the service's most)."""
PUSH_LIMIT = 500
"""Records sent in one push (the service's most)."""

MSG_REFUSED = "The account service refused the change ({code})."
MSG_GONE = "That pairing has expired or was cancelled. Start again on the new device."
MSG_NO_DEVICE = "That device is already removed."

_MESSAGES = {
    "storage_full": (
        "Your account at the service is full (too many sessions or too much data), so changes "
        "made here wait on this device. Delete old sessions, or shorten how long past sessions "
        "are kept."
    ),
    "key_exists": "Another of your devices set up syncing first: pair this one with it.",
    "pairing_state": "That pairing step is not possible any more. Start the pairing again.",
    "commitment_mismatch": "The new device's answer did not match what it promised.",
    "envelopes_mismatch": (
        "The list of your devices changed while the key was being changed. Try again."
    ),
}


def _refused(response: httpx.Response) -> SessionClockError:
    try:
        body = response.json()
    except ValueError:
        body = None
    code = body.get("code") if isinstance(body, dict) else None
    code = code if isinstance(code, str) else f"error {response.status_code}"
    message = _MESSAGES.get(code, MSG_REFUSED.format(code=code))
    return SyncRefusedError(message, code=code, status=response.status_code)


_REFUSALS: Refusals = {
    401: lambda _r: SignedOutError(MSG_SIGNED_OUT),
    409: _refused,
    413: _refused,
}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _blob(body: Mapping[str, Any], key: str) -> bytes:
    value = body.get(key)
    if not isinstance(value, str):
        raise ServiceFailedError(MSG_UNREADABLE)
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ServiceFailedError(MSG_UNREADABLE) from None


def _optional_blob(body: Mapping[str, Any], key: str) -> bytes | None:
    return None if body.get(key) is None else _blob(body, key)


def _str(body: Mapping[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str):
        raise ServiceFailedError(MSG_UNREADABLE)
    return value


def _optional_str(body: Mapping[str, Any], key: str) -> str | None:
    return None if body.get(key) is None else _str(body, key)


def _int(body: Mapping[str, Any], key: str) -> int:
    value = body.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ServiceFailedError(MSG_UNREADABLE)
    return value


def _bool(body: Mapping[str, Any], key: str) -> bool:
    value = body.get(key)
    if not isinstance(value, bool):
        raise ServiceFailedError(MSG_UNREADABLE)
    return value


def _dict(value: object) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise ServiceFailedError(MSG_UNREADABLE)
    return value


def _list(value: object) -> list[Any]:
    if not isinstance(value, list):
        raise ServiceFailedError(MSG_UNREADABLE)
    return value


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """A device of the account as the service lists it.

    Attributes:
        id: its id at the service.
        name: the name it signed in with.
        created_at: when it registered.
        last_sync_at: its last push or pull (to a minute), or None.
        public_key: its registered X25519 public key.
        has_current_key: the service keeps an envelope of the current epoch for it.
        current: it is this device.
    """

    id: str
    name: str
    created_at: datetime
    last_sync_at: datetime | None
    public_key: bytes
    has_current_key: bool
    current: bool


def _device(value: object) -> DeviceInfo:
    body = _dict(value)
    return DeviceInfo(
        id=_str(body, "id"),
        name=_str(body, "name"),
        created_at=moment_of(body, "created_at"),
        last_sync_at=optional_moment_of(body, "last_sync_at"),
        public_key=_blob(body, "public_key"),
        has_current_key=_bool(body, "has_current_key"),
        current=_bool(body, "current"),
    )


class PairingState(enum.StrEnum):
    """Where a pairing stands."""

    WAITING = "waiting"
    ANSWERED = "answered"
    REVEALED = "revealed"
    APPROVED = "approved"
    DENIED = "denied"


@dataclass(frozen=True, slots=True)
class PairingInfo:
    """A pairing as the service relays it (fields not reached yet are None).

    Attributes:
        id: its id.
        state: where it stands.
        device_id: the new device's id.
        device_name: the new device's name.
        public_key: the new device's public key.
        commitment: the new device's commitment to its nonce.
        nonce_a: the approving device's nonce.
        approver_device_id: the approving device's id.
        approver_public_key: the approving device's public key.
        nonce_b: the new device's nonce, revealed.
        expires_at: when it is gone.
    """

    id: str
    state: PairingState
    device_id: str
    device_name: str
    public_key: bytes
    commitment: bytes
    nonce_a: bytes | None = field(repr=False)
    approver_device_id: str | None
    approver_public_key: bytes | None
    nonce_b: bytes | None = field(repr=False)
    expires_at: datetime


def _pairing(value: object) -> PairingInfo:
    body = _dict(value)
    try:
        state = PairingState(_str(body, "state"))
    except ValueError:
        raise ServiceFailedError(MSG_UNREADABLE) from None
    return PairingInfo(
        id=_str(body, "id"),
        state=state,
        device_id=_str(body, "device_id"),
        device_name=_str(body, "device_name"),
        public_key=_blob(body, "public_key"),
        commitment=_blob(body, "commitment"),
        nonce_a=_optional_blob(body, "nonce_a"),
        approver_device_id=_optional_str(body, "approver_device_id"),
        approver_public_key=_optional_blob(body, "approver_public_key"),
        nonce_b=_optional_blob(body, "nonce_b"),
        expires_at=moment_of(body, "expires_at"),
    )


@dataclass(frozen=True, slots=True)
class Recovery:
    """The recovery recipient of the current epoch.

    Attributes:
        salt: the scrypt salt.
        public_key: the recovery recipient's public key.
        envelope: the current epoch's data key sealed to it.
    """

    salt: bytes
    public_key: bytes
    envelope: bytes = field(repr=False)

    def to_json(self) -> dict[str, str]:
        """Return the form the service takes."""
        return {
            "salt": _b64(self.salt),
            "public_key": _b64(self.public_key),
            "envelope": _b64(self.envelope),
        }


@dataclass(frozen=True, slots=True)
class KeysInfo:
    """The account's keys as the service keeps them for this device.

    Attributes:
        epoch: the current epoch (0: the account has no key yet).
        device_id: this device's id (None before it registered).
        envelope: this device's envelope of the current epoch, if it has one.
        recovery: the recovery recipient, once the account has a key.
        rotation_due: a device holding the key was removed: a new key is due.
    """

    epoch: int
    device_id: str | None
    envelope: bytes | None = field(repr=False)
    recovery: Recovery | None
    rotation_due: bool


def _keys(value: object) -> KeysInfo:
    body = _dict(value)
    recovery = body.get("recovery")
    found = None
    if recovery is not None:
        part = _dict(recovery)
        found = Recovery(_blob(part, "salt"), _blob(part, "public_key"), _blob(part, "envelope"))
    return KeysInfo(
        epoch=_int(body, "epoch"),
        device_id=_optional_str(body, "device_id"),
        envelope=_optional_blob(body, "envelope"),
        recovery=found,
        rotation_due=_bool(body, "rotation_due"),
    )


@dataclass(frozen=True, slots=True)
class Pushing:
    """A sealed record to push, with the tombstone's expiry.

    Attributes:
        record: the sealed record.
        expires_at: when the service may forget it, for a tombstone.
    """

    record: SealedRecord
    expires_at: datetime | None = None

    def to_json(self) -> dict[str, object]:
        """Return the form the service takes."""
        values: dict[str, object] = {
            "record_id": self.record.record_id,
            "version": self.record.version,
            "epoch": self.record.epoch,
            "ciphertext": _b64(self.record.ciphertext),
        }
        if self.expires_at is not None:
            values["expires_at"] = self.expires_at.isoformat()
        return values


@dataclass(frozen=True, slots=True)
class PushResult:
    """What the service did with one pushed record.

    Attributes:
        record_id: the record.
        accepted: stored (else stale: the service has a newer version).
        version: the version stored now.
        epoch: its epoch.
        seq: its sequence number.
    """

    record_id: str
    accepted: bool
    version: str
    epoch: int
    seq: int


@dataclass(frozen=True, slots=True)
class PulledRecord:
    """A record pulled from the service.

    Attributes:
        record: the sealed record.
        seq: its sequence number.
    """

    record: SealedRecord
    seq: int


@dataclass(frozen=True, slots=True)
class PullPage:
    """One page of a pull.

    Attributes:
        records: the records, in sequence order.
        cursor: where the next pull starts.
        more: more records wait.
        epoch: the account's current key epoch.
    """

    records: tuple[PulledRecord, ...]
    cursor: int
    more: bool
    epoch: int


def _pulled(value: object) -> PulledRecord:
    body = _dict(value)
    record = SealedRecord(
        record_id=_str(body, "record_id"),
        version=_str(body, "version"),
        epoch=_int(body, "epoch"),
        ciphertext=_blob(body, "ciphertext"),
    )
    return PulledRecord(record, _int(body, "seq"))


class DevicesApi:
    """The device, key and sync routes over one httpx client (``make_service_client``)."""

    def __init__(self, client: httpx.Client) -> None:
        self._client = client

    def _send(
        self,
        method: str,
        path: str,
        *,
        token: str,
        json: Mapping[str, Any] | None = None,
        params: Mapping[str, int] | None = None,
        refusals: Refusals | None = None,
    ) -> Any:
        return send(
            self._client,
            method,
            path,
            token=token,
            json=json,
            params=params,
            refusals={**_REFUSALS, **(refusals or {})},
        )

    # -- devices ---------------------------------------------------------------------------------

    def register(self, *, token: str, public_key: bytes) -> DeviceInfo:
        """Register this device's public key; return the device."""
        body = self._send("POST", "/v1/devices", token=token, json={"public_key": _b64(public_key)})
        return _device(body)

    def devices(self, *, token: str) -> tuple[DeviceInfo, ...]:
        """Return the account's devices, oldest first."""
        return tuple(_device(item) for item in _list(self._send("GET", "/v1/devices", token=token)))

    def remove(self, *, token: str, device_id: str) -> None:
        """Remove a device: it is signed out, and a new key is due.

        Raises:
            NotFoundError: it is removed already.
        """
        if not device_id.isalnum():
            raise NotFoundError(MSG_NO_DEVICE)
        refusals: Refusals = {404: lambda _r: NotFoundError(MSG_NO_DEVICE)}
        self._send("DELETE", f"/v1/devices/{device_id}", token=token, refusals=refusals)

    # -- pairing ---------------------------------------------------------------------------------

    def ask_to_pair(self, *, token: str, public_key: bytes, commitment: bytes) -> PairingInfo:
        """Ask to join (this is the new device): step 1."""
        body = {"public_key": _b64(public_key), "commitment": _b64(commitment)}
        return _pairing(self._send("POST", "/v1/devices/pairings", token=token, json=body))

    def pairings(self, *, token: str) -> tuple[PairingInfo, ...]:
        """Return the account's live pairings, newest first."""
        items = _list(self._send("GET", "/v1/devices/pairings", token=token))
        return tuple(_pairing(item) for item in items)

    def pairing(self, *, token: str, pairing_id: str) -> PairingInfo:
        """Return one pairing.

        Raises:
            NotFoundError: it expired or was removed.
        """
        return _pairing(self._pairing_call("GET", pairing_id, "", token=token))

    def answer(
        self, *, token: str, pairing_id: str, nonce: bytes, approver_public_key: bytes
    ) -> PairingInfo:
        """Answer a new device's request with this device's nonce and key: step 2."""
        body = {"nonce_a": _b64(nonce), "approver_public_key": _b64(approver_public_key)}
        return _pairing(self._pairing_call("POST", pairing_id, "/answer", token=token, json=body))

    def reveal(self, *, token: str, pairing_id: str, nonce: bytes) -> PairingInfo:
        """Reveal the new device's nonce: step 3."""
        body = {"nonce_b": _b64(nonce)}
        return _pairing(self._pairing_call("POST", pairing_id, "/reveal", token=token, json=body))

    def approve(self, *, token: str, pairing_id: str, epoch: int, envelope: bytes) -> PairingInfo:
        """Hand the new device its envelope: step 4."""
        body = {"epoch": epoch, "envelope": _b64(envelope)}
        return _pairing(self._pairing_call("POST", pairing_id, "/approve", token=token, json=body))

    def deny(self, *, token: str, pairing_id: str) -> PairingInfo:
        """Refuse (or cancel) a pairing."""
        return _pairing(self._pairing_call("POST", pairing_id, "/deny", token=token))

    def _pairing_call(
        self,
        method: str,
        pairing_id: str,
        step: str,
        *,
        token: str,
        json: Mapping[str, Any] | None = None,
    ) -> Any:
        if not pairing_id.isalnum():
            raise NotFoundError(MSG_GONE)
        return self._send(
            method,
            f"/v1/devices/pairings/{pairing_id}{step}",
            token=token,
            json=json,
            refusals={404: lambda _r: NotFoundError(MSG_GONE)},
        )

    # -- keys ------------------------------------------------------------------------------------

    def keys(self, *, token: str) -> KeysInfo:
        """Return the account's keys as kept for this device."""
        return _keys(self._send("GET", "/v1/keys", token=token))

    def first_key(self, *, token: str, envelope: bytes, recovery: Recovery) -> KeysInfo:
        """Set up the account's first key (this is its first device)."""
        body = {"epoch": 1, "envelope": _b64(envelope), "recovery": recovery.to_json()}
        return _keys(self._send("POST", "/v1/keys", token=token, json=body))

    def restart(self, *, token: str, epoch: int, envelope: bytes, recovery: Recovery) -> KeysInfo:
        """Start over with a new key: every record at the service is deleted."""
        body = {"epoch": epoch, "envelope": _b64(envelope), "recovery": recovery.to_json()}
        return _keys(self._send("POST", "/v1/keys/restart", token=token, json=body))

    def rotate(
        self,
        *,
        token: str,
        epoch: int,
        envelopes: Mapping[str, bytes],
        recovery: Recovery,
    ) -> KeysInfo:
        """Change to the next epoch's key, sealed to every device that holds the current one."""
        body = {
            "epoch": epoch,
            "envelopes": [
                {"device_id": device_id, "envelope": _b64(envelope)}
                for device_id, envelope in sorted(envelopes.items())
            ],
            "recovery": recovery.to_json(),
        }
        return _keys(self._send("POST", "/v1/keys/rotate", token=token, json=body))

    def put_envelope(self, *, token: str, epoch: int, envelope: bytes) -> KeysInfo:
        """Keep this device's own envelope of the current epoch (after recovering)."""
        body = {"epoch": epoch, "envelope": _b64(envelope)}
        return _keys(self._send("PUT", "/v1/keys/envelope", token=token, json=body))

    # -- records ---------------------------------------------------------------------------------

    def push(self, *, token: str, records: Sequence[Pushing]) -> tuple[PushResult, ...]:
        """Push sealed records (at most ``PUSH_LIMIT``); return what became of each."""
        body = {"records": [item.to_json() for item in records]}
        answer = _dict(self._send("POST", "/v1/sync/push", token=token, json=body))
        results = []
        for item in _list(answer.get("results")):
            part = _dict(item)
            status = _str(part, "status")
            if status not in ("accepted", "stale"):
                raise ServiceFailedError(MSG_UNREADABLE)
            results.append(
                PushResult(
                    record_id=_str(part, "record_id"),
                    accepted=status == "accepted",
                    version=_str(part, "version"),
                    epoch=_int(part, "epoch"),
                    seq=_int(part, "seq"),
                )
            )
        return tuple(results)

    def pull(self, *, token: str, since: int, limit: int = PULL_LIMIT) -> PullPage:
        """Return the records written after *since*."""
        params = {"since": since, "limit": limit}
        answer = _dict(self._send("GET", "/v1/sync/pull", token=token, params=params))
        return PullPage(
            records=tuple(_pulled(item) for item in _list(answer.get("records"))),
            cursor=_int(answer, "cursor"),
            more=_bool(answer, "more"),
            epoch=_int(answer, "epoch"),
        )
