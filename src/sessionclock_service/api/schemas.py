"""JSON bodies of the public API (the contract the desktop app is built against).

``docs/service-api.md`` describes the routes the app uses with these shapes and their statuses;
``/openapi.json`` is generated from them.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from sessionclock_service.security import clean_device_name, normalise_email
from sessionclock_service.settings import MAX_CIPHERTEXT_BYTES, MAX_PUSH_RECORDS
from sessionclock_service.usecases.devices import DeviceInfo
from sessionclock_service.usecases.entitlement import Entitlement
from sessionclock_service.usecases.keys import KeysView, Recovery
from sessionclock_service.usecases.pairings import PairingInfo
from sessionclock_service.usecases.sync import PulledRecords, PushedRecord, PushResult, StoredRecord
from sessionclock_service.usecases.tokens import TokenInfo

DEVICE_NAME_CHARS = 60
"""Longest device name kept (longer names are cut)."""


def _device_name(value: str) -> str:
    cleaned = clean_device_name(value, limit=DEVICE_NAME_CHARS)
    if not cleaned:
        raise ValueError("must contain visible text")
    return cleaned


Email = Annotated[str, Field(max_length=320), AfterValidator(normalise_email)]
Password = Annotated[str, Field(min_length=1, max_length=4096)]
Code = Annotated[str, Field(min_length=1, max_length=32, description="The code from the e-mail.")]
DeviceName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        description=f"The practitioner's name for this device, e.g. 'Clinic PC'. Invisible "
        f"characters are dropped and it is cut to {DEVICE_NAME_CHARS} characters.",
    ),
    AfterValidator(_device_name),
]


class StrictBody(BaseModel):
    """Base of request bodies: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


class SignUpIn(StrictBody):
    """``POST /v1/accounts``."""

    email: Email
    password: Password


class ConfirmSignUpIn(StrictBody):
    """``POST /v1/accounts/confirm``."""

    email: Email
    code: Code


class SignInIn(StrictBody):
    """``POST /v1/tokens``."""

    email: Email
    password: Password
    device_name: DeviceName


class TokenOut(BaseModel):
    """A new API token: shown once."""

    id: str
    token: str = Field(description="Send as 'Authorization: Bearer <token>'. Shown only once.")


class TokenInfoOut(BaseModel):
    """One API token (a signed-in device) in the caller's list."""

    id: str
    device_name: str
    created_at: datetime
    last_used_at: datetime = Field(description="When it was last used, to within five minutes.")
    current: bool = Field(description="Whether this request came with this token.")

    @classmethod
    def of(cls, value: TokenInfo) -> TokenInfoOut:
        """Shape one signed-in device for the answer."""
        return cls(
            id=value.id,
            device_name=value.device_name,
            created_at=value.created_at,
            last_used_at=value.last_used_at,
            current=value.current,
        )


class EntitlementOut(BaseModel):
    """What the account may use now, and what the app needs to show it and to work offline."""

    state: Literal["trial", "active", "past_due", "lapsed"] = Field(
        description="past_due: a payment failed and Stripe retries it; access continues until "
        "ends_at."
    )
    entitled: bool = Field(description="Whether the account may sync and edit now.")
    source: Literal["subscription", "complimentary", "trial", "none"]
    ends_at: datetime | None = Field(
        description="When the current access ends unless renewed (trial or paid period); null "
        "for complimentary access and when lapsed."
    )
    trial_ends_at: datetime
    checked_at: datetime = Field(description="The server's time of this answer.")

    @classmethod
    def of(cls, value: Entitlement) -> EntitlementOut:
        """Shape an entitlement for the answer."""
        return cls(
            state=value.state,
            entitled=value.entitled,
            source=value.source,
            ends_at=value.ends_at,
            trial_ends_at=value.trial_ends_at,
            checked_at=value.checked_at,
        )


class AccountOut(BaseModel):
    """``GET /v1/account``: everything the service knows of the caller's account."""

    id: str = Field(
        description="The account's id: it never changes (match profiles by it, not by e-mail)."
    )
    email: str
    created_at: datetime
    entitlement: EntitlementOut
    devices: list[TokenInfoOut]


