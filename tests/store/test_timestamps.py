"""Aware datetimes come back from the store equal to what was written, in the same zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from importlib import resources
from zoneinfo import ZoneInfo

import pytest

from sessionclock.core.errors import StorageError
from sessionclock.core.models import Session
from sessionclock.core.timestamps import from_stored, to_utc, zone_label
from sessionclock.store import AccountRepository

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")

CASES = {
    # Europe/Berlin springs forward at 02:00 on 2026-03-29: 01:30 CET, then 03:30 CEST.
    "berlin-spring-forward": (datetime(2026, 3, 29, 1, 30, tzinfo=BERLIN), timedelta(hours=1)),
    # New York falls back at 02:00 on 2026-11-01: 01:30 happens twice.
    "new-york-first-1:30": (datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK), timedelta(hours=1)),
    "new-york-second-1:30": (
        datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NEW_YORK),
        timedelta(minutes=45),
    ),
    "kathmandu": (
        datetime(2026, 7, 1, 9, 15, tzinfo=ZoneInfo("Asia/Kathmandu")),
        timedelta(hours=1),
    ),
    "lord-howe-half-hour-dst": (
        datetime(2026, 4, 5, 1, 45, tzinfo=ZoneInfo("Australia/Lord_Howe")),
        timedelta(hours=1),
    ),
    "utc": (datetime(2026, 1, 1, 23, 30, tzinfo=UTC), timedelta(hours=1)),
    "fixed-offset": (
        datetime(2026, 1, 1, 9, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        timedelta(hours=1),
    ),
    "negative-offset": (
        datetime(2026, 1, 1, 9, tzinfo=timezone(-timedelta(hours=3, minutes=30))),
        timedelta(hours=1),
    ),
}


def _same(a: datetime, b: datetime) -> bool:
    """Same instant, same wall time, same offset and same zone (fold included via the offset)."""
    return (
        a.astimezone(UTC) == b.astimezone(UTC)
        and a.replace(tzinfo=None) == b.replace(tzinfo=None)
        and a.utcoffset() == b.utcoffset()
        and zone_label(a) == zone_label(b)
    )


@pytest.mark.parametrize(("start", "length"), list(CASES.values()), ids=list(CASES))
def test_session_times_round_trip_through_the_store(
    repo: AccountRepository, start: datetime, length: timedelta
) -> None:
    end = (start.astimezone(UTC) + length).astimezone(start.tzinfo)
    session = Session(
        client_name="Ada",
        start=start,
        end=end,
        actual_start=start + timedelta(minutes=2),
        actual_end=end.astimezone(BERLIN),
    )
    saved = repo.add(session)
    loaded = repo.get(saved.id or -1)
    assert loaded is not None
    for name in ("start", "end", "actual_start", "actual_end"):
        written, read = getattr(session, name), getattr(loaded, name)
        assert _same(written, read), name
    assert loaded.booked_length == length


def test_the_repeated_hour_keeps_both_instants_apart(repo: AccountRepository) -> None:
    first = datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK)
    second = first.replace(fold=1)
    # Wall-clock arithmetic would drop the fold, so compute the ends in UTC.
    twenty = timedelta(minutes=20)
    a = repo.add(Session(client_name="First", start=first, end=first.astimezone(UTC) + twenty))
    b = repo.add(Session(client_name="Second", start=second, end=second.astimezone(UTC) + twenty))
    loaded = {s.client_name: s for s in repo.sessions_between(first, second + timedelta(hours=1))}
    assert loaded["First"].start.utcoffset() == timedelta(hours=-4)
    assert loaded["Second"].start.utcoffset() == timedelta(hours=-5)
    assert (loaded["First"].id, loaded["Second"].id) == (a.id, b.id)


@pytest.mark.parametrize(
    ("offset", "label"),
    [
        (timedelta(0), "+00:00"),
        (timedelta(hours=5, minutes=45), "+05:45"),
        (-timedelta(hours=9, minutes=30), "-09:30"),
        (timedelta(minutes=19, seconds=32), "+00:19:32"),
        (-timedelta(seconds=1, microseconds=5), "-00:00:01.000005"),
    ],
)
def test_fixed_offsets_are_labelled_and_read_back(offset: timedelta, label: str) -> None:
    value = datetime(2026, 1, 1, 12, tzinfo=timezone(offset))
    assert zone_label(value) == label
    assert from_stored(to_utc(value), label).utcoffset() == offset


def test_a_zoneinfo_without_a_name_is_stored_as_its_offset() -> None:
    with resources.files("tzdata.zoneinfo").joinpath("Europe/Berlin").open("rb") as f:
        unnamed = ZoneInfo.from_file(f)
    value = datetime(2026, 7, 1, 12, tzinfo=unnamed)
    assert zone_label(value) == "+02:00"


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        to_utc(datetime(2026, 1, 1))  # noqa: DTZ001
    with pytest.raises(ValueError, match="aware"):
        zone_label(datetime(2026, 1, 1))  # noqa: DTZ001


def test_an_unknown_stored_zone_is_a_storage_error() -> None:
    with pytest.raises(StorageError, match="unknown time zone"):
        from_stored(datetime(2026, 1, 1), "Mars/Olympus_Mons")  # noqa: DTZ001
