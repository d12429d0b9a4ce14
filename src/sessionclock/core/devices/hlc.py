"""The hybrid logical clock that versions records (Kulkarni et al., "Logical physical clocks").

A timestamp is (wall milliseconds, counter, node) and is written as a fixed-width string that
sorts in the clock's order: ``"%013d-%06d-%s"`` with a 16-hex-digit node (one per device and
account). Every local change takes ``tick`` of the last timestamp; every record received moves
the clock with ``receive``, so a change made after seeing another device's change always sorts
after it, even when the two computers' clocks disagree.

A received timestamp more than ``MAX_AHEAD`` ahead of this computer's clock is not let move the
clock (a device with a wrong date, or a service replaying a forged version, must not drag every
device into the future); the record itself is still kept if it opens.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

MAX_AHEAD = timedelta(hours=1)
"""How far ahead of this computer a received timestamp may move its clock."""

NODE_LENGTH = 16
MAX_COUNTER = 999_999
_PATTERN = re.compile(rf"^(\d{{13}})-(\d{{6}})-([0-9a-f]{{{NODE_LENGTH}}})$")


def new_node() -> str:
    """Return a new random node id."""
    return secrets.token_hex(NODE_LENGTH // 2)


@dataclass(frozen=True, slots=True, order=True)
class Hlc:
    """One timestamp of the clock; instances order as their strings do.

    Attributes:
        wall_ms: milliseconds since the epoch (the larger of the computer's time and what was
            seen).
        counter: orders events within one millisecond.
        node: the device (and account) that made it.
    """

    wall_ms: int
    counter: int
    node: str

    def __post_init__(self) -> None:
        if not 0 <= self.wall_ms < 10**13 or not 0 <= self.counter <= MAX_COUNTER:
            raise ValueError("timestamp out of range")
        if len(self.node) != NODE_LENGTH or any(c not in "0123456789abcdef" for c in self.node):
            raise ValueError("a node is 16 lower-case hex digits")

    def __str__(self) -> str:
        return f"{self.wall_ms:013d}-{self.counter:06d}-{self.node}"

    @classmethod
    def parse(cls, text: str) -> Hlc:
        """Read a timestamp written by ``str``.

        Raises:
            ValueError: *text* is not one.
        """
        match = _PATTERN.match(text)
        if match is None:
            raise ValueError("not a clock timestamp")
        wall, counter, node = match.groups()
        return cls(int(wall), int(counter), node)

    @classmethod
    def zero(cls, node: str) -> Hlc:
        """Return the clock's start for *node* (before any event)."""
        return cls(0, 0, node)


def _advance(wall: int, counter: int, node: str) -> Hlc:
    if counter > MAX_COUNTER:  # a million events in a millisecond: borrow the next one
        return Hlc(wall + 1, 0, node)
    return Hlc(wall, counter, node)


def tick(last: Hlc, now_ms: int) -> Hlc:
    """Return the timestamp of a local change at *now_ms*, after *last* (same node)."""
    wall = max(last.wall_ms, now_ms)
    counter = last.counter + 1 if wall == last.wall_ms else 0
    return _advance(wall, counter, last.node)


def too_far_ahead(remote: Hlc, now_ms: int) -> bool:
    """Return whether *remote* is more than ``MAX_AHEAD`` ahead of *now_ms*."""
    return remote.wall_ms - now_ms > MAX_AHEAD / timedelta(milliseconds=1)


def receive(last: Hlc, remote: Hlc, now_ms: int) -> Hlc:
    """Return the clock after receiving *remote* at *now_ms* (a remote too far ahead is ignored)."""
    if too_far_ahead(remote, now_ms):
        return last
    wall = max(last.wall_ms, remote.wall_ms, now_ms)
    if wall == last.wall_ms == remote.wall_ms:
        counter = max(last.counter, remote.counter) + 1
    elif wall == last.wall_ms:
        counter = last.counter + 1
    elif wall == remote.wall_ms:
        counter = remote.counter + 1
    else:
        counter = 0
    return _advance(wall, counter, last.node)