class DeleteAccountIn(StrictBody):
    """``DELETE /v1/account``: the password, or a deletion grant (exactly one of them)."""

    password: Password | None = None
    grant: Annotated[str, Field(min_length=1, max_length=200)] | None = Field(
        default=None, description="A grant from POST /v1/account/deletion-grant."
    )

    @model_validator(mode="after")
    def _password_or_grant(self) -> Self:
        if (self.password is None) == (self.grant is None):
            raise ValueError("give the password or a deletion grant, not both")
        return self


class DeletionGrantIn(StrictBody):
    """``POST /v1/account/deletion-grant``."""

    password: Password


class DeletionGrantOut(BaseModel):
    """A credential that can only delete the account: shown once."""

    grant: str = Field(description='Send as DELETE /v1/account {"grant": ...}. Shown once.')
    expires_at: datetime


class ChangePasswordIn(StrictBody):
    """``POST /v1/account/password``."""

    current_password: Password
    new_password: Password


class ResetRequestIn(StrictBody):
    """``POST /v1/password-resets``."""

    email: Email


class ResetConfirmIn(StrictBody):
    """``POST /v1/password-resets/confirm``."""

    email: Email
    code: Code
    new_password: Password


class UrlOut(BaseModel):
    """An address to open in the browser (Checkout, customer portal)."""

    url: str


class MessageOut(BaseModel):
    """A plain status message."""

    detail: str


class ErrorOut(BaseModel):
    """A refusal: what went wrong, safe to show, and for some refusals a code to act on."""

    detail: str
    code: str | None = Field(
        default=None,
        description="Present where the app must tell refusals apart (docs/sync-api.md).",
    )


def refusal(description: str) -> dict[str, Any]:
    """Describe one refusal of a route for the OpenAPI document (``responses={status: ...}``)."""
    return {"model": ErrorOut, "description": description}


class HealthOut(BaseModel):
    """``GET /health``."""

    status: Literal["ok"]


# -- devices and end-to-end encrypted sync (docs/sync-api.md) --------------------------------

MAX_ENVELOPE_BYTES = 4096
"""Largest key envelope kept (a data key sealed to one recipient is about 500 bytes)."""
MAX_PULL_RECORDS = 1000
"""Most records one pull returns."""
MAX_EPOCH = 2**31 - 1


def _base64_reader(*, least: int, most: int) -> Callable[[object], bytes]:
    """Return a validator of standard, padded base64 text decoding to *least*..*most* bytes."""

    def read(value: object) -> bytes:
        if isinstance(value, bytes):  # a value the service built itself (answers)
            return value
        if not isinstance(value, str) or len(value) > 4 * (most + 2) // 3 + 4:
            raise ValueError("must be base64 text")
        try:
            data = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("must be base64 text (standard alphabet, padded)") from None
        if not least <= len(data) <= most:
            size = f"{least}" if least == most else f"{least} to {most}"
            raise ValueError(f"must decode to {size} bytes")
        return data

    return read


def _base64_text(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def _blob_schema(description: str) -> WithJsonSchema:
    return WithJsonSchema(
        {"type": "string", "contentEncoding": "base64", "description": description}
    )


_TEXT = PlainSerializer(_base64_text, return_type=str)

PublicKey = Annotated[
    bytes,
    PlainValidator(_base64_reader(least=32, most=32)),
    _TEXT,
    _blob_schema("An X25519 public key: 32 bytes, base64."),
]
Nonce = Annotated[
    bytes,
    PlainValidator(_base64_reader(least=32, most=32)),
    _TEXT,
    _blob_schema("32 random bytes, base64."),
]
Commitment = Annotated[
    bytes,
    PlainValidator(_base64_reader(least=32, most=32)),
    _TEXT,
    _blob_schema("SHA-256 of the new device's nonce: 32 bytes, base64."),
]
Salt = Annotated[
    bytes,
    PlainValidator(_base64_reader(least=16, most=64)),
    _TEXT,
    _blob_schema("The recovery code's scrypt salt: 16 to 64 bytes, base64."),
]
Envelope = Annotated[
    bytes,
    PlainValidator(_base64_reader(least=1, most=MAX_ENVELOPE_BYTES)),
    _TEXT,
    _blob_schema(f"A data key sealed to one recipient: at most {MAX_ENVELOPE_BYTES} bytes."),
]
Ciphertext = Annotated[
    bytes,
    PlainValidator(_base64_reader(least=1, most=MAX_CIPHERTEXT_BYTES)),
    _TEXT,
    _blob_schema("A sealed record, base64; the service's size cap applies (413 beyond it)."),
]
RowId = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$", description="An id the service made.")]
RecordId = Annotated[
    str,
    Field(
        pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
        description="A random UUID in its canonical lower-case form, the same on every device.",
    ),
]
Version = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[0-9A-Za-z._:-]+$",
        description="The record's version; versions are compared as byte strings (ASCII order).",
    ),
]
Epoch = Annotated[int, Field(ge=1, le=MAX_EPOCH, description="The data key's epoch.")]


