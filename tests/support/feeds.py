"""The project's own small feeds (``tests/core/feed/feeds``), written for the tests.

Each file shows quirks of real feeds (``feeds/README.md`` lists them); they are the importer's
first line of tests and need nothing outside the repository.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sessionclock.core.errors import FeedError
from sessionclock.core.feed import importer
from sessionclock.core.feed.importer import ImportResult, import_feed

FEEDS = Path(__file__).resolve().parents[1] / "core" / "feed" / "feeds"


def feed_path(name: str) -> Path:
    """Return the path of the feed *name* (``outlook_exchange.ics``)."""
    path = FEEDS / name
    if not path.is_file():
        raise FileNotFoundError(path)
    return path


def feed(name: str) -> bytes:
    """Return the bytes of the feed *name*."""
    return feed_path(name).read_bytes()


_START_DATE_RE = re.compile(rb"DTSTART[^:\r\n]{0,200}:(\d{4})(\d{2})(\d{2})", re.I)


def windows_around_starts(data: bytes, count: int = 3) -> list[tuple[datetime, datetime]]:
    """Return 14-day windows, as a sync reads, around the first *count* start dates in *data*."""
    windows: list[tuple[datetime, datetime]] = []
    for match in _START_DATE_RE.finditer(data):
        year, month, day_of_month = (int(part) for part in match.groups())
        try:
            day = datetime(year, month, day_of_month, tzinfo=UTC)
        except ValueError:
            continue
        window = (day - timedelta(days=1), day + timedelta(days=14))
        if window not in windows:
            windows.append(window)
        if len(windows) == count:
            break
    return windows


def import_in_window(
    data: bytes, *, window: tuple[datetime, datetime], pass_over: bool = True
) -> ImportResult | str:
    """Return the import of *data* in *window* (or its error message).

    With *pass_over* False the whole feed is unfolded and read line by line, as a feed without
    line ends of its own is: the reference for passing over events outside the window.
    """
    with pytest.MonkeyPatch.context() as patch:
        if not pass_over:
            patch.setattr(importer, "line_end", lambda _data: b"")
        try:
            return import_feed(data, tz=UTC, window=window)
        except FeedError as error:
            return str(error)


def windows_changed_by_passing_over(data: bytes) -> list[tuple[datetime, datetime]]:
    """Return the windows around the starts in *data* in which passing over events outside the
    window gives another result than reading the whole feed line by line (none, it should be)."""
    return [
        window
        for window in windows_around_starts(data)
        if import_in_window(data, window=window)
        != import_in_window(data, window=window, pass_over=False)
    ]
