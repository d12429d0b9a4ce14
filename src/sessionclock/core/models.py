"""Immutable values shared by every layer: sessions and where they came from."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta


class SessionSource(enum.StrEnum):
    """Where a session came from; a calendar sync never removes a manual one."""

    MANUAL = "manual"
    CALENDAR = "calendar"


@dataclass(frozen=True, slots=True)
class Session:
    """One booked session with a client.

    Attributes:
        client_name: the name as booked (may be a reduced form or a placeholder).
        start: the booked start, timezone-aware.
        end: the booked end, timezone-aware and after ``start``.
        source: whether the practitioner typed it or a calendar sync brought it.
        actual_start: when the practitioner pressed Start, if they did.
        actual_end: when the practitioner pressed End, if they did.
        extra_minutes: minutes added with "+5 min"; the booked end stays as booked.
        id: the store's id; ``None`` until the session is saved.
    """

    client_name: str = field(repr=False)
    start: datetime
    end: datetime
    source: SessionSource = SessionSource.MANUAL
    actual_start: datetime | None = None
    actual_end: datetime | None = None
    extra_minutes: int = 0
    id: int | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        for name in ("start", "end", "actual_start", "actual_end"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise ValueError(f"Session.{name} must be timezone-aware")
        if _utc(self.end) <= _utc(self.start):
            raise ValueError("A session must end after it starts")
        if self.extra_minutes < 0:
            raise ValueError("extra_minutes cannot be negative")

    @property
    def booked_length(self) -> timedelta:
        """Return the booked length, measured in real (UTC) time."""
        return _utc(self.end) - _utc(self.start)

    def with_changes(self, **changes: object) -> Session:
        """Return a copy with *changes* applied (validated again)."""
        return replace(self, **changes)  # type: ignore[arg-type]


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class StoredSpan:
    """How many sessions an account keeps, and the time they cover (for the privacy page).

    Attributes:
        count: the number of sessions stored.
        first_start: the earliest start (UTC), or None when there are none.
        last_end: the latest end (UTC), or None when there are none.
    """

    count: int
    first_start: datetime | None
    last_end: datetime | None
