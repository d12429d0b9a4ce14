"""Fuzzing: the importer returns a result or the project's own error, never anything else."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sessionclock.core.errors import FeedError
from sessionclock.core.feed import importer
from sessionclock.core.feed.importer import ImportResult, import_feed
from tests.support.feeds import import_in_window

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
    "DTSTART:20251301T090000Z",
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
    # Whole pieces, so that shapes made of several lines come up often.
    "BEGIN:VALARM\r\nDTSTART:20250615T090000Z\r\nEND:VALARM",
    "BEGIN:VEVENT\r\nSUMMARY:Far\r\nDTSTART:20250615T090000Z\r\nDURATION:PT1H\r\nEND:VEVENT",
    "BEGIN:VEVENT\r\nSUMMARY:Near\r\nDTSTART:20250602T090000Z\r\nDURATION:PT1H\r\nEND:VEVENT",
    "BEGIN:VEVENT\nSUMMARY:Far\nDTSTART:20250520T090000Z\nDURATION:PT1H\nEND:VEVENT",
    "BEGIN:VEVENT\r\nSUMMARY:Far\r\nDTSTART:20250615T090000Z\r\nBEGIN:VALARM\r\n"
    "TRIGGER:-PT15M\r\nEND:VALARM\r\nEND:VEVENT",
    # A zone of the feed's own, so that events and alarms come up inside one.
    "BEGIN:VTIMEZONE\r\nTZID:Custom",
    "BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0300\r\nTZOFFSETTO:+0300\r\n"
    "END:STANDARD",
    "END:VTIMEZONE",
    "DTSTART;TZID=Custom:20250602T090000",
]
_WINDOW = (datetime(2025, 6, 1, tzinfo=UTC), datetime(2025, 6, 3, tzinfo=UTC))


def _windowed(data: bytes, *, pass_over: bool = True) -> ImportResult | str:
    return import_in_window(data, window=_WINDOW, pass_over=pass_over)


@st.composite
def _event_feeds(draw: st.DrawFn) -> bytes:
    """Return a calendar of event lines, with line ends, folds and blank lines that are mostly
    the feed's own but sometimes not (a CR or LF alone, a fold inside a name)."""
    main = draw(st.sampled_from(["\r\n", "\n"]))
    lines = draw(st.lists(st.sampled_from(_EVENT_LINES), min_size=1, max_size=60))
    out: list[str] = []
    for line in ["BEGIN:VCALENDAR", *lines, "END:VCALENDAR"]:
        if line and draw(st.integers(0, 11)) == 0:
            cut = draw(st.integers(0, len(line)))
            fold = draw(st.sampled_from([" ", "\t", "", "\r", main + " "]))
            line = line[:cut] + main + fold + line[cut:]
        end = main
        if draw(st.integers(0, 11)) == 0:
            end = draw(st.sampled_from(["\r\n", "\n", "\r", main + main, "\r\r\n"]))
        out.append(line + end)
    return "".join(out).encode()


@settings(max_examples=500, deadline=None)
@given(data=_event_feeds())
def test_passing_over_events_outside_the_window_changes_nothing(data: bytes) -> None:
    assert _windowed(data) == _windowed(data, pass_over=False)


@pytest.mark.parametrize(
    "lines",
    [
        # An event left open, then a whole event outside the window: the open one is cut off,
        # and what follows the inner END is not its own.
        [
            "BEGIN:VEVENT", "SUMMARY:Open", "DTSTART:20250601T090000Z",
            "BEGIN:VEVENT", "SUMMARY:Far", "DTSTART:20250615T090000Z", "END:VEVENT",
            "DURATION:PT1H", "END:VEVENT",
        ],
        # The only DTSTART is an alarm's: the event's time cannot be read, wherever it is.
        [
            "BEGIN:VEVENT", "SUMMARY:Alarm only", "DURATION:PT1H",
            "BEGIN:VALARM", "DTSTART:20250615T090000Z", "END:VALARM", "END:VEVENT",
        ],
    ],
    ids=["inside-an-open-event", "start-in-an-alarm-only"],
)  # fmt: skip
def test_passing_over_never_hides_a_broken_event(lines: list[str]) -> None:
    data = "\r\n".join(["BEGIN:VCALENDAR", *lines, "END:VCALENDAR"]).encode()

    result = _windowed(data)

    assert result == _windowed(data, pass_over=False)
    assert isinstance(result, ImportResult)
    assert result.sessions == ()
    assert len(result.skipped) == 1


_FAR = "SUMMARY:Far\r\nDTSTART:20250615T090000Z\r\nDURATION:PT1H\r\n"


