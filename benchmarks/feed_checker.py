"""The feed checker as a whole process against ``icalendar.Calendar.from_ical`` as a whole process.

Run from the repository root::

    .venv/bin/python benchmarks/feed_checker.py [--runs N]

The feed is the generated Google-style one of 10,000 events (about 5.6 MB, 2019-2027), written to
a temporary file. Three processes are timed, each from start to exit, best of several runs, as wall
time and as CPU time (user + system of the child, which load from other programs disturbs less):

- ``sessionclock-feed check FILE`` reading every event (10,000 sessions and skipped events printed);
- the same with ``--from``/``--to`` over 14 days, as the app's sync reads a feed;
- ``python -c "icalendar.Calendar.from_ical(...)"``, parsing only (no sessions picked out).

Every process loads its modules from cached bytecode, as an installed program does (pip and
PyInstaller compile it; icalendar's is compiled in site-packages): the children write theirs to a
temporary folder in one untimed run first, even where ``PYTHONDONTWRITEBYTECODE`` is set.

Goal: the checker over 14 days, as a sync reads a feed, at least 40x faster than the parse in CPU
time. Reading and printing every one of the 10,000 events is shown beside it. Not part of pytest.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._feeds import generate_feed

GOAL = 40.0


def _run(command: list[str], runs: int, env: dict[str, str]) -> tuple[float, float]:
    """Return the best (wall seconds, CPU seconds) of *runs* runs of *command*, after one untimed
    run that caches its bytecode."""
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
    best_wall = best_cpu = float("inf")
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
    return best_wall, best_cpu


def main() -> int:
    """Print the figures; exit 1 when the goal is missed (in CPU time)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    data = generate_feed()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "feed.ics"
        path.write_bytes(data)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(Path(folder) / "bytecode")
        checker = [sys.executable, "-m", "sessionclock.feed_cli", "check", str(path)]
        window = ["--tz", "Europe/Berlin", "--from", "2025-06-09", "--to", "2025-06-22"]
        parse = f"import icalendar; icalendar.Calendar.from_ical(open({str(path)!r}, 'rb').read())"
        cases = {
            "python -c pass (start-up alone)": _run([sys.executable, "-c", "pass"], runs, env),
            "checker, every event": _run([*checker, "--tz", "Europe/Berlin"], runs, env),
            "checker, 14 days": _run([*checker, *window], runs, env),
            "icalendar.Calendar.from_ical": _run(
                [sys.executable, "-c", parse], max(2, runs // 2), env
            ),
        }
    print(f"feed: {data.count(b'BEGIN:VEVENT')} events, {len(data) / 1e6:.2f} MB")
    print(f"{'process':34} {'wall':>9} {'CPU':>9}")
    for label, (wall, cpu) in cases.items():
        print(f"{label:34} {wall * 1000:7.0f} ms {cpu * 1000:6.0f} ms")
    parse_wall, parse_cpu = cases["icalendar.Calendar.from_ical"]
    for label in ("checker, every event", "checker, 14 days"):
        wall, cpu = cases[label]
        print(f"speed-up, {label}: {parse_wall / wall:.1f}x wall, {parse_cpu / cpu:.1f}x CPU")
    ok = parse_cpu / cases["checker, 14 days"][1] >= GOAL
    print(f"goal {GOAL:.0f}x (CPU, 14 days): {'met' if ok else 'missed'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
