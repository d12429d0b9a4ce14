"""Nothing but name, start and end leaves the importer: a feed full of marker strings proves it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from sessionclock.core.feed import importer, parser
from sessionclock.core.feed.importer import ImportResult, SkipReason, import_feed

MARKER = "ZQXMARKER"

MARKED_FEED = f"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Example//{MARKER}-prodid//EN\r
X-WR-CALNAME:{MARKER}-calname\r
X-WR-CALDESC:{MARKER}-caldesc\r
BEGIN:VEVENT\r
UID:{MARKER}-uid@example.com\r
SUMMARY:Alex Client\r
DTSTART:20250602T090000Z\r
DTEND:20250602T100000Z\r
LOCATION:{MARKER}-location\\, Room 2\r
DESCRIPTION:{MARKER}-description phone 555-0100\\nnotes\r
 {MARKER}-folded-description\r
ATTENDEE;CN={MARKER}-cn;ROLE=REQ-PARTICIPANT:mailto:{MARKER}-attendee@example.com\r
ORGANIZER;CN="{MARKER}, Org":mailto:{MARKER}-organizer@example.com\r
X-APPLE-STRUCTURED-LOCATION;VALUE=URI;X-TITLE="{MARKER}-geo":geo:1,2\r
X-ALT-DESC;FMTTYPE=text/html:<p>{MARKER}-html</p>\r
X-MICROSOFT-CDO-BUSYSTATUS:{MARKER}-busy\r
CATEGORIES:{MARKER}-category\r
COMMENT:{MARKER}-comment\r
URL:https://example.com/{MARKER}-url\r
CONTACT:{MARKER}-contact\r
BEGIN:VALARM\r
ACTION:DISPLAY\r
DESCRIPTION:{MARKER}-alarm\r
SUMMARY:{MARKER}-alarm-summary\r
TRIGGER:-PT15M\r
END:VALARM\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:{MARKER}-uid-2@example.com\r
SUMMARY:Weekly Client\r
RRULE:FREQ=WEEKLY;UNTIL=20300101T000000Z;X-NAME={MARKER}-rrule\r
EXDATE:20250610T090000Z\r
RDATE;X-NOTE={MARKER}-rdate:20250611T090000Z\r
DTSTART:20250603T090000Z\r
DURATION:PT1H\r
LOCATION:{MARKER}-location-2\r
END:VEVENT\r
BEGIN:VEVENT\r
SUMMARY:Moved Client\r
RECURRENCE-ID;X-NOTE={MARKER}-recurrence:20250604T090000Z\r
DTSTART:20250604T100000Z\r
DTEND:20250604T110000Z\r
END:VEVENT\r
END:VCALENDAR\r
""".encode()


def _strings(value: object) -> Iterator[str]:
    """Yield every string reachable from *value* (dataclass fields, tuples), plus its repr."""
    yield repr(value)
    if isinstance(value, str):
        yield value
    elif isinstance(value, tuple):
        for item in value:
            yield from _strings(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from _strings(getattr(value, item.name))
    elif isinstance(value, datetime):
        yield value.isoformat()
        yield str(value.tzinfo)


def test_marker_feed_is_imported_and_no_marker_comes_out() -> None:
    result = import_feed(MARKED_FEED, tz=UTC)

    assert isinstance(result, ImportResult)
    assert [(s.name, s.start) for s in result.sessions] == [
        ("Alex Client", datetime(2025, 6, 2, 9, tzinfo=UTC))
    ]
    assert [(s.name, s.reason) for s in result.skipped] == [
        ("Weekly Client", SkipReason.REPEATING),
        ("Moved Client", SkipReason.REPEATING),
    ]
    found = [text for text in _strings(result) if MARKER in text]
    assert found == []


def test_marker_lines_are_never_decoded(monkeypatch: pytest.MonkeyPatch) -> None:
    decoded: list[bytes] = []
    plain, checked = parser.decode, parser.decode_checked

    def spy_plain(raw: bytes) -> str:
        decoded.append(raw)
        return plain(raw)

    def spy_checked(raw: bytes) -> tuple[str, bool]:
        decoded.append(raw)
        return checked(raw)

    monkeypatch.setattr(importer, "decode", spy_plain)
    monkeypatch.setattr(importer, "decode_checked", spy_checked)

    import_feed(MARKED_FEED, tz=UTC)

    assert decoded, "the spy must see the whitelisted lines"
    assert b"Alex Client" in decoded
    assert [raw for raw in decoded if MARKER.encode() in raw] == []


def test_client_names_never_appear_in_warnings() -> None:
    data = (
        b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:Jordan Secretname\n"
        b"DTSTART;TZID=Nowhere/Atlantis:20250601T090000\nDTEND;TZID=Nowhere/Atlantis:"
        b"20250601T100000\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:Casey Hiddenname\n"
        b"DTSTART:20250602T090000\nDTEND:20250602T100000\nEND:VEVENT\nEND:VCALENDAR\n"
    )

    result = import_feed(data, tz=UTC)

    assert len(result.sessions) == 2
    assert len(result.warnings) == 2
    assert not any("Secretname" in w or "Hiddenname" in w for w in result.warnings)
    assert "Secretname" not in repr(result)
