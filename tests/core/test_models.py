"""The Session value refuses what a clock cannot show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sessionclock.core.models import Session


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        Session("A", datetime(2026, 1, 1, 9), datetime(2026, 1, 1, 10, tzinfo=UTC))  # noqa: DTZ001


def test_end_must_be_after_start() -> None:
    start = datetime(2026, 1, 1, 9, tzinfo=UTC)
    with pytest.raises(ValueError, match="end after"):
        Session("A", start, start)


def test_booked_length_is_real_time_across_dst() -> None:
    tz = ZoneInfo("Europe/London")
    session = Session(
        "A", datetime(2026, 3, 29, 0, 30, tzinfo=tz), datetime(2026, 3, 29, 2, 30, tzinfo=tz)
    )
    assert session.booked_length == timedelta(hours=1)


def test_repr_never_shows_the_client_name() -> None:
    session = Session(
        "Marker Name", datetime(2026, 1, 1, 9, tzinfo=UTC), datetime(2026, 1, 1, 10, tzinfo=UTC)
    )
    assert "Marker" not in repr(session)
