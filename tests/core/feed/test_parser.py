"""Decoding, unfolding and content-line tokenising."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from sessionclock.core.feed.parser import (
    ContentLine,
    Duration,
    decode_feed,
    iter_blocks,
    parse_date_time,
    parse_duration,
    parse_line,
    read_event,
    unescape_text,
)


def test_decode_strips_bom_normalises_line_ends_and_unfolds_on_bytes() -> None:
    # "é" is split by the fold between its two UTF-8 bytes.
    data = b"\xef\xbb\xbfBEGIN:VCALENDAR\r\nSUMMARY:Ren\xc3\r\n \xa9e\rX:1\n\tY\nEND:VCALENDAR"

    decoded = decode_feed(data)

    assert decoded.text == "\nBEGIN:VCALENDAR\nSUMMARY:Renée\nX:1Y\nEND:VCALENDAR"
    assert not decoded.windows_1252


def test_decode_falls_back_to_windows_1252() -> None:
    decoded = decode_feed(b"BEGIN:VCALENDAR\nSUMMARY:M\xfcller \x80\nEND:VCALENDAR\n")

    assert "SUMMARY:Müller €" in decoded.text
    assert decoded.windows_1252


def test_lower_case_structure_is_recognised() -> None:
    decoded = decode_feed(b"begin:vcalendar\nbegin:vevent\nsummary:x\nend:vevent\nend:vcalendar")

    assert [body for body, _ in iter_blocks(decoded.text, "VEVENT")] == ["\nsummary:x"]


def test_parse_line_respects_quotes() -> None:
    line = parse_line('DTSTART;TZID="(UTC+01:00) Amsterdam; Berlin":20250101T090000')

    assert line == ContentLine(
        "DTSTART", {"TZID": "(UTC+01:00) Amsterdam; Berlin"}, "20250101T090000"
    )


def test_parse_line_unquoted_colon_in_a_date_parameter() -> None:
    line = parse_line("DTSTART;TZID=(UTC+01:00) Amsterdam:20250101T090000", value_has_no_colon=True)

    assert line is not None
    assert line.params == {"TZID": "(UTC+01:00) Amsterdam"}
    assert line.value == "20250101T090000"


def test_parse_line_text_keeps_colons_in_the_value() -> None:
    line = parse_line("SUMMARY;LANGUAGE=en:Termin: 10:00 Massage")

    assert line is not None and line.value == "Termin: 10:00 Massage"


@pytest.mark.parametrize("text", ["X", "", ":value", '"unterminated:quote'])
def test_parse_line_refuses_lines_without_a_shape(text: str) -> None:
    assert parse_line(text) is None


def test_unescape_text() -> None:
    assert unescape_text("Smith\\, Jo\\;\\nnext\\\\line\x13 ") == "Smith, Jo; next\\line"


def test_read_event_whitelist_and_nested_components() -> None:
    body = (
        "\nSUMMARY:Outer\nBEGIN:VALARM\nSUMMARY:Inner\nDTSTART:20000101T000000Z\nEND:VALARM\n"
        "DTSTART:20250101T090000Z\nRRULE:FREQ=DAILY\nDTEND:20250101T100000Z\nstatus:Cancelled\n"
    )

    event = read_event(body)

    assert event.summary == "Outer"
    assert event.dtstart is not None and event.dtstart.value == "20250101T090000Z"
    assert event.series and event.cancelled


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("20250101T090000Z", (datetime(2025, 1, 1, 9), True)),  # noqa: DTZ001
        ("20250101T0900", (datetime(2025, 1, 1, 9), False)),  # noqa: DTZ001
        ("20250101", (date(2025, 1, 1), False)),
        ("20250101T090000,20250102T090000", (datetime(2025, 1, 1, 9), False)),  # noqa: DTZ001
        ("20251301T090000", None),
        ("soon", None),
    ],
)
def test_parse_date_time(value: str, expected: tuple[date, bool] | None) -> None:
    parsed = parse_date_time(ContentLine("DTSTART", {}, value))

    assert (None if parsed is None else (parsed.value, parsed.utc)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT1H30M", Duration(0, timedelta(hours=1, minutes=30))),
        ("P1DT2H", Duration(1, timedelta(hours=2))),
        ("P2W", Duration(14, timedelta())),
        ("-PT15M", Duration(0, -timedelta(minutes=15))),
        ("P", None),
        ("PT", None),
        ("1H", None),
    ],
)
def test_parse_duration(text: str, expected: Duration | None) -> None:
    assert parse_duration(text) == expected