class DeviceIn(StrictBody):
    """``POST /v1/devices``: this device's public key, for the caller's token."""

    public_key: PublicKey


class DeviceOut(BaseModel):
    """One device of the account: a signed-in token with a registered public key."""

    id: str
    name: str = Field(description="The device name given at sign-in.")
    created_at: datetime
    last_sync_at: datetime | None = Field(
        description="The device's last push or pull, to within a minute; null before any."
    )
    public_key: PublicKey
    has_current_key: bool = Field(
        description="Whether an envelope of the current epoch is kept for this device."
    )
    current: bool = Field(description="Whether this request came from this device.")

    @classmethod
    def of(cls, value: DeviceInfo) -> DeviceOut:
        """Shape one device for the answer."""
        return cls(
            id=value.id,
            name=value.name,
            created_at=value.created_at,
            last_sync_at=value.last_sync_at,
            public_key=value.public_key,
            has_current_key=value.has_current_key,
            current=value.current,
        )


class PairingIn(StrictBody):
    """``POST /v1/devices/pairings``: the new device asks to join."""

    public_key: PublicKey = Field(description="The caller's registered device public key.")
    commitment: Commitment


class PairingAnswerIn(StrictBody):
    """``POST /v1/devices/pairings/{pairing_id}/answer``: an approving device's nonce."""

    nonce_a: Nonce
    approver_public_key: PublicKey = Field(description="The caller's registered public key.")


class PairingRevealIn(StrictBody):
    """``POST /v1/devices/pairings/{pairing_id}/reveal``: the new device's nonce."""

    nonce_b: Nonce


class PairingApproveIn(StrictBody):
    """``POST /v1/devices/pairings/{pairing_id}/approve``: the data key for the new device."""

    epoch: Epoch
    envelope: Envelope


class PairingOut(BaseModel):
    """A pairing as every device of the account sees it."""

    id: str
    state: Literal["waiting", "answered", "revealed", "approved", "denied"]
    device_id: str = Field(description="The new device.")
    device_name: str
    public_key: PublicKey = Field(description="The new device's public key.")
    commitment: Commitment
    nonce_a: Nonce | None
    approver_device_id: str | None
    approver_public_key: PublicKey | None
    nonce_b: Nonce | None
    created_at: datetime
    expires_at: datetime

    @classmethod
    def of(cls, value: PairingInfo) -> PairingOut:
        """Shape one pairing for the answer."""
        return cls(
            id=value.id,
            state=value.state,
            device_id=value.device_id,
            device_name=value.device_name,
            public_key=value.public_key,
            commitment=value.commitment,
            nonce_a=value.nonce_a,
            approver_device_id=value.approver_device_id,
            approver_public_key=value.approver_public_key,
            nonce_b=value.nonce_b,
            created_at=value.created_at,
            expires_at=value.expires_at,
        )


class RecoveryIn(StrictBody):
    """The recovery recipient: the recovery code's salt and public key, and its envelope."""

    salt: Salt
    public_key: PublicKey
    envelope: Envelope

    def value(self) -> Recovery:
        """Return the recovery recipient for the use cases."""
        return Recovery(salt=self.salt, public_key=self.public_key, envelope=self.envelope)


class RecoveryOut(BaseModel):
    """The recovery recipient as the service keeps it."""

    salt: Salt
    public_key: PublicKey
    envelope: Envelope = Field(description="The current epoch's recovery envelope.")


class KeyStartIn(StrictBody):
    """``POST /v1/keys`` (the first key) and ``POST /v1/keys/restart`` (start over)."""

    epoch: Epoch = Field(description="1 for the first key; the current epoch + 1 to start over.")
    envelope: Envelope = Field(description="The data key sealed to the caller's own device.")
    recovery: RecoveryIn


class DeviceEnvelopeIn(StrictBody):
    """One device's envelope in a rotation."""

    device_id: RowId
    envelope: Envelope


