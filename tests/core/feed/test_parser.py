"""Decoding, unfolding, scanning for whitelisted lines, and content-line tokenising."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sessionclock.core.feed.parser import (
    ContentLine,
    Duration,
    Line,
    clean_name,
    decode_checked,
    parse_date_time,
    parse_duration,
    parse_line,
    prepare,
    scan,
    unescape_text,
)


def lines(data: bytes) -> list[tuple[bytes, bytes, bytes]]:
    """Return (name, raw line, component) of each line a scan yields."""
    return [(line.name, line.raw, line.component) for line in scan(prepare(data))]


def test_prepare_strips_bom_normalises_line_ends_and_unfolds_on_bytes() -> None:
    # "é" is split by the fold between its two UTF-8 bytes.
    data = b"\xef\xbb\xbfBEGIN:VCALENDAR\r\nSUMMARY:Ren\xc3\r\n \xa9e\rX:1\n\tY\nEND:VCALENDAR"

    prepared = prepare(data)

    assert prepared.text == "\nBEGIN:VCALENDAR\nSUMMARY:Renée\nX:1Y\nEND:VCALENDAR".encode()
    assert prepared.upper == prepared.text.upper()


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf-16-le", b"\xff\xfe"),
        ("utf-16-be", b"\xfe\xff"),
        ("utf-16-le", b""),
        ("utf-16-be", b""),
        ("utf-32-le", b"\xff\xfe\x00\x00"),
    ],
)
def test_utf16_and_utf32_are_read(encoding: str, bom: bytes) -> None:
    text = "\r\nBEGIN:VCALENDAR\r\nSUMMARY:Zoë\r\nEND:VCALENDAR\r\n"

    assert lines(bom + text.encode(encoding))[1] == (b"SUMMARY", "SUMMARY:Zoë".encode(), b"")


def test_scan_yields_only_whitelisted_names_in_any_case() -> None:
    data = (
        b"begin:vcalendar\nDESCRIPTION:not read\nSummary;LANGUAGE=en:Name\nLOCATION:x\n"
        b"dtStart:20250101T090000Z\nX-CUSTOM:y\nATTENDEE:mailto:a@b.c\nend:VCalendar\n"
    )

    assert lines(data) == [
        (b"BEGIN", b"begin:vcalendar", b"VCALENDAR"),
        (b"SUMMARY", b"Summary;LANGUAGE=en:Name", b""),
        (b"DTSTART", b"dtStart:20250101T090000Z", b""),
        (b"END", b"end:VCalendar", b"VCALENDAR"),
    ]


def test_names_broken_by_nul_bytes_or_spaces_still_count() -> None:
    data = (
        b"BEGIN:VEVENT\nRRU\x00LE:FREQ=DAILY\nSTA TUS:CANCELLED\n\x00RDATE:20250101\n"
        b"BEGIN : VALARM\nEND:VAL\x00ARM\nDESCR\x00IPTION:never read\nEND:VEVENT"
    )

    assert [(name, component) for name, _, component in lines(data)] == [
        (b"BEGIN", b"VEVENT"),
        (b"RRULE", b""),
        (b"STATUS", b""),
        (b"RDATE", b""),
        (b"BEGIN", b"VALARM"),
        (b"END", b"VALARM"),
        (b"END", b"VEVENT"),
    ]


def test_a_line_without_a_name_never_takes_the_name_of_the_line_after_it() -> None:
    data = b"BEGIN:VEVENT\n\xc3\x90\nBEGIN:VALARM\n\x00\nRRULE:FREQ=DAILY\nEND:VALARM\nEND:VEVENT"

    assert [(name, raw) for name, raw, _ in lines(data)] == [
        (b"BEGIN", b"BEGIN:VEVENT"),
        (b"BEGIN", b"BEGIN:VALARM"),
        (b"RRULE", b"RRULE:FREQ=DAILY"),
        (b"END", b"END:VALARM"),
        (b"END", b"END:VEVENT"),
    ]


def _unfolded_step_by_step(data: bytes) -> bytes:
    """Return *data* unfolded one rule at a time, the plain way (the reference for prepare)."""
    data = data.lstrip().replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    while b"\n\n" in data:
        data = data.replace(b"\n\n", b"\n")
    return b"\n" + data.replace(b"\n ", b"").replace(b"\n\t", b"")


_LINE_BYTES = [b"\r", b"\n", b" ", b"\t", b"A", b":", b"\xc3", b"\xa9"]


@settings(max_examples=500, deadline=None)
@given(data=st.lists(st.sampled_from(_LINE_BYTES)).map(b"".join))
def test_prepare_unfolds_as_each_rule_says(data: bytes) -> None:
    prepared = prepare(data)

    assert prepared.text == _unfolded_step_by_step(data)
    assert prepared.upper == prepared.text.upper()


def test_clean_name() -> None:
    assert clean_name(b" rru\x00le ") == b"RRULE"
    assert clean_name(b"X-MS-\tOLK") == b"X-MS-OLK"


def test_value_skips_colons_inside_quoted_parameters() -> None:
    line = Line(b"SUMMARY", b'SUMMARY;X-A="a:b";X-B="c":Termin: 10:00')

    assert line.value() == b"Termin: 10:00"
    assert Line(b"SUMMARY", b"SUMMARY").value() == b""
    assert Line(b"SUMMARY", b'SUMMARY;X="open:value').value() == b""


def test_each_line_is_decoded_on_its_own() -> None:
    assert decode_checked("Zoë".encode()) == ("Zoë", True)
    assert decode_checked(b"M\xfcller \x80") == ("Müller €", False)


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
    assert unescape_text("  plain   name ") == "plain name"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("20250101T090000Z", (datetime(2025, 1, 1, 9), True)),  # noqa: DTZ001
        ("20250101T0900", (datetime(2025, 1, 1, 9), False)),  # noqa: DTZ001
        ("20250101", (date(2025, 1, 1), False)),
        ("20250101T090000,20250102T090000", (datetime(2025, 1, 1, 9), False)),  # noqa: DTZ001
        ("20251301T090000", None),
        ("20250101'", None),
        ("20250101T0900000", None),
        ("soon", None),
        ("2" * 5000, None),
    ],
)
def test_parse_date_time(value: str, expected: tuple[date, bool] | None) -> None:
    parsed = parse_date_time(ContentLine("DTSTART", {}, value))

    assert (None if parsed is None else (parsed.value, parsed.utc)) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("20250101", date(2025, 1, 1)), ("20250101T000000", date(2025, 1, 1)), ("20250101'", None)],
)
def test_parse_date_time_with_value_date(value: str, expected: date | None) -> None:
    parsed = parse_date_time(ContentLine("DTSTART", {"VALUE": "DATE"}, value))

    assert (None if parsed is None else parsed.value) == expected


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
        ("PT" + "9" * 5000 + "H", None),
    ],
)
def test_parse_duration(text: str, expected: Duration | None) -> None:
    assert parse_duration(text) == expected
