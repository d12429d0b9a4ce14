"""The one place that reads the wall clock.

Everything else receives a Clock (or a ``now`` argument) so that tests can fix time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Protocol


class Clock(Protocol):
    """A source of the current time."""

    def now(self) -> datetime:
        """Return the current time, always timezone-aware."""
        ...

    def zone(self) -> tzinfo:
        """Return the practitioner's local zone."""
        ...


class SystemClock:
    """The real clock: the computer's time in its local zone (or a configured zone).

    The computer's zone is read once, on first use (reading it costs milliseconds, and the clock
    is asked every second); a change of the computer's zone takes effect at the next start.
    """

    def __init__(self, tz: tzinfo | None = None) -> None:
        self._tz = tz

    def now(self) -> datetime:
        """Return the current time in the practitioner's zone."""
        return datetime.now(self.zone())

    def zone(self) -> tzinfo:
        """Return the practitioner's zone."""
        if self._tz is None:
            self._tz = local_zone()
        return self._tz


def local_zone() -> tzinfo:
    """Return the computer's zone as an IANA zone (tzlocal reads it on Windows, macOS and Linux)."""
    import tzlocal

    return tzlocal.get_localzone()


@dataclass
class FixedClock:
    """A clock that only moves when told to; for tests and renders.

    Attributes:
        current: the time ``now()`` returns; must be aware.
    """

    current: datetime

    def __post_init__(self) -> None:
        if self.current.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")

    def now(self) -> datetime:
        """Return the fixed time."""
        return self.current

    def zone(self) -> tzinfo:
        """Return the zone of the fixed time."""
        tz = self.current.tzinfo
        assert tz is not None
        return tz

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward by *delta*."""
        self.current = self.current + delta
