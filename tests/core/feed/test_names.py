"""Names carry no contact details, free/busy feeds are recognised, and support sees initials."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sessionclock.core.feed.importer import SkipReason, import_feed
from sessionclock.core.feed.names import (
    Platform,
    free_busy_advice,
    initials,
    is_busy_word,
    platform_of,
    scrub_contact_details,
)
from tests.support.feeds import feed


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Jo Smith (jo.smith@example.com)", "Jo Smith"),
        ("E-Mail: jo@example.com Jo", "Jo"),
        ("Jo mailto:jo@example.com", "Jo"),
        ("Sam Patel - 07700 900123 - Deep tissue 60", "Sam Patel - - Deep tissue 60"),
        ("Call +1 (555) 010-0100 Sam", "Call Sam"),
        ("Jo 555-0100", "Jo"),
        ("Jane 06 12 34 56 78", "Jane"),
        ("Kim (Tel. +44 20 7946 0958)", "Kim"),
        ("Ana https://zoom.us/j/5551234567?pwd=abc", "Ana"),
        ("Ana zoom.us/j/99887766", "Ana"),
        ("Lee www.example.org", "Lee"),
        ("Max tel:+4930123456", "Max"),
    ],
)
def test_contact_details_are_removed(name: str, expected: str) -> None:
    assert scrub_contact_details(name) == (expected, True)


@pytest.mark.parametrize(
    "name",
    [
        "Massage 60 90 120",
        "Alex 10:00-11:00",
        "Alex 09.00-10.30",
        "Session 2025-06-10 Maria",
        "Week 2 (18/11/2020)",
        "Check-in: Crestview Hotel",
        "Dr.Smith",
        "Room 12, 3 pm",
        "Smith, Jo – Deep tissue 90",
        "",
    ],
)
def test_times_dates_and_ordinary_names_are_kept(name: str) -> None:
    assert scrub_contact_details(name) == (name, False)


def test_the_import_removes_contact_details_and_says_so() -> None:
    result = import_feed(feed("contact_details_in_names.ics"), tz=UTC)

    assert [s.name for s in result.sessions] == [
        "Jo Smith",
        "Sam Patel - - Deep tissue 60",
        "Ana Lima, video",
        "Follow-up Kim",
        "Massage 60 90 120 - 10:00-11:00 - 2025-06-02",
    ]
    # Skipped events are shown too, so their names are scrubbed as well.
    assert [(s.name, s.reason) for s in result.skipped] == [("Weekly Lee", SkipReason.REPEATING)]
    assert result.names_scrubbed == 5
    assert (
        "Phone numbers, e-mail addresses or links were removed from 5 names: Session Clock "
        "never keeps contact details." in result.warnings
    )
    assert "example" not in repr([s.name for s in result.sessions])


def test_initials_only() -> None:
    assert initials("Smith, Jo – Massage 60") == "S. J. M."
    assert initials("Zoë Renée Müller") == "Z. R. M."
    assert initials("O'Brien-Hart") == "O."
    assert initials("") == ""


@pytest.mark.parametrize(
    ("prodid", "platform"),
    [
        ("-//Google Inc//Google Calendar 70.9054//EN", Platform.GOOGLE),
        ("Microsoft Exchange Server 2010", Platform.MICROSOFT),
        ("-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN", Platform.MICROSOFT),
        ("-//caldav.icloud.com//CALDAVJ 2512B153//EN", Platform.APPLE),
        ("-//Apple Inc.//macOS 15.0//EN", Platform.APPLE),
        ("-//Jane App//Calendar//EN", Platform.OTHER),
        (None, Platform.OTHER),
    ],
)
def test_platform_from_prodid(prodid: str | None, platform: Platform) -> None:
    assert platform_of(prodid) is platform


def test_busy_words() -> None:
    assert all(is_busy_word(w) for w in ("Busy", " busy ", "Upptagen", "Beschäftigt", "[Busy]"))
    assert not any(is_busy_word(w) for w in ("Busy Bee Cleaning", "Jo", ""))


def _busy_feed(prodid: str, *summaries: str) -> bytes:
    events = "".join(
        f"BEGIN:VEVENT\r\nSUMMARY:{summary}\r\nDTSTART:2025060{day}T090000Z\r\n"
        f"DTEND:2025060{day}T100000Z\r\nEND:VEVENT\r\n"
        for day, summary in enumerate(summaries, start=1)
    )
    return f"BEGIN:VCALENDAR\r\nPRODID:{prodid}\r\n{events}END:VCALENDAR\r\n".encode()


@pytest.mark.parametrize(
    ("prodid", "needle"),
    [
        ("-//Google Inc//Google Calendar 70.9054//EN", "Secret address in iCal format"),
        ("-//caldav.icloud.com//CALDAVJ 2512B153//EN", "Public Calendar"),
        ("-//Jane App//Calendar//EN", "private calendar (iCal) address"),
    ],
)
def test_a_free_busy_feed_is_explained_for_its_platform(prodid: str, needle: str) -> None:
    result = import_feed(_busy_feed(prodid, "Busy", "Busy", "busy"), tz=UTC)

    assert result.free_busy is not None and needle in result.free_busy
    assert result.free_busy in result.warnings


def test_an_outlook_availability_only_feed_is_explained() -> None:
    result = import_feed(feed("outlook_availability_only.ics"), tz=UTC)

    assert result.free_busy == free_busy_advice(Platform.MICROSOFT)
    assert "Can view titles and locations" in result.free_busy


def test_a_feed_with_one_real_name_is_not_free_busy() -> None:
    result = import_feed(
        _busy_feed("-//Google Inc//Google Calendar 70.9054//EN", "Busy", "Jo Smith"), tz=UTC
    )

    assert result.free_busy is None
    assert not any("Busy" in warning for warning in result.warnings)


def test_a_free_busy_feed_is_recognised_when_no_event_is_in_the_window() -> None:
    window = (datetime(2030, 1, 1, tzinfo=UTC), datetime(2030, 1, 15, tzinfo=UTC))

    result = import_feed(
        _busy_feed("-//Google Inc//Google Calendar 70.9054//EN", "Busy", "Busy"),
        tz=UTC,
        window=window,
    )

    assert result.sessions == ()
    assert result.free_busy is not None
