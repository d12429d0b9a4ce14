"""Fuzzing: the importer returns a result or the project's own error, never anything else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from sessionclock.core.errors import FeedError
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
