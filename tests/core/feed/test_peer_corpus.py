"""The corpus layer: 1,220 test calendars of 20 public projects (``../shared/peer-ics``).

Every file is read without a crash (a calendar, or the project's own plain error), and without a
privacy flag: every imported name is the SUMMARY of one of the file's events (as icalendar reads
it, an independent parser), carries no contact details, and is not the name of events that are
all repeating or cancelled. Runs when the corpus is beside the repository, skips with a reason
when it is not, and is required when ``CI=true``.
"""

from __future__ import annotations

import re
import warnings
from datetime import UTC
from pathlib import Path

import icalendar
import pytest

from sessionclock.core.errors import FeedError
from sessionclock.core.feed.importer import ImportResult, import_feed
from sessionclock.core.feed.names import MAX_NAME_LENGTH, scrub_contact_details, shorten
from tests.support.corpus import corpus_files, file_id, require
from tests.support.feeds import windows_changed_by_passing_over

pytestmark = pytest.mark.corpus("peer-ics")

FILES = [path for path in corpus_files("peer-ics", "*") if path is None or path.suffix != ".md"]
_SERIES = ("RRULE", "RDATE", "EXRULE", "RECURRENCE-ID")


def _skeleton(text: str) -> str:
    """Return the ASCII letters and digits of *text*: the same name however it was decoded."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _as_imported(summary: object) -> str:
    """Return a SUMMARY as icalendar read it, turned into a name the way the importer does."""
    name, _ = scrub_contact_details(" ".join(str(summary).split()))
    return _skeleton(shorten(name)[0])


def _oracle(data: bytes) -> dict[str, list[bool]] | None:
    """Return, by name, whether each event icalendar finds is repeating or cancelled; None when
    icalendar cannot read the file."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            calendars = icalendar.Calendar.from_ical(data, multiple=True)
    except Exception:  # icalendar refuses many damaged files the importer reads
        return None
    found: dict[str, list[bool]] = {}
    for calendar in calendars:
        for event in calendar.walk("VEVENT"):
            status = str(event.get("STATUS", "")).strip().upper()
            skipped = any(key in event for key in _SERIES) or status in ("CANCELLED", "CANCELED")
            found.setdefault(_as_imported(event.get("SUMMARY", "")), []).append(skipped)
    return found


def test_corpus_is_complete() -> None:
    assert len([p for p in require("peer-ics").rglob("*") if p.is_file()]) == 1221


@pytest.mark.parametrize("path", FILES, ids=file_id)
def test_every_file_is_read_without_a_crash_or_a_privacy_flag(path: Path | None) -> None:
    require("peer-ics")
    assert path is not None
    data = path.read_bytes()
    try:
        result: ImportResult | FeedError = import_feed(data, tz=UTC)
    except FeedError as error:
        result = error
    if isinstance(result, FeedError):
        assert str(result)  # a plain message, such as "not a calendar"
        return

    names = [s.name for s in result.sessions] + [s.name for s in result.skipped if s.name]
    for session in result.sessions:
        assert session.start.tzinfo is not None and session.end > session.start
    for name in names:
        assert scrub_contact_details(name) == (name, False), "contact details in a name"
        assert len(name) <= MAX_NAME_LENGTH
        assert not any(len(name) >= 6 and name in warning for warning in result.warnings)
    oracle = _oracle(data) if result.sessions else None
    if oracle is None:
        return
    for session in result.sessions:
        events = oracle.get(_skeleton(session.name))
        assert events is not None, "an imported name that is no event's SUMMARY"
        assert not all(events), "a repeating or cancelled event was imported"


@pytest.mark.parametrize("path", FILES, ids=file_id)
def test_passing_over_events_outside_a_window_changes_nothing(path: Path | None) -> None:
    require("peer-ics")
    assert path is not None

    assert windows_changed_by_passing_over(path.read_bytes()) == []
