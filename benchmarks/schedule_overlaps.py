"""Marking the overlapping sessions of a day: every pair checked, against one sorted sweep.

Run from the repository root::

    .venv/bin/python benchmarks/schedule_overlaps.py

The pairwise check is what the schedule's table model did before (``overlapping`` of each session
against all the others); ``overlapping_indexes``, which it uses now, sorts once. Both must mark the
same sessions. Not part of pytest.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sessionclock.core.models import Session
from sessionclock.core.schedule import overlapping, overlapping_indexes

DAY = datetime(2026, 11, 10, 7, tzinfo=ZoneInfo("Europe/Berlin"))


def _day(count: int) -> tuple[Session, ...]:
    rng = random.Random(count)
    sessions = []
    for _ in range(count):
        start = DAY + timedelta(minutes=rng.randrange(0, 12 * 60, 5))
        sessions.append(Session("Client", start, start + timedelta(minutes=rng.choice([30, 60]))))
    return tuple(sorted(sessions, key=lambda s: s.start))


def _pairwise(sessions: tuple[Session, ...]) -> frozenset[int]:
    return frozenset(
        i for i, s in enumerate(sessions) if overlapping(s, sessions[:i] + sessions[i + 1 :])
    )


def main() -> int:
    """Print the figures; exit 1 when the two ways disagree."""
    ok = True
    for count in (10, 100, 1_000, 3_000):
        sessions = _day(count)
        started = time.perf_counter()
        by_pairs = _pairwise(sessions)
        pairwise = time.perf_counter() - started
        started = time.perf_counter()
        swept = overlapping_indexes(sessions)
        sweep = time.perf_counter() - started
        ok = ok and swept == by_pairs
        print(
            f"{count:6d} sessions: every pair {pairwise * 1000:9.1f} ms, "
            f"one sweep {sweep * 1000:7.2f} ms ({pairwise / sweep:,.0f}x), "
            f"same: {swept == by_pairs}"
        )
    sessions = _day(10_000)
    started = time.perf_counter()
    overlapping_indexes(sessions)
    print(f" 10000 sessions: one sweep {(time.perf_counter() - started) * 1000:.1f} ms")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
