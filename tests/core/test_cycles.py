"""Collecting reference cycles when asked, by the thresholds Python's own collector uses."""

from __future__ import annotations

import gc

from sessionclock.core.cycles import collect_due


def _allocate(count: int) -> list[list[int]]:
    return [[] for _ in range(count)]


def test_nothing_is_collected_before_the_young_threshold() -> None:
    gc.collect()
    assert collect_due() == -1


def test_a_crossed_threshold_collects_the_young_generation() -> None:
    gc.collect()
    first, _, _ = gc.get_threshold()
    kept = _allocate(first + 10)
    assert collect_due() == 0
    assert gc.get_count()[0] < first
    assert len(kept) == first + 10


def test_older_generations_are_collected_by_their_own_thresholds() -> None:
    gc.collect()
    first, second, _ = gc.get_threshold()
    kept = []
    for _ in range(second + 1):
        kept.append(_allocate(first + 10))
        assert collect_due() == 0
    kept.append(_allocate(first + 10))
    assert collect_due() == 1
    assert gc.get_count()[1] == 0


def test_garbage_in_a_cycle_is_freed_by_a_due_collection() -> None:
    gc.collect()
    freed: list[str] = []

    class Node:
        def __init__(self) -> None:
            self.me = self

        def __del__(self) -> None:
            freed.append("node")

    Node()
    assert freed == [], "a cycle is not freed by reference counting"
    first, _, _ = gc.get_threshold()
    _allocate(first + 10)
    kept = _allocate(first + 10)
    assert collect_due() >= 0
    assert freed == ["node"]
    assert kept
