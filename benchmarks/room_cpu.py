"""CPU used by room mode over a period with a session running (goal: under 1% of one core).

Usage: .venv/bin/python benchmarks/room_cpu.py [--seconds 60]
(runs on the offscreen platform unless QT_QPA_PLATFORM says otherwise)
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from benchmarks._room import run_for, running_room


def main() -> int:
    """Run room mode for the period and print its CPU share."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    with running_room() as run:
        ticks: list[int] = []
        run.ticker.ticked.connect(lambda: ticks.append(1))
        # Let start-up settle for two ticks before measuring.
        run_for(2.0)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        ticks.clear()
        run_for(args.seconds)
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        phase = run.controller.state.phase
    print(f"room mode, phase {phase}: {len(ticks)} ticks in {wall:.1f} s")
    print(f"  CPU time : {cpu * 1000:.0f} ms")
    print(f"  CPU share: {100 * cpu / wall:.3f}% of one core  (goal: under 1%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
