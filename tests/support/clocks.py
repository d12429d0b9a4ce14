"""A clock for tests that runs in real time from a chosen moment."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, tzinfo


class RunningClock:
    """Starts at *start* and runs on with the computer's monotonic clock.

    For tests where time must pass for real (the second ticker, a countdown that moves) on a day
    the test chose.
    """

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("RunningClock needs an aware datetime")
        self._start = start
        self._started = time.monotonic()

    def now(self) -> datetime:
        """Return the start plus the time passed since."""
        return self._start + timedelta(seconds=time.monotonic() - self._started)

    def zone(self) -> tzinfo:
        """Return the zone of the start."""
        tz = self._start.tzinfo
        assert tz is not None
        return tz
