"""What a synced record says, and how it is sealed for the service.

Four kinds of record: a ``session`` (client name, booked and actual times, where it came from,
extra minutes), the ``calendar`` (the feed address and the import preferences that go with it),
the practitioner's ``preferences`` (how the clock looks, sounds and counts; never per-computer
things like window placement or starting at login), and a ``device`` (a device one of the
practitioner's devices let in: its id and public key, so a rotation seals the new key only to
devices vouched for, never to a key the service slipped into the list). A deletion is a
``Tombstone``; a session's tombstone keeps its actual times (see ``merge``).

The service sees a record as (record id, version, epoch, ciphertext). The ciphertext is
``version byte | 12-byte nonce | AES-256-GCM(data key, padded JSON)`` with the account, the
record id, the version and the epoch bound as associated data, so a record moved to another
account or record, relabelled with another version, or altered in any bit does not open. The
kind is inside the sealed JSON (the service learns nothing of it; the associated data need not
carry it since the plaintext is authenticated). The JSON is padded to a multiple of 256 bytes,
so a record's size tells only roughly how long it is, not how long a client's name is.
"""

from __future__ import annotations

import base64
import enum
import json
import os
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from sessionclock.core.crypto import NONCE_LENGTH, TAG_LENGTH, length_prefixed
from sessionclock.core.devices.hlc import Hlc
from sessionclock.core.devices.keys import PUBLIC_KEY_LENGTH, AccountKeys
from sessionclock.core.errors import SessionClockError
from sessionclock.core.models import Session, SessionSource
from sessionclock.core.preferences import Preferences, SyncPreferences
from sessionclock.core.timestamps import from_stored, to_utc, zone_label

RECORD_VERSION = 1
PAD_TO = 256
"""Sealed payloads are padded to a multiple of this many bytes."""
MAX_RECORD_BYTES = 16 * 1024
"""The largest ciphertext the service takes (checked before sending)."""
MAX_DEVICE_NAME = 60

SHARED_PREFERENCES = ("clock", "display", "reminders")
"""The parts of ``Preferences`` that follow the practitioner to every device."""


class RecordKind(enum.StrEnum):
    """What a record is about."""

    SESSION = "session"
    CALENDAR = "calendar"
    PREFERENCES = "preferences"
    DEVICE = "device"


SINGLETONS = frozenset({RecordKind.CALENDAR, RecordKind.PREFERENCES})
"""Kinds an account has one live record of (several from before pairing: the newest wins)."""


class RecordRefusedError(SessionClockError):
    """A record from the service was not applied.

    Attributes:
        record_id: the record's id as the service gave it.
        tampered: whether the record failed to verify (as opposed to being merely unreadable by
            this version, or sealed with a key this device no longer holds).
    """

    def __init__(self, message: str, *, record_id: str, tampered: bool) -> None:
        super().__init__(message)
        self.record_id = record_id
        self.tampered = tampered


@dataclass(frozen=True, slots=True)
class CalendarRecord:
    """The calendar connection as synced.

    Attributes:
        url: the feed address, or None when no calendar is connected.
        sync: the import preferences (window, retention, background check).
    """

    url: str | None = field(repr=False)
    sync: SyncPreferences


@dataclass(frozen=True, slots=True)
class PreferencesRecord:
    """The practitioner's shared preferences (``SHARED_PREFERENCES`` of ``preferences``).

    Attributes:
        preferences: preferences whose other parts are left at their defaults.
    """

    preferences: Preferences

    @classmethod
    def of(cls, preferences: Preferences) -> PreferencesRecord:
        """Return the shared part of *preferences*."""
        return cls(shared_part(preferences))

    def applied_to(self, local: Preferences) -> Preferences:
        """Return *local* with the shared parts replaced by this record's."""
        return replace(
            local, **{name: getattr(self.preferences, name) for name in SHARED_PREFERENCES}
        )


def shared_part(preferences: Preferences) -> Preferences:
    """Return *preferences* with every part that does not sync at its default."""
    return Preferences(**{name: getattr(preferences, name) for name in SHARED_PREFERENCES})


@dataclass(frozen=True, slots=True)
class DeviceRecord:
    """A device let into the account by one of the practitioner's devices.

    Attributes:
        device_id: its id at the service.
        public_key: its X25519 public key.
        name: its name (as the practitioner gave it).
    """

    device_id: str
    public_key: bytes
    name: str


@dataclass(frozen=True, slots=True)
class Tombstone:
    """A deleted record; a session's keeps its actual times, so a merge never loses them.

    Attributes:
        kind: what was deleted.
        actual_start: the deleted session's actual start, if it had one.
        actual_end: its actual end, if it had one.
        extra_minutes: its extra minutes.
    """

    kind: RecordKind
    actual_start: datetime | None = None
    actual_end: datetime | None = None
    extra_minutes: int = 0


