"""Fuzzing: the importer returns a result or the project's own error, never anything else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sessionclock.core.errors import FeedError
from sessionclock.core.feed import importer
from sessionclock.core.feed.importer import ImportResult, import_feed

_LINES = [
    "BEGIN:VCALENDAR",
    "END:VCALENDAR",
    "BEGIN:VEVENT",
    "END:VEVENT",
    "BEGIN:VTIMEZONE",
    "END:VTIMEZONE",
    "BEGIN:STANDARD",
    "END:STANDARD",
    "BEGIN:DAYLIGHT",
    "END:DAYLIGHT",
    "BEGIN:VALARM",
    "END:VALARM",
    "TZID:Customized Time Zone",
    "TZID:Europe/Berlin",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZOFFSETTO:+5328",
    "DTSTART:16010101T020000",
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
    "RRULE:FREQ=YEARLY;BYDAY=9XX;BYMONTH=13",
    "RDATE:19700329T020000,99991231T235959",
    "X-WR-TIMEZONE:America/New_York",
    "SUMMARY:Client\\, A",
    "DTSTART:20250601T090000Z",
    "DTSTART;TZID=Customized Time Zone:20250330T023000",
    'DTSTART;TZID="(UTC+01:00) Amsterdam, Berlin":20250601T090000',
    "DTSTART;VALUE=DATE:20250601",
    "DTSTART:00000000T000000",
    "DTSTART:99991231T235959",
    "DTEND:20250601T100000Z",
    "DTEND;TZID=W. Europe Standard Time:10000101T000000",
    "DURATION:P99999999W",
    "DURATION:-PT1H",
    "DURATION:PT",
    "STATUS:CANCELLED",
    "RECURRENCE-ID:20250601T090000Z",
    "X-MICROSOFT-CDO-ALLDAYEVENT:TRUE",
    ";;:",
    '"',
    "",
]

_line = st.one_of(st.sampled_from(_LINES), st.text(max_size=40))
_document = st.lists(_line, max_size=40).flatmap(
    lambda lines: st.sampled_from(["\r\n", "\n", "\r", "\n "]).map(lambda sep: sep.join(lines))
)
_encoded = st.one_of(
    _document.map(lambda text: text.encode("utf-8", errors="surrogatepass")),
    _document.map(lambda text: text.encode("cp1252", errors="replace")),
    st.binary(max_size=400),
    st.binary(max_size=200).map(lambda b: b"BEGIN:VCALENDAR\nBEGIN:VEVENT\n" + b),
)
_window = st.one_of(
    st.none(),
    st.datetimes(
        min_value=datetime(1, 1, 3),  # noqa: DTZ001
        max_value=datetime(9999, 12, 20),  # noqa: DTZ001
    ).map(lambda d: (d.replace(tzinfo=UTC), d.replace(tzinfo=UTC) + timedelta(days=14))),
)


def _check(data: bytes, window: tuple[datetime, datetime] | None) -> None:
    try:
        result = import_feed(data, tz=UTC, window=window)
    except FeedError:
        return
    assert isinstance(result, ImportResult)
    for session in result.sessions:
        assert session.end > session.start


@settings(max_examples=300, deadline=None)
@given(data=_encoded, window=_window)
def test_importer_returns_a_result_or_a_feed_error(
    data: bytes, window: tuple[datetime, datetime] | None
) -> None:
    _check(data, window)


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(st.sampled_from(_LINES), min_size=1, max_size=60))
def test_importer_survives_shuffled_calendar_lines(lines: list[str]) -> None:
    _check("\r\n".join(lines).encode(), None)


_EVENT_LINES = [
    "BEGIN:VEVENT",
    "END:VEVENT",
    "BEGIN:VALARM",
    "END:VALARM",
    "SUMMARY:Client",
    "SUMMARY:Busy",
    "summary:lower",
    "DTSTART:20250601T090000Z",
    "DTSTART:20250615T090000Z",
    "DTSTART;TZID=Europe/Berlin:20250602T090000",
    "DTSTART:bad",
    "DTEND:20250601T100000Z",
    "DURATION:PT1H",
    "STATUS:CANCELLED",
    "STATUS:CONFIRMED",
    "RRULE:FREQ=DAILY",
    "RRU\x00LE:FREQ=DAILY",
    "X-MICROSOFT-CDO-ALLDAYEVENT:TRUE",
    "DESCRIPTION:notes",
    "X",
    "BEGIN:VCALENDAR",
    "END:VCALENDAR",
]
_WINDOW = (datetime(2025, 6, 1, tzinfo=UTC), datetime(2025, 6, 3, tzinfo=UTC))


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(st.sampled_from(_EVENT_LINES), min_size=1, max_size=60))
def test_passing_over_events_outside_the_window_changes_nothing(lines: list[str]) -> None:
    data = "\r\n".join(["BEGIN:VCALENDAR", *lines, "END:VCALENDAR"]).encode()

    def outcome() -> ImportResult | str:
        try:
            return import_feed(data, tz=UTC, window=_WINDOW)
        except FeedError as error:
            return str(error)

    fast = outcome()
    with pytest.MonkeyPatch.context() as patch:
        # Read every event line by line, as events of other shapes are.
        patch.setattr(importer._Scanner, "_outside_window", lambda *_: False)
        assert outcome() == fast


def test_plain_events_outside_the_window_are_passed_over_with_the_same_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    events = [
        f"BEGIN:VEVENT\r\nSUMMARY:Client {day}\r\nDTSTART:202506{day:02d}T090000Z\r\n"
        "DURATION:PT1H\r\nBEGIN:VALARM\r\nTRIGGER:-PT15M\r\nSUMMARY:Alarm\r\nEND:VALARM\r\n"
        "END:VEVENT"
        for day in range(1, 29)
    ]
    data = "\r\n".join(["BEGIN:VCALENDAR", *events, "END:VCALENDAR"]).encode()
    passed: list[bool] = []
    original = importer._Scanner._outside_window

    def spy(scanner: importer._Scanner, start: int, end: int) -> bool:
        passed.append(original(scanner, start, end))
        return passed[-1]

    monkeypatch.setattr(importer._Scanner, "_outside_window", spy)
    fast = import_feed(data, tz=UTC, window=_WINDOW)
    monkeypatch.setattr(importer._Scanner, "_outside_window", lambda *_: False)
    slow = import_feed(data, tz=UTC, window=_WINDOW)

    assert passed.count(True) == 28 - 5  # 30 May to 5 June is read: the window and a margin
    assert fast == slow
    assert [s.name for s in fast.sessions] == ["Client 1", "Client 2"]
