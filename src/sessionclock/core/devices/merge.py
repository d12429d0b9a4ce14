"""How two versions of one record become one, the same way on every device.

- The higher version wins (the hybrid clock's order; tombstones are versions like any other).
- Actual times are never lost: a session's merge takes the winner's fields, then the earliest
  actual start and the latest actual end either version has, and the larger of the two extra
  minutes. (Actual times are only ever set, by Start and End, never cleared.) "The winner's
  actual start if it has one, else the loser's" would not do: it depends on the order versions
  arrive in, once a start filled in from an older version counts as the winner's own. A
  tombstone keeps the actual times of what it deleted for the same reason, and so that a
  session brought back after a deletion keeps them.
- Every other kind is last writer wins.

``merge`` is commutative and associative on what records say (a property test holds it to
that), so any set of versions merges to the same record whatever order it arrives in. When the
result differs from the winner, it is a new change of this device: the engine gives it a new
version and pushes it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import reduce

from sessionclock.core.devices.hlc import Hlc
from sessionclock.core.devices.records import Payload, RecordKind, Tombstone, kind_of, to_json
from sessionclock.core.models import Session


@dataclass(frozen=True, slots=True)
class Version:
    """One version of a record.

    Attributes:
        version: when (in the hybrid clock's order) it was written.
        payload: what it says.
    """

    version: Hlc
    payload: Payload


def _order(item: Version) -> tuple[Hlc, str]:
    # Two versions with the same timestamp come from one change of one device and say the same;
    # should they not, the payload's JSON breaks the tie so that every device agrees.
    return item.version, json.dumps(to_json(item.payload), sort_keys=True)


def merge(a: Version, b: Version) -> Version:
    """Return the merge of two versions of one record."""
    winner, loser = (a, b) if _order(a) >= _order(b) else (b, a)
    if kind_of(winner.payload) is not RecordKind.SESSION:
        return winner
    if kind_of(loser.payload) is not RecordKind.SESSION:
        return winner
    return Version(winner.version, keep_actual_times(winner.payload, loser.payload))


def merge_all(versions: Iterable[Version]) -> Version:
    """Return the merge of every version of one record (at least one)."""
    return reduce(merge, versions)


def keep_actual_times(winner: Payload, loser: Payload) -> Payload:
    """Return *winner* (a session or its tombstone) with the earliest actual start, the latest
    actual end and the most extra minutes of both."""
    assert isinstance(winner, Session | Tombstone) and isinstance(loser, Session | Tombstone)
    return replace(
        winner,
        actual_start=_earliest(winner.actual_start, loser.actual_start),
        actual_end=_latest(winner.actual_end, loser.actual_end),
        extra_minutes=max(winner.extra_minutes, loser.extra_minutes),
    )


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None or b is None:
        return a or b
    return a if a.astimezone(UTC) <= b.astimezone(UTC) else b


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None or b is None:
        return a or b
    return a if a.astimezone(UTC) >= b.astimezone(UTC) else b
