"""The app's start with a year of history and with a very busy day, against an empty profile.

Each run is a fresh process that starts the app as ``sessionclock --data-dir DIR`` does (the
window first, then the profile) on a copy of a prepared profile, and reports when its first paint
and today's schedule painted from the store happened, counted from just before the process was
started, and what one tick of the clock costs afterwards. The profiles, made once per run of
this script:

- empty: no sessions at all (the baseline);
- year: today's seven sessions and a year of history (ten a weekday: about 2,600 sessions,
  kept because the retention is set to 365 days);
- busy day: today's seven sessions and 10,000 more today (a store can hold them: manual adds, or
  older versions that imported a whole clinic's calendar);
- year and busy day: both.

Goal: the schedule paints about as soon with history as without, and promptly on the busy day
(the audit saw 24 s there). Usage:
.venv/bin/python benchmarks/app_start_history.py [--runs N] [--platform offscreen|xcb]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from datetime import datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import keyring

from benchmarks.startup import KEYS_VARIABLE, Start, once
from sessionclock.core.clock import SystemClock
from sessionclock.core.demo import demo_day
from sessionclock.core.models import Session, SessionSource
from sessionclock.core.preferences import Preferences, SyncPreferences
from sessionclock.profile import open_profile
from tests.support.keyrings import InMemoryKeyring

HISTORY_DAYS = 365
PER_WEEKDAY = 10
BUSY_DAY = 10_000


def _history(today: datetime) -> list[Session]:
    """Ten sessions every weekday of the past year, 45 minutes with 15 between them."""
    sessions = []
    for back in range(1, HISTORY_DAYS + 1):
        day = today - timedelta(days=back)
        if day.weekday() >= 5:
            continue
        first = day.replace(hour=8)
        for i in range(PER_WEEKDAY):
            start = first + timedelta(hours=i)
            end = start + timedelta(minutes=45)
            sessions.append(Session(f"Client {back:03d}-{i}", start, end))
    return sessions


def _busy(today: datetime) -> list[Session]:
    """10,000 sessions spread over today, 30 to 90 minutes long, mostly from a calendar."""
    midnight = today.replace(hour=0)
    step = timedelta(days=1) / BUSY_DAY
    return [
        Session(
            f"Booked client {i:05d}",
            midnight + step * i,
            midnight + step * i + timedelta(minutes=30 + i % 61),
            source=SessionSource.CALENDAR if i % 3 else SessionSource.MANUAL,
        )
        for i in range(BUSY_DAY)
    ]


def prepare(folder: Path, *, year: bool, busy: bool) -> list[list[str]]:
    """Make a profile in *folder*; return its key store entries (for the child's key store)."""
    backend = InMemoryKeyring()
    keyring.set_keyring(backend)
    clock = SystemClock()
    profile = open_profile(data_dir=folder, demo=False, clock=clock)
    try:
        profile.repository.save_preferences(Preferences(sync=SyncPreferences(retention_days=365)))
        now = clock.now()
        today = datetime.combine(now.date(), time(), tzinfo=now.tzinfo)
        sessions = list(demo_day(now)) if year or busy else []
        if year:
            sessions += _history(today)
        if busy:
            sessions += _busy(today)
        profile.repository.apply_sync(add=sessions, update=(), remove_ids=())
    finally:
        profile.close()
    return [[service, user, secret] for (service, user), secret in backend.passwords.items()]


def main() -> int:
    """Prepare the profiles, start the app on each in turn, and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--platform", default="offscreen")
    args = parser.parse_args()
    cases = {
        "empty": (False, False),
        "year": (True, False),
        "busy day": (False, True),
        "year and busy day": (True, True),
    }
    with tempfile.TemporaryDirectory(prefix="sessionclock-history-") as scratch:
        root = Path(scratch)
        envs: dict[str, dict[str, str]] = {}
        for name, (year, busy) in cases.items():
            keys = prepare(root / name, year=year, busy=busy)
            envs[name] = dict(
                os.environ, QT_QPA_PLATFORM=args.platform, **{KEYS_VARIABLE: json.dumps(keys)}
            )

        def start(name: str) -> Start:
            run = root / "run"
            shutil.rmtree(run, ignore_errors=True)
            shutil.copytree(root / name, run)  # the app writes to its profile: start each fresh
            return once("profile", envs[name], str(run))

        for name in cases:
            start(name)  # warm the file cache
        results: dict[str, list[Start]] = {name: [] for name in cases}
        for _ in range(args.runs):
            for name in cases:
                results[name].append(start(name))

    base = statistics.median(s.ready for s in results["empty"])
    print(f"platform: {args.platform}, runs: {args.runs} each, medians from process start:")
    print(
        f"  {'profile':<18} {'rows today':>10} {'first paint':>12} {'schedule painted':>17} "
        f"{'vs empty':>9} {'one tick':>10}"
    )
    for name, starts in results.items():
        painted = statistics.median(s.painted for s in starts)
        ready = statistics.median(s.ready for s in starts)
        tick = statistics.median(s.tick for s in starts)
        print(
            f"  {name:<18} {starts[0].rows:>10,} {painted * 1000:>9.0f} ms {ready * 1000:>14.0f} ms"
            f" {ready / base:>8.2f}x {tick * 1000:>7.1f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
