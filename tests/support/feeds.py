"""The project's own small feeds (``tests/core/feed/feeds``), written for the tests.

Each file shows quirks of real feeds (``feeds/README.md`` lists them); they are the importer's
first line of tests and need nothing outside the repository.
"""

from __future__ import annotations

from pathlib import Path

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