Payload = Session | CalendarRecord | PreferencesRecord | DeviceRecord | Tombstone
"""What a record says."""


def kind_of(payload: Payload) -> RecordKind:
    """Return the kind of record *payload* is."""
    if isinstance(payload, Tombstone):
        return payload.kind
    if isinstance(payload, Session):
        return RecordKind.SESSION
    if isinstance(payload, CalendarRecord):
        return RecordKind.CALENDAR
    if isinstance(payload, PreferencesRecord):
        return RecordKind.PREFERENCES
    return RecordKind.DEVICE


def new_record_id() -> str:
    """Return a new random record id (a UUIDv4, the same on every device)."""
    return str(uuid.uuid4())


def is_record_id(text: str) -> bool:
    """Return whether *text* is a record id as this app makes them."""
    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False


# -- JSON --------------------------------------------------------------------------------------


def _moment(value: datetime | None) -> dict[str, str] | None:
    if value is None:
        return None
    return {"utc": to_utc(value).isoformat(), "zone": zone_label(value)}


def _read_moment(value: object) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError("not a time")
    utc = datetime.fromisoformat(str(value["utc"]))
    if utc.tzinfo is not None:
        raise ValueError("a stored UTC time carries no zone")
    return from_stored(utc, str(value["zone"]))


def to_json(payload: Payload) -> dict[str, Any]:
    """Return *payload* as JSON-compatible values."""
    kind = kind_of(payload)
    if isinstance(payload, Tombstone):
        return {
            "kind": kind.value,
            "deleted": True,
            "actual_start": _moment(payload.actual_start),
            "actual_end": _moment(payload.actual_end),
            "extra_minutes": payload.extra_minutes,
        }
    if isinstance(payload, Session):
        return {
            "kind": kind.value,
            "name": payload.client_name,
            "start": _moment(payload.start),
            "end": _moment(payload.end),
            "source": payload.source.value,
            "actual_start": _moment(payload.actual_start),
            "actual_end": _moment(payload.actual_end),
            "extra_minutes": payload.extra_minutes,
        }
    if isinstance(payload, CalendarRecord):
        sync = Preferences(sync=payload.sync).to_json()["sync"]
        return {"kind": kind.value, "url": payload.url, "sync": sync}
    if isinstance(payload, PreferencesRecord):
        values = payload.preferences.to_json()
        return {"kind": kind.value, **{name: values[name] for name in SHARED_PREFERENCES}}
    return {
        "kind": kind.value,
        "device_id": payload.device_id,
        "public_key": base64.b64encode(payload.public_key).decode("ascii"),
        "name": payload.name,
    }


def from_json(values: object) -> Payload:
    """Read what ``to_json`` wrote.

    Raises:
        ValueError: *values* is not a record this version understands.
    """
    try:
        return _payload(values)
    except (KeyError, TypeError, ValueError, SessionClockError) as exc:
        raise ValueError("not a record this version understands") from exc


def _payload(values: object) -> Payload:
    if not isinstance(values, dict):
        raise TypeError("not a record")
    kind = RecordKind(values["kind"])
    if values.get("deleted") is True:
        extra = values.get("extra_minutes", 0)
        return Tombstone(
            kind,
            actual_start=_read_moment(values.get("actual_start")),
            actual_end=_read_moment(values.get("actual_end")),
            extra_minutes=_minutes(extra),
        )
    if kind is RecordKind.SESSION:
        start, end = _read_moment(values["start"]), _read_moment(values["end"])
        if start is None or end is None:
            raise ValueError("a session has a start and an end")
        return Session(
            client_name=_text(values["name"]),
            start=start,
            end=end,
            source=SessionSource(values["source"]),
            actual_start=_read_moment(values.get("actual_start")),
            actual_end=_read_moment(values.get("actual_end")),
            extra_minutes=_minutes(values.get("extra_minutes", 0)),
        )
    if kind is RecordKind.CALENDAR:
        url = values.get("url")
        if url is not None and not isinstance(url, str):
            raise ValueError("an address is text")
        return CalendarRecord(url, Preferences.from_json({"sync": values.get("sync")}).sync)
    if kind is RecordKind.PREFERENCES:
        shared = {name: values.get(name) for name in SHARED_PREFERENCES}
        return PreferencesRecord(Preferences.from_json(shared))
    public_key = base64.b64decode(_text(values["public_key"]), validate=True)
    if len(public_key) != PUBLIC_KEY_LENGTH:
        raise ValueError("a public key is 32 bytes")
    return DeviceRecord(
        _text(values["device_id"]), public_key, _text(values["name"])[:MAX_DEVICE_NAME]
    )


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("expected text")
    return value


