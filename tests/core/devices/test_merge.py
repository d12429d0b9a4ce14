"""Merging versions of a record: the newest wins, actual times are never lost, and any set of
versions merges to the same record whatever order it arrives in (property tests)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import reduce

from hypothesis import given, settings
from hypothesis import strategies as st

from sessionclock.core.devices.hlc import Hlc
from sessionclock.core.devices.merge import Version, merge, merge_all
from sessionclock.core.devices.records import (
    CalendarRecord,
    RecordKind,
    Tombstone,
)
from sessionclock.core.models import Session, SessionSource
from sessionclock.core.preferences import SyncPreferences

START = datetime(2026, 11, 10, 9, tzinfo=UTC)
NODES = ["a" * 16, "b" * 16, "c" * 16]

moments = st.one_of(st.none(), st.integers(0, 120).map(lambda m: START + timedelta(minutes=m)))
sessions = st.builds(
    lambda name, start_min, actual_start, actual_end, extra, source: Session(
        name,
        START + timedelta(minutes=start_min),
        START + timedelta(minutes=start_min + 60),
        source=source,
        actual_start=actual_start,
        actual_end=actual_end,
        extra_minutes=extra,
    ),
    st.sampled_from(["Ada", "Grace", "Katherine"]),
    st.integers(0, 30),
    moments,
    moments,
    st.sampled_from([0, 5, 10]),
    st.sampled_from(list(SessionSource)),
)
tombstones = st.builds(
    lambda actual_start, actual_end, extra: Tombstone(
        RecordKind.SESSION, actual_start=actual_start, actual_end=actual_end, extra_minutes=extra
    ),
    moments,
    moments,
    st.sampled_from([0, 5]),
)
stamps = st.builds(Hlc, st.integers(0, 50), st.integers(0, 3), st.sampled_from(NODES))


@st.composite
def version_sets(draw: st.DrawFn) -> list[Version]:
    """Distinct versions of one session record (a timestamp is one change of one device)."""
    chosen = draw(st.lists(stamps, min_size=1, max_size=6, unique=True))
    return [Version(stamp, draw(st.one_of(sessions, tombstones))) for stamp in chosen]


@settings(max_examples=300, deadline=None)
@given(version_sets(), st.randoms(use_true_random=False))
def test_any_order_of_arrival_merges_to_the_same_record(
    versions: list[Version], rng: object
) -> None:
    shuffled = list(versions)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    assert merge_all(shuffled) == merge_all(versions)
    # Also when devices merged parts of the set first and then exchanged the results.
    half = len(shuffled) // 2
    if half:
        parts = merge(merge_all(shuffled[:half]), merge_all(shuffled[half:]))
        assert parts == merge_all(versions)


@settings(max_examples=300, deadline=None)
@given(version_sets())
def test_the_newest_version_wins_and_no_actual_time_is_lost(versions: list[Version]) -> None:
    merged = merge_all(versions)
    newest = max(versions, key=lambda v: v.version)
    assert merged.version == newest.version
    assert type(merged.payload) is type(newest.payload)
    payload = merged.payload
    assert isinstance(payload, Session | Tombstone)
    said = [v.payload for v in versions if isinstance(v.payload, Session | Tombstone)]
    starts = [p.actual_start for p in said if p.actual_start is not None]
    ends = [p.actual_end for p in said if p.actual_end is not None]
    assert payload.actual_start == (min(starts) if starts else None)
    assert payload.actual_end == (max(ends) if ends else None)
    assert payload.extra_minutes == max(p.extra_minutes for p in said)
    if isinstance(newest.payload, Session):
        assert isinstance(payload, Session)
        assert (payload.client_name, payload.start, payload.end) == (
            newest.payload.client_name,
            newest.payload.start,
            newest.payload.end,
        )


@settings(deadline=None)
@given(version_sets())
def test_merging_is_idempotent(versions: list[Version]) -> None:
    merged = merge_all(versions)
    assert merge(merged, merged) == merged
    assert reduce(merge, [*versions, merged]) == merged


def test_start_on_one_device_and_a_rename_on_the_other_both_survive() -> None:
    booked = Session("Ada", START, START + timedelta(hours=1))
    started = Version(Hlc(10, 0, NODES[0]), booked.with_changes(actual_start=START))
    renamed = Version(Hlc(11, 0, NODES[1]), booked.with_changes(client_name="Ada L."))
    merged = merge(started, renamed)
    assert merged.version == renamed.version
    assert merged.payload == booked.with_changes(client_name="Ada L.", actual_start=START)


def test_two_starts_pressed_apart_keep_the_earliest_and_two_ends_the_latest() -> None:
    booked = Session("Ada", START, START + timedelta(hours=1))
    tablet = Version(
        Hlc(11, 0, NODES[0]),
        booked.with_changes(actual_start=START, actual_end=START + timedelta(minutes=50)),
    )
    desk = Version(
        Hlc(10, 0, NODES[1]),
        booked.with_changes(
            actual_start=START + timedelta(minutes=3), actual_end=START + timedelta(minutes=55)
        ),
    )
    expected = booked.with_changes(actual_start=START, actual_end=START + timedelta(minutes=55))
    assert merge(tablet, desk).payload == expected == merge(desk, tablet).payload


def test_other_kinds_are_last_writer_wins() -> None:
    old = Version(Hlc(1, 0, NODES[0]), CalendarRecord("https://a.example/x.ics", SyncPreferences()))
    new = Version(Hlc(2, 0, NODES[1]), CalendarRecord(None, SyncPreferences(window_days=3)))
    assert merge(old, new) == new == merge(new, old)
    deleted = Version(Hlc(3, 0, NODES[0]), Tombstone(RecordKind.CALENDAR))
    assert merge(new, deleted) == deleted


def test_a_newer_tombstone_wins_but_keeps_the_actual_times() -> None:
    booked = Session("Ada", START, START + timedelta(hours=1), actual_start=START)
    gone = Version(Hlc(5, 0, NODES[1]), Tombstone(RecordKind.SESSION))
    merged = merge(Version(Hlc(4, 0, NODES[0]), booked), gone)
    assert merged.payload == Tombstone(RecordKind.SESSION, actual_start=START)
