"""Import time and memory against feed size, for normal and hostile shapes, up to 20 MB.

Run from the repository root::

    .venv/bin/python benchmarks/feed_scaling.py [--runs N]

For each shape (a normal Google-style feed; events that each open an alarm inside the last one;
events that are never closed but the last; plain events inside 98 open components, too deep to be
passed over) and each size from 1.25 to 20 MB, the import is timed
(CPU time, best of N) with no window, and with a 14-day window as a sync reads (events outside it
are passed over: the time should stay linear however the events are shaped). Each figure per MB
is compared with the smallest size's: a linear import keeps that ratio near 1 (the quadratic one
this replaced reached 213 s at 8 MB). Then a feed whose own time zone has 4,000 offsets, and the
peak memory (tracemalloc) of importing the 20 MB normal feed with no window and with the window.
Not part of pytest.
"""

from __future__ import annotations

import argparse
import sys
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._feeds import (
    best_cpu_seconds,
    busy_zone_feed,
    deep_feed,
    generate_feed,
    nested_feed,
    unclosed_feed,
)
from sessionclock.core.feed.importer import import_feed

SIZES_MB = (1.25, 2.5, 5, 10, 20)
LINEAR = 1.5  # the time per MB at 20 MB may be at most this times that at 1.25 MB
# Every shape has events in it: the normal feed spans 2019-2027, the unclosed and deep ones a day
# apart from 2000 (past 2025 at every size).
WINDOW = (datetime(2025, 6, 9, tzinfo=UTC), datetime(2025, 6, 9, tzinfo=UTC) + timedelta(days=14))


def _normal(size: int) -> bytes:
    # About 560 bytes an event; fewer than 100 a day, as in one practitioner's history.
    return generate_feed(count=size // 560, seed=5)


SHAPES: dict[str, Callable[[int], bytes]] = {
    "normal": _normal,
    "nested": nested_feed,
    "unclosed": unclosed_feed,
    "deep": deep_feed,
}


def main() -> int:
    """Print the figures; exit 1 when a shape is not linear."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    ok = True
    for shape, make in SHAPES.items():
        feeds = [make(int(size_mb * 1_000_000)) for size_mb in SIZES_MB]
        for label, window in (("no window", None), ("14-day window", WINDOW)):
            print(f"{shape}, {label}:")
            per_mb: list[float] = []
            for data in feeds:
                seconds = best_cpu_seconds(partial(import_feed, data, tz=UTC, window=window), runs)
                per_mb.append(seconds / (len(data) / 1e6))
                print(
                    f"  {len(data) / 1e6:6.2f} MB  {data.count(b'BEGIN:VEVENT'):7d} events  "
                    f"{seconds * 1000:8.0f} ms  {per_mb[-1] * 1000:6.1f} ms/MB  "
                    f"x{per_mb[-1] / per_mb[0]:.2f}"
                )
            linear = per_mb[-1] / per_mb[0] <= LINEAR
            print(f"  linear (at most x{LINEAR} per MB from 1.25 to 20 MB): {linear}")
            ok = ok and linear
    zoned = busy_zone_feed(4_000)
    seconds = best_cpu_seconds(partial(import_feed, zoned, tz=UTC), runs)
    print(
        f"own zone with 4,000 offsets: {len(zoned) / 1e3:.0f} KB, 2,000 events, "
        f"{seconds * 1000:.0f} ms"
    )
    big = _normal(20_000_000)
    for label, window in (("no window", None), ("14-day window", WINDOW)):
        tracemalloc.start()
        try:
            import_feed(big, tz=UTC, window=window)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        print(f"peak memory, {len(big) / 1e6:.1f} MB normal feed, {label}: {peak / 1e6:.1f} MB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