def _minutes(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError("minutes are a whole number, not negative")
    return value


# -- sealing -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SealedRecord:
    """A record as the service keeps it.

    Attributes:
        record_id: the record's id.
        version: its version (an ``Hlc`` string).
        epoch: the epoch of the data key that sealed it.
        ciphertext: what the service stores.
    """

    record_id: str
    version: str
    epoch: int
    ciphertext: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class OpenedRecord:
    """A record from the service, opened and verified.

    Attributes:
        record_id: the record's id.
        version: its version.
        epoch: the epoch it was sealed in.
        payload: what it says.
    """

    record_id: str
    version: Hlc
    epoch: int
    payload: Payload


def record_associated_data(*, account: str, record_id: str, version: str, epoch: int) -> bytes:
    """Return the associated data binding a record to its account, id, version and epoch."""
    return length_prefixed(
        f"sessionclock-record-v{RECORD_VERSION}".encode(),
        account.encode("utf-8"),
        record_id.encode("utf-8"),
        version.encode("ascii"),
        str(epoch).encode(),
    )


def pad(data: bytes) -> bytes:
    """Return *data*, 0x80, then zeros up to a multiple of ``PAD_TO`` (ISO/IEC 7816-4)."""
    padded = data + b"\x80"
    return padded + b"\x00" * (-len(padded) % PAD_TO)


def unpad(data: bytes) -> bytes:
    """Return what ``pad`` padded.

    Raises:
        ValueError: *data* is not padded so.
    """
    stripped = data.rstrip(b"\x00")
    if not stripped.endswith(b"\x80") or len(data) % PAD_TO:
        raise ValueError("bad padding")
    return stripped[:-1]


def seal_record(
    record_id: str, version: Hlc, payload: Payload, *, keys: AccountKeys
) -> SealedRecord:
    """Seal *payload* as record *record_id* at *version* with the current data key."""
    text = str(version)
    plaintext = pad(json.dumps(to_json(payload), sort_keys=True).encode("utf-8"))
    nonce = os.urandom(NONCE_LENGTH)
    aad = record_associated_data(
        account=keys.account, record_id=record_id, version=text, epoch=keys.epoch
    )
    ciphertext = (
        bytes([RECORD_VERSION]) + nonce + AESGCM(keys.data_key).encrypt(nonce, plaintext, aad)
    )
    return SealedRecord(record_id, text, keys.epoch, ciphertext)


MSG_REFUSED = "A change from the account service could not be verified and was ignored."
MSG_UNREADABLE = "A change from another device needs a newer Session Clock to be read."
MSG_OLD_KEY = "A change sealed with a key this device no longer holds was skipped."


def open_record(sealed: SealedRecord, *, keys: AccountKeys) -> OpenedRecord:
    """Open and verify a record from the service.

    Raises:
        RecordRefusedError: it does not open with this account's key of its epoch (tampered: moved
            to another account or record, relabelled, or altered), or it cannot be read.
    """

    def refused(message: str = MSG_REFUSED, *, tampered: bool = True) -> RecordRefusedError:
        return RecordRefusedError(message, record_id=sealed.record_id, tampered=tampered)

    if sealed.epoch != keys.epoch:
        # An older epoch's record comes again once re-sealed; a newer one needs the new key
        # first (the sync asks for it before opening anything sealed after it).
        raise refused(MSG_OLD_KEY, tampered=False)
    try:
        version = Hlc.parse(sealed.version)
    except ValueError:
        raise refused() from None
    blob = sealed.ciphertext
    if not is_record_id(sealed.record_id) or len(blob) < 1 + NONCE_LENGTH + TAG_LENGTH:
        raise refused()
    if blob[0] != RECORD_VERSION:
        raise refused(MSG_UNREADABLE, tampered=False)
    aad = record_associated_data(
        account=keys.account,
        record_id=sealed.record_id,
        version=sealed.version,
        epoch=sealed.epoch,
    )
    try:
        nonce, ciphertext = blob[1 : 1 + NONCE_LENGTH], blob[1 + NONCE_LENGTH :]
        plaintext = AESGCM(keys.data_key).decrypt(nonce, ciphertext, aad)
    except InvalidTag:
        raise refused() from None
    try:
        payload = from_json(json.loads(unpad(plaintext)))
    except ValueError:
        # It opened with the account's key: a device wrote it, in a form this one cannot read.
        raise refused(MSG_UNREADABLE, tampered=False) from None
    return OpenedRecord(sealed.record_id, version, sealed.epoch, payload)
