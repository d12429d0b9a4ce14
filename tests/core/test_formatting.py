"""Text the clock shows."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sessionclock.core.formatting import (
    day_bounds,
    first_sentence,
    format_countdown,
    format_minutes,
    format_span,
    format_time,
    initials,
)

TZ = ZoneInfo("Australia/Sydney")


@pytest.mark.parametrize(
    ("value", "seconds", "text"),
    [
        (timedelta(minutes=12, seconds=5), True, "12:05"),
        (timedelta(seconds=59), True, "00:59"),
        (timedelta(hours=1, minutes=2, seconds=5), True, "1:02:05"),
        (timedelta(minutes=-3), True, "03:00"),
        (timedelta(seconds=30), False, "1 min"),
        (timedelta(minutes=10), False, "10 min"),
        (timedelta(minutes=10, seconds=1), False, "11 min"),
        (timedelta(hours=2, minutes=5), False, "2 h 05 min"),
        (timedelta(0), False, "0 min"),
    ],
)
def test_format_countdown(value: timedelta, seconds: bool, text: str) -> None:
    assert format_countdown(value, show_seconds=seconds) == text


def test_format_time_in_12_and_24_hours() -> None:
    value = datetime(2026, 1, 5, 14, 5, tzinfo=TZ)
    assert format_time(value, tz=TZ) == "14:05"
    assert format_time(value, tz=TZ, use_24h=False) == "2:05 PM"
    assert format_time(value.replace(hour=0), tz=TZ, use_24h=False) == "12:05 AM"
    assert format_time(value.replace(hour=12), tz=TZ, use_24h=False) == "12:05 PM"


def test_format_span_marks_a_span_crossing_midnight() -> None:
    start = datetime(2026, 1, 5, 23, 0, tzinfo=TZ)
    assert format_span(start, start + timedelta(hours=1), tz=TZ) == "23:00–00:00 (+1 day)"
    assert format_span(start, start + timedelta(minutes=30), tz=TZ) == "23:00–23:30"


def test_format_minutes() -> None:
    assert format_minutes(timedelta(minutes=5)) == "5 min"
    assert format_minutes(timedelta(minutes=80)) == "1 h 20 min"
    assert format_minutes(timedelta(hours=2)) == "2 h"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("Ann-Marie O'Neil", "A.O."),
        ("smith, john", "S.J."),
        ("Zoë", "Z."),
        ("", "—"),
        ("  ", "—"),
        ("Mary Ann Lee Kim", "M.A.L."),
    ],
)
def test_initials(name: str, text: str) -> None:
    assert initials(name) == text


def test_day_bounds_on_dst_days_are_23_and_25_hours() -> None:
    start, end = day_bounds(date(2026, 4, 5), TZ)  # Sydney leaves DST
    assert (end - start.astimezone(ZoneInfo("UTC"))).total_seconds() == 25 * 3600
    start, end = day_bounds(date(2026, 10, 4), TZ)  # Sydney enters DST
    assert (end - start.astimezone(ZoneInfo("UTC"))).total_seconds() == 23 * 3600


@pytest.mark.parametrize(
    ("text", "first"),
    [
        (
            "The system's key store is locked. Session Clock keeps its key in the desktop's key "
            "store: make sure it is unlocked, then try again.",
            "The system's key store is locked.",
        ),
        (
            "The booking platform refused the calendar address (error 404). The address may have "
            "been reset.",
            "The booking platform refused the calendar address (error 404).",
        ),
        ("The calendar sync was cancelled.", "The calendar sync was cancelled."),
        ("Copy it from clinic.janeapp.com instead", "Copy it from clinic.janeapp.com instead"),
        ("", ""),
    ],
)
def test_first_sentence(text: str, first: str) -> None:
    assert first_sentence(text) == first
