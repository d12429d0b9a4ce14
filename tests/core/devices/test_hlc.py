"""The hybrid logical clock: its string sorts as it does, local changes and received records
always move it forward, and a far-future timestamp cannot drag it along."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sessionclock.core.devices.hlc import (
    MAX_AHEAD,
    MAX_COUNTER,
    Hlc,
    new_node,
    receive,
    tick,
    too_far_ahead,
)

NODE_A = "a" * 16
NODE_B = "b" * 16
HOUR_MS = int(MAX_AHEAD.total_seconds() * 1000)

stamps = st.builds(
    Hlc,
    wall_ms=st.integers(0, 10**13 - 1),
    counter=st.integers(0, MAX_COUNTER),
    node=st.sampled_from([NODE_A, NODE_B, "0123456789abcdef"]),
)


@settings(deadline=None)
@given(stamps, stamps)
def test_the_string_sorts_as_the_clock_does(a: Hlc, b: Hlc) -> None:
    assert (str(a) < str(b)) == (a < b)
    assert Hlc.parse(str(a)) == a


def test_the_string_has_a_fixed_width() -> None:
    assert str(Hlc(1_700_000_000_000, 7, NODE_A)) == f"1700000000000-000007-{NODE_A}"
    assert len(str(Hlc(0, 0, NODE_A))) == 37


@pytest.mark.parametrize(
    "text",
    ["", "1700000000000-000007", "1700000000000-7-" + NODE_A, "x" * 37, f"1-000001-{NODE_A}"],
)
def test_text_that_is_not_a_timestamp_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a clock timestamp"):
        Hlc.parse(text)


@pytest.mark.parametrize(
    ("wall", "counter", "node"),
    [(-1, 0, NODE_A), (0, MAX_COUNTER + 1, NODE_A), (0, 0, "A" * 16), (0, 0, "a" * 15)],
)
def test_impossible_timestamps_are_refused(wall: int, counter: int, node: str) -> None:
    with pytest.raises(ValueError, match=r"out of range|hex digits"):
        Hlc(wall, counter, node)


def test_nodes_are_random_hex() -> None:
    nodes = {new_node() for _ in range(50)}
    assert len(nodes) == 50
    assert all(Hlc(0, 0, n) for n in nodes)


@settings(deadline=None)
@given(stamps, st.integers(0, 10**13 - 2))
def test_a_local_change_is_always_after_the_last(last: Hlc, now: int) -> None:
    after = tick(last, now)
    assert after > last and after.node == last.node
    assert after.wall_ms >= now


def test_a_clock_set_back_keeps_counting_from_where_it_was() -> None:
    last = Hlc(5_000, 3, NODE_A)
    assert tick(last, 4_000) == Hlc(5_000, 4, NODE_A)
    assert tick(last, 6_000) == Hlc(6_000, 0, NODE_A)


def test_a_full_millisecond_borrows_the_next() -> None:
    assert tick(Hlc(5_000, MAX_COUNTER, NODE_A), 5_000) == Hlc(5_001, 0, NODE_A)


@settings(deadline=None)
@given(stamps, stamps, st.integers(0, 10**13 - 2))
def test_after_receiving_the_clock_is_after_both(last: Hlc, remote: Hlc, now: int) -> None:
    after = receive(last, remote, now)
    assert after >= last and after.node == last.node
    if not too_far_ahead(remote, now):
        assert (after.wall_ms, after.counter) > (remote.wall_ms, remote.counter)
        assert tick(after, now) > remote


def test_receive_follows_the_paper_in_each_case() -> None:
    last = Hlc(5_000, 2, NODE_A)
    assert receive(last, Hlc(5_000, 7, NODE_B), 4_000) == Hlc(5_000, 8, NODE_A)
    assert receive(last, Hlc(4_000, 9, NODE_B), 4_500) == Hlc(5_000, 3, NODE_A)
    assert receive(last, Hlc(6_000, 4, NODE_B), 5_500) == Hlc(6_000, 5, NODE_A)
    assert receive(last, Hlc(6_000, 4, NODE_B), 7_000) == Hlc(7_000, 0, NODE_A)


def test_a_timestamp_over_an_hour_ahead_does_not_move_the_clock() -> None:
    now = 1_700_000_000_000
    last = Hlc(now, 0, NODE_A)
    ahead = Hlc(now + HOUR_MS + 1, 0, NODE_B)
    assert too_far_ahead(ahead, now)
    assert receive(last, ahead, now) == last
    just = Hlc(now + HOUR_MS, 0, NODE_B)
    assert not too_far_ahead(just, now)
    assert receive(last, just, now) == Hlc(now + HOUR_MS, 1, NODE_A)