class RotateIn(StrictBody):
    """``POST /v1/keys/rotate``: the next epoch's key for each device holding the current one."""

    epoch: Epoch = Field(description="The current epoch + 1.")
    envelopes: list[DeviceEnvelopeIn] = Field(min_length=1, max_length=1000)
    recovery: RecoveryIn = Field(description="The same recovery recipient, or a new one.")


class OwnEnvelopeIn(StrictBody):
    """``PUT /v1/keys/envelope``: the caller's own envelope of the current epoch."""

    epoch: Epoch
    envelope: Envelope


class KeysOut(BaseModel):
    """``GET /v1/keys``: the account's key epoch and what the caller may open."""

    epoch: int = Field(description="The current epoch; 0 while the account has no key yet.")
    device_id: str | None = Field(description="The caller's device, if it registered one.")
    envelope: Envelope | None = Field(description="The caller's envelope of the current epoch.")
    recovery: RecoveryOut | None = Field(description="Null while the account has no key yet.")
    rotation_due: bool = Field(
        description="A device that held the current key was removed or signed out: rotate."
    )

    @classmethod
    def of(cls, value: KeysView) -> KeysOut:
        """Shape the key state for the answer."""
        recovery = value.recovery
        return cls(
            epoch=value.epoch,
            device_id=value.device_id,
            envelope=value.envelope,
            recovery=(
                RecoveryOut(
                    salt=recovery.salt, public_key=recovery.public_key, envelope=recovery.envelope
                )
                if recovery is not None
                else None
            ),
            rotation_due=value.rotation_due,
        )


class RecordIn(StrictBody):
    """One record pushed."""

    record_id: RecordId
    version: Version
    epoch: Epoch
    ciphertext: Ciphertext
    expires_at: AwareDatetime | None = Field(
        default=None,
        description="When the service deletes the record (tombstones); null keeps it. With a "
        "time zone (Z or an offset).",
    )

    def value(self) -> PushedRecord:
        """Return the record for the use cases."""
        return PushedRecord(
            record_id=self.record_id,
            version=self.version,
            epoch=self.epoch,
            ciphertext=self.ciphertext,
            expires_at=self.expires_at,
        )


class PushIn(StrictBody):
    """``POST /v1/sync/push``."""

    records: list[RecordIn] = Field(min_length=1, max_length=MAX_PUSH_RECORDS)

    @field_validator("records")
    @classmethod
    def _each_record_once(cls, value: list[RecordIn]) -> list[RecordIn]:
        if len({r.record_id for r in value}) != len(value):
            raise ValueError("a record may appear once per push")
        return value


class PushResultOut(BaseModel):
    """What became of one pushed record."""

    record_id: str
    status: Literal["accepted", "stale"]
    version: str = Field(description="The stored version: the pushed one if accepted.")
    epoch: int
    seq: int = Field(description="The stored record's sequence number.")

    @classmethod
    def of(cls, value: PushResult) -> PushResultOut:
        """Shape one push result for the answer."""
        return cls(
            record_id=value.record_id,
            status="accepted" if value.accepted else "stale",
            version=value.version,
            epoch=value.epoch,
            seq=value.seq,
        )


class PushOut(BaseModel):
    """``POST /v1/sync/push``: one result per record, in the order pushed."""

    results: list[PushResultOut]


class RecordOut(BaseModel):
    """One stored record, as pulled."""

    record_id: str
    version: str
    epoch: int
    ciphertext: Ciphertext
    seq: int
    expires_at: datetime | None
    updated_at: datetime = Field(description="When the service stored this version.")

    @classmethod
    def of(cls, value: StoredRecord) -> RecordOut:
        """Shape one stored record for the answer."""
        return cls(
            record_id=value.record_id,
            version=value.version,
            epoch=value.epoch,
            ciphertext=value.ciphertext,
            seq=value.seq,
            expires_at=value.expires_at,
            updated_at=value.updated_at,
        )


class PullOut(BaseModel):
    """``GET /v1/sync/pull``: records after the cursor, in sequence order."""

    records: list[RecordOut]
    cursor: int = Field(description="Pass as since= next time.")
    more: bool = Field(description="Whether more records wait after the cursor.")
    epoch: int = Field(description="The account's current key epoch.")

    @classmethod
    def of(cls, value: PulledRecords) -> PullOut:
        """Shape a page of records for the answer."""
        return cls(
            records=[RecordOut.of(r) for r in value.records],
            cursor=value.cursor,
            more=value.more,
            epoch=value.epoch,
        )
