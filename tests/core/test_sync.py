"""Planning a sync: new, moved, removed and unchanged; manual sessions are never touched."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sessionclock.core.feed.importer import ImportedSession, ImportResult, import_feed
from sessionclock.core.feed.names import Platform, free_busy_advice
from sessionclock.core.models import Session, SessionSource
from sessionclock.core.sync import TRUNCATED_WARNING, changes_for, import_window, plan_sync
from tests.support.feeds import feed as small_feed

TZ = ZoneInfo("America/Chicago")
CAL = SessionSource.CALENDAR


def at(hour: int, minute: int = 0, day: int = 10) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


WINDOW = import_window(at(8), tz=TZ, days_ahead=14)


def feed(*sessions: ImportedSession, truncated: bool = False) -> ImportResult:
    return ImportResult(sessions=sessions, skipped=(), warnings=(), truncated=truncated)


def test_import_window_is_yesterday_to_fourteen_days_ahead() -> None:
    start, end = WINDOW
    assert start == datetime(2026, 11, 9, tzinfo=TZ)
    assert end == datetime(2026, 11, 25, tzinfo=TZ)
    assert start.date() == date(2026, 11, 9)


def test_new_moved_removed_unchanged() -> None:
    stored = (
        Session("Ann", at(9), at(10), source=CAL, id=1),
        Session("Ben", at(11), at(12), source=CAL, id=2),
        Session("Cat", at(13), at(14), source=CAL, id=3),
        Session("Manual Mo", at(15), at(16), id=4),
    )
    result = feed(
        ImportedSession("Ann", at(9), at(10)),
        ImportedSession("Ben", at(11, 30), at(12, 30)),
        ImportedSession("Dan", at(17), at(18)),
    )
    plan = plan_sync(result, stored, window=WINDOW)
    assert [s.id for s in plan.unchanged] == [1]
    assert [(m.stored.id, m.imported.start) for m in plan.moved] == [(2, at(11, 30))]
    assert [s.id for s in plan.removed] == [3]  # the manual session is never removed
    assert [s.name for s in plan.new] == ["Dan"]
    assert plan.has_changes

    changes = changes_for(plan)
    assert [s.client_name for s in changes.add] == ["Dan"]
    assert changes.add[0].source is CAL
    assert [(s.id, s.start, s.end) for s in changes.update] == [(2, at(11, 30), at(12, 30))]
    assert changes.remove_ids == (3,)


def test_unticked_items_are_left_alone() -> None:
    stored = (Session("Cat", at(13), at(14), source=CAL, id=3),)
    result = feed(ImportedSession("Dan", at(17), at(18)), ImportedSession("Eve", at(19), at(20)))
    plan = plan_sync(result, stored, window=WINDOW)
    changes = changes_for(plan, new=[1], removed=[])
    assert [s.client_name for s in changes.add] == ["Eve"]
    assert changes.remove_ids == ()


def test_an_identical_manual_session_counts_as_already_there() -> None:
    stored = (Session("Ann", at(9), at(10), id=1),)
    plan = plan_sync(feed(ImportedSession("Ann", at(9), at(10))), stored, window=WINDOW)
    assert not plan.has_changes
    assert [s.id for s in plan.unchanged] == [1]


def test_a_manual_session_with_the_same_name_is_not_moved() -> None:
    stored = (Session("Ann", at(9), at(10), id=1),)
    plan = plan_sync(feed(ImportedSession("Ann", at(11), at(12))), stored, window=WINDOW)
    assert plan.moved == ()
    assert [s.name for s in plan.new] == ["Ann"]


def test_two_sessions_with_one_name_move_to_the_closest() -> None:
    stored = (
        Session("Ann", at(9), at(10), source=CAL, id=1),
        Session("Ann", at(9, day=12), at(10, day=12), source=CAL, id=2),
    )
    result = feed(
        ImportedSession("Ann", at(9, day=10), at(10, day=10)),
        ImportedSession("Ann", at(14, day=12), at(15, day=12)),
    )
    plan = plan_sync(result, stored, window=WINDOW)
    assert [s.id for s in plan.unchanged] == [1]
    assert [m.stored.id for m in plan.moved] == [2]


def test_sessions_outside_the_window_are_neither_imported_nor_removed() -> None:
    old = Session("Old", at(9, day=1), at(10, day=1), source=CAL, id=1)
    far = ImportedSession("Far", at(9, day=28), at(10, day=28))
    plan = plan_sync(feed(far), (old,), window=WINDOW)
    assert not plan.has_changes


def test_a_truncated_feed_removes_nothing() -> None:
    stored = (Session("Cat", at(13), at(14), source=CAL, id=3),)
    plan = plan_sync(feed(truncated=True), stored, window=WINDOW)
    assert plan.removed == ()
    assert TRUNCATED_WARNING in plan.warnings


def test_same_instant_in_another_zone_is_unchanged() -> None:
    stored = (Session("Ann", at(9), at(10), source=CAL, id=1),)
    utc = ZoneInfo("UTC")
    imported = ImportedSession("Ann", at(9).astimezone(utc), at(10).astimezone(utc))
    plan = plan_sync(feed(imported), stored, window=WINDOW)
    assert not plan.has_changes
    assert plan.window[1] - plan.window[0] == timedelta(days=16)


def _event(summary: bytes, day: int, tzid: bytes = b"America/Chicago") -> bytes:
    times = b"".join(
        b"%s;TZID=%s:202611%02dT%s\r\n" % (name, tzid, day, hour)
        for name, hour in ((b"DTSTART", b"090000"), (b"DTEND", b"100000"))
    )
    return b"BEGIN:VEVENT\r\nSUMMARY:" + summary + b"\r\n" + times + b"END:VEVENT\r\n"


def test_changed_names_and_free_busy_are_told_apart_from_the_warnings() -> None:
    data = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
        + _event(b"Jo Smith (jo.smith@example.com)", 10)
        + _event(b"Sam Patel 07700 900123", 11)
        + _event(b"A" * 250, 12)
        + _event(b"Zo\xeb Martin", 13)  # Windows-1252
        + _event(b"Lee Park", 14, tzid=b"Nowhere/Unknown")
        + b"END:VCALENDAR\r\n"
    )
    result = import_feed(data, tz=TZ, window=WINDOW)
    assert (result.names_scrubbed, result.names_shortened) == (2, 1)

    plan = plan_sync(result, (), window=WINDOW)

    assert (plan.names_scrubbed, plan.names_shortened, plan.free_busy) == (2, 1, None)
    assert plan.names_note() == (
        "Phone numbers, e-mail addresses and links were removed from 2 names: Session Clock "
        "never keeps contact details. 1 name was longer than 200 characters and was shortened."
    )
    # Every other warning stays, and no warning repeats what the note says.
    assert len(plan.warnings) == len(result.warnings) - 2 >= 2
    assert set(plan.warnings) < set(result.warnings)
    assert not any("names" in warning for warning in plan.warnings)


def test_a_free_busy_address_is_carried_as_advice_not_as_a_warning() -> None:
    window = (datetime(2000, 1, 1, tzinfo=TZ), datetime(2100, 1, 1, tzinfo=TZ))
    result = import_feed(small_feed("outlook_availability_only.ics"), tz=TZ, window=window)

    plan = plan_sync(result, (), window=window)

    assert plan.free_busy == free_busy_advice(Platform.MICROSOFT)
    assert plan.free_busy not in plan.warnings
    assert plan.names_note() is None


@pytest.mark.parametrize(
    ("scrubbed", "shortened", "note"),
    [
        (0, 0, None),
        (1, 0, "Phone numbers, e-mail addresses and links were removed from 1 name: "),
        (3, 0, "Phone numbers, e-mail addresses and links were removed from 3 names: "),
        (0, 2, "2 names were longer than 200 characters and were shortened."),
    ],
)
def test_the_names_note_counts_in_plain_words(
    scrubbed: int, shortened: int, note: str | None
) -> None:
    result = ImportResult(
        sessions=(),
        skipped=(),
        warnings=(),
        names_scrubbed=scrubbed,
        names_shortened=shortened,
    )
    said = plan_sync(result, (), window=WINDOW).names_note()
    assert said == note if note is None else said is not None and said.startswith(note)
