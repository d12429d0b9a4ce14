"""Records: every kind round-trips, sealing binds account, record, version and epoch, padding
hides name lengths, and anything altered is refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from sessionclock.core.devices.hlc import Hlc
from sessionclock.core.devices.keys import AccountKeys
from sessionclock.core.devices.records import (
    MSG_OLD_KEY,
    MSG_REFUSED,
    MSG_UNREADABLE,
    PAD_TO,
    CalendarRecord,
    DeviceRecord,
    Payload,
    PreferencesRecord,
    RecordKind,
    RecordRefusedError,
    SealedRecord,
    Tombstone,
    from_json,
    is_record_id,
    kind_of,
    new_record_id,
    open_record,
    pad,
    record_associated_data,
    seal_record,
    shared_part,
    to_json,
    unpad,
)
from sessionclock.core.models import Session, SessionSource
from sessionclock.core.preferences import (
    DisplayPreferences,
    Preferences,
    SyncPreferences,
    ThemeName,
)

ACCOUNT = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
LONDON = ZoneInfo("Europe/London")
START = datetime(2026, 11, 10, 9, 0, tzinfo=LONDON)
VERSION = Hlc(1_790_000_000_000, 3, "0123456789abcdef")


def keys(epoch: int = 1, account: str = ACCOUNT) -> AccountKeys:
    return AccountKeys(account, epoch, b"k" * 32, b"r" * 32, b"c" * 32)


def session(**changes: object) -> Session:
    base = Session(
        "Ada Lovelace",
        START,
        START + timedelta(hours=1),
        source=SessionSource.CALENDAR,
        actual_start=START + timedelta(minutes=2),
        actual_end=datetime(2026, 11, 10, 10, 5, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        extra_minutes=5,
    )
    return base.with_changes(**changes)


PAYLOADS: list[Payload] = [
    session(),
    session(actual_start=None, actual_end=None, extra_minutes=0, source=SessionSource.MANUAL),
    CalendarRecord("https://clinic.example/ical/secret.ics", SyncPreferences(window_days=30)),
    CalendarRecord(None, SyncPreferences()),
    PreferencesRecord.of(
        Preferences(display=DisplayPreferences(theme=ThemeName.NIGHT), start_at_login=True)
    ),
    DeviceRecord("dev-1", b"p" * 32, "Room tablet"),
    Tombstone(RecordKind.SESSION, actual_start=START, extra_minutes=5),
    Tombstone(RecordKind.CALENDAR),
]


@pytest.mark.parametrize("payload", PAYLOADS, ids=lambda p: type(p).__name__)
def test_every_kind_round_trips_through_json_and_a_seal(payload: Payload) -> None:
    assert from_json(json.loads(json.dumps(to_json(payload)))) == payload
    record_id = new_record_id()
    sealed = seal_record(record_id, VERSION, payload, keys=keys())
    assert (sealed.record_id, sealed.version, sealed.epoch) == (record_id, str(VERSION), 1)
    opened = open_record(sealed, keys=keys())
    assert opened.payload == payload and opened.version == VERSION
    assert kind_of(opened.payload) is kind_of(payload)


def test_times_come_back_in_their_own_zones() -> None:
    opened = from_json(to_json(session()))
    assert isinstance(opened, Session)
    assert opened.start.tzinfo == LONDON
    assert opened.actual_end is not None
    assert opened.actual_end.utcoffset() == timedelta(hours=5, minutes=30)


def test_preferences_carry_only_what_follows_the_practitioner() -> None:
    local = Preferences(
        sync=SyncPreferences(window_days=40), start_at_login=True, display=DisplayPreferences()
    )
    record = PreferencesRecord.of(
        Preferences(display=DisplayPreferences(theme=ThemeName.HIGH_CONTRAST), start_at_login=True)
    )
    assert record.preferences.start_at_login is False
    assert "sync" not in to_json(record) and "start_at_login" not in to_json(record)
    applied = record.applied_to(local)
    assert applied.display.theme is ThemeName.HIGH_CONTRAST
    assert applied.sync.window_days == 40 and applied.start_at_login is True
    assert shared_part(applied) == record.preferences


def test_padding_hides_how_long_a_name_is() -> None:
    sizes = {
        len(
            seal_record(new_record_id(), VERSION, session(client_name=name), keys=keys()).ciphertext
        )
        for name in ("Al", "Bartholomew Featherstonehaugh-Cholmondeley")
    }
    assert len(sizes) == 1
    assert (sizes.pop() - 1 - 12 - 16) % PAD_TO == 0


def test_padding_round_trips_and_refuses_what_is_not_padded() -> None:
    for data in (b"", b"x", b"y" * 255, b"z" * 256, b"a\x80\x00"):
        assert unpad(pad(data)) == data and len(pad(data)) % PAD_TO == 0
    for bad in (b"x" * PAD_TO, b"\x80" + b"\x00" * 10):
        with pytest.raises(ValueError, match="bad padding"):
            unpad(bad)


def sealed() -> SealedRecord:
    return seal_record(new_record_id(), VERSION, session(), keys=keys())


def refused(record: SealedRecord, *, with_keys: AccountKeys | None = None) -> RecordRefusedError:
    with pytest.raises(RecordRefusedError) as caught:
        open_record(record, keys=with_keys or keys())
    assert caught.value.record_id == record.record_id
    return caught.value


def test_a_record_moved_to_another_account_is_refused_as_tampering() -> None:
    error = refused(sealed(), with_keys=keys(account="b" * 32))
    assert error.tampered and str(error) == MSG_REFUSED


def test_a_record_moved_to_another_id_or_relabelled_is_refused() -> None:
    original = sealed()
    for moved in (
        SealedRecord(new_record_id(), original.version, 1, original.ciphertext),
        SealedRecord(original.record_id, str(Hlc(1, 0, "0" * 16)), 1, original.ciphertext),
        SealedRecord("not-an-id", original.version, 1, original.ciphertext),
        SealedRecord(original.record_id, "garbage", 1, original.ciphertext),
    ):
        assert refused(moved).tampered


@pytest.mark.parametrize("index", [1, 5, 13, 40, -1])
def test_a_flipped_bit_is_refused(index: int) -> None:
    original = sealed()
    data = bytearray(original.ciphertext)
    data[index] ^= 0x01
    flipped = SealedRecord(original.record_id, original.version, 1, bytes(data))
    assert refused(flipped).tampered


def test_a_cut_record_is_refused() -> None:
    original = sealed()
    cut = SealedRecord(original.record_id, original.version, 1, original.ciphertext[:20])
    assert refused(cut).tampered


def test_a_record_of_another_epoch_is_skipped_not_reported() -> None:
    error = refused(sealed(), with_keys=keys(epoch=2))
    assert not error.tampered and str(error) == MSG_OLD_KEY


def test_a_record_of_a_newer_format_is_unreadable_not_tampered() -> None:
    original = sealed()
    newer = SealedRecord(original.record_id, original.version, 1, b"\x02" + original.ciphertext[1:])
    error = refused(newer)
    assert not error.tampered and str(error) == MSG_UNREADABLE


def test_a_record_a_device_wrote_that_this_version_cannot_read_is_not_tampering() -> None:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    record_id = new_record_id()
    aad = record_associated_data(
        account=ACCOUNT, record_id=record_id, version=str(VERSION), epoch=1
    )
    nonce = b"n" * 12
    body = AESGCM(b"k" * 32).encrypt(nonce, pad(b'{"kind": "invoice"}'), aad)
    error = refused(SealedRecord(record_id, str(VERSION), 1, b"\x01" + nonce + body))
    assert not error.tampered and str(error) == MSG_UNREADABLE


@pytest.mark.parametrize(
    "values",
    [
        [],
        {"kind": "session"},
        {"kind": "session", "name": 5, "start": None, "end": None, "source": "manual"},
        {"kind": "session", "deleted": True, "extra_minutes": -1},
        {"kind": "calendar", "url": 5},
        {"kind": "device", "device_id": "d", "public_key": "AAAA", "name": "x"},
        {
            "kind": "session",
            "name": "A",
            "start": {"utc": "2026-11-10T09:00:00+00:00", "zone": "UTC"},
            "end": {"utc": "2026-11-10T10:00:00", "zone": "UTC"},
            "source": "manual",
        },
        {
            "kind": "session",
            "name": "A",
            "start": {"utc": "2026-11-10T09:00:00", "zone": "Mars/Olympus"},
            "end": {"utc": "2026-11-10T10:00:00", "zone": "UTC"},
            "source": "manual",
        },
        {
            "kind": "session",
            "name": "A",
            "start": {"utc": "2026-11-10T11:00:00", "zone": "UTC"},
            "end": {"utc": "2026-11-10T10:00:00", "zone": "UTC"},
            "source": "manual",
        },
    ],
)
def test_json_that_is_not_a_record_is_refused(values: object) -> None:
    with pytest.raises(ValueError, match="not a record this version understands"):
        from_json(values)


def test_record_ids_are_uuid4_text() -> None:
    record_id = new_record_id()
    assert is_record_id(record_id) and not is_record_id(record_id.upper())
    assert not is_record_id("x") and record_id != new_record_id()


def test_a_device_name_is_cut_to_sixty_characters() -> None:
    record = from_json(to_json(DeviceRecord("d", b"p" * 32, "n" * 100)))
    assert isinstance(record, DeviceRecord) and len(record.name) == 60


def test_the_utc_offset_form_is_kept() -> None:
    moment = datetime(2026, 1, 1, 12, tzinfo=UTC)
    back = from_json(to_json(session(start=moment, end=moment + timedelta(hours=1))))
    assert isinstance(back, Session) and back.start == moment