@pytest.mark.parametrize(
    ("event", "names", "truncated"),
    [
        # A CR alone ends a line: the DTSTART after it is the event's first, inside the window.
        ("SUMMARY:Near\r\nX-A:1\rDTSTART:20250601T090000Z\r\nDTSTART:20250615T090000Z\r\n"
         "DURATION:PT1H\r\n", ["Near"], False),
        ("SUMMARY:Near\r\nX-A:1\nX-B:2\rDTSTART:20250601T090000Z\r\nDTSTART:20250615T090000Z\r\n"
         "DURATION:PT1H\r\n", ["Near"], False),
        # A fold inside the DTSTART name, inside its date, or before its last colon.
        ("SUMMARY:Near\r\nDTST\r\n ART:20250601T090000Z\r\nDTSTART:20250615T090000Z\r\n"
         "DURATION:PT1H\r\n", ["Near"], False),
        ("SUMMARY:Near\r\nDTSTART:2025\r\n 0601T090000Z\r\nDURATION:PT1H\r\n", ["Near"], False),
        ("SUMMARY:Near\r\nDTSTART;X-A=1:20250615T090000Z\r\n :20250601T090000Z\r\n"
         "DURATION:PT1H\r\n", ["Near"], False),
        # Folded onto its END line (directly or after a blank line), the event is never closed.
        (_FAR + "END:VEVENT\r\n X", [], True),
        (_FAR + "END:VEVENT\r\n\r\n X", [], True),
        # An alarm left open, or opened or closed by a line folded onto another name: the event
        # is cut off.
        (_FAR + "BEGIN:VALARM\r\nTRIGGER:-PT15M\r\n", [], True),
        (_FAR + "BEGIN:VALARM\r\n X\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\n", [], True),
        (_FAR + "BEGIN:VALARM\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\n X\r\n", [], True),
    ],
    ids=[
        "cr-alone", "lf-and-cr-alone", "fold-in-name", "fold-in-date", "fold-before-last-colon",
        "folded-end", "folded-end-after-blank-line", "open-alarm", "folded-alarm-begin",
        "folded-alarm-end",
    ],
)  # fmt: skip
def test_events_that_only_look_plain_are_read(
    event: str, names: list[str], truncated: bool
) -> None:
    data = f"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n{event}END:VEVENT\r\nEND:VCALENDAR\r\n"

    result = _windowed(data.encode())

    assert result == _windowed(data.encode(), pass_over=False)
    assert isinstance(result, ImportResult)
    assert [s.name for s in result.sessions] == names
    assert result.truncated is truncated


def test_a_cr_alone_in_a_feed_of_lf_line_ends_ends_a_line() -> None:
    data = (
        b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:Near\nX-A:1\rDTSTART:20250601T090000Z\n"
        b"DTSTART:20250615T090000Z\nDURATION:PT1H\nEND:VEVENT\nEND:VCALENDAR\n"
    )

    result = _windowed(data)

    assert result == _windowed(data, pass_over=False)
    assert isinstance(result, ImportResult)
    assert [s.name for s in result.sessions] == ["Near"]


@pytest.mark.parametrize("eol", ["\r\n", "\n"], ids=["crlf", "lf"])
@pytest.mark.parametrize("folded", [False, True], ids=["unfolded", "folded"])
@pytest.mark.parametrize("name", ["Client {day}", "Busy"])
def test_plain_events_outside_the_window_are_passed_over_with_the_same_result(
    name: str, folded: bool, eol: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # While every name is "Busy" (a free/busy address), events are passed over one by one; every
    # event is, whatever the line ends, right after the one before it.
    fold = f"{eol} " if folded else ""
    events = [
        f"BEGIN:VEVENT{eol}SUMMARY:{name.format(day=day)}{eol}DTSTART:202506{day:02d}T090000Z{eol}"
        f"DESCRIPTION:A note{fold} on{fold}{eol}\tthree lines{eol}DURATION:PT1H{eol}"
        f"BEGIN:VALARM{eol}TRIGGER:-PT15M{eol}SUMMARY:Al{fold}arm{eol}END:VALARM{eol}END:VEVENT"
        for day in range(1, 29)
    ]
    data = eol.join(["BEGIN:VCALENDAR", *events, "END:VCALENDAR"]).encode()
    passed: list[int] = []
    original = importer._Scanner._pass_over

    def spy(scanner: importer._Scanner, data: bytes, match: re.Match[bytes]) -> bool:
        done = original(scanner, data, match)
        if done:
            needle = f"\nBEGIN:VEVENT{eol}".encode()
            passed.append(data.count(needle, match.start(), match.end()))
        return done

    monkeypatch.setattr(importer._Scanner, "_pass_over", spy)
    fast = import_feed(data, tz=UTC, window=_WINDOW)

    assert sum(passed) == 28 - 5  # 30 May to 5 June is read: the window and a margin
    assert fast == _windowed(data, pass_over=False)
    assert [s.name for s in fast.sessions] == [name.format(day=1), name.format(day=2)]


@pytest.mark.parametrize("eol", ["\r\n", "\n"], ids=["crlf", "lf"])
def test_an_event_with_an_alarm_inside_a_time_zone_leaves_the_zone_whole(eol: str) -> None:
    far = [
        "BEGIN:VEVENT",
        "SUMMARY:Far",
        "DTSTART:20250615T090000Z",
        "DURATION:PT1H",
        "BEGIN:VALARM",
        "TRIGGER:-PT15M",
        "END:VALARM",
        "END:VEVENT",
    ]
    lines = [
        "BEGIN:VCALENDAR", "BEGIN:VTIMEZONE", "TZID:Custom", *far,
        "BEGIN:STANDARD", "DTSTART:19700101T000000", "TZOFFSETFROM:+0300", "TZOFFSETTO:+0300",
        "END:STANDARD", "END:VTIMEZONE",
        "BEGIN:VEVENT", "SUMMARY:Near", "DTSTART;TZID=Custom:20250601T090000", "DURATION:PT1H",
        "END:VEVENT", "END:VCALENDAR",
    ]  # fmt: skip
    data = (eol.join(lines) + eol).encode()

    result = _windowed(data)

    assert result == _windowed(data, pass_over=False)
    assert isinstance(result, ImportResult)
    assert [s.start for s in result.sessions] == [datetime(2025, 6, 1, 6, tzinfo=UTC)]
    assert result.warnings == ()
