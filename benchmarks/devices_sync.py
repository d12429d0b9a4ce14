"""Syncing between two devices through the real service, in one run:

1. **Start on the tablet → shown on the computer**, over ``--changes`` Starts: the tablet's
   Start is written to its store, its sync worker pushes it (half a second after the change),
   and the computer's worker, polling every 2 s, pulls it and has it in its store. Both workers
   are the app's own ``DeviceSync`` on a Qt event loop; each Start comes at a random moment
   of the computer's poll. Median and p95, against a baseline in the same run: the same change
   pushed and pulled at once by hand (what the service and the crypto cost, without the
   worker's debounce and poll).
2. **A year of sessions to a freshly paired device**: the computer holds ``--sessions``
   sessions (about 2,000: a year of a full practice) and has pushed them; a new device pairs
   and its first sync pulls, opens and stores every one. Against a baseline: the computer's own
   first push of them.

The service is the real ``sessionclock-service`` on loopback, on a SQLite file and (with
``--databases sqlite postgres``) on a throwaway PostgreSQL cluster::

    .venv/bin/python benchmarks/devices_sync.py [--changes 100] [--sessions 2000]
        [--databases sqlite postgres]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, timedelta
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer

from sessionclock.core.account.client import make_service_client
from sessionclock.core.clock import SystemClock
from sessionclock.core.models import Session, SessionSource
from sessionclock.ui.device_sync.device_sync import POLL_MS, DeviceSync
from tests.support.devices import Device, device, pair, set_up_first, signed_up
from tests.support.fake_resend import FakeResend
from tests.support.fake_stripe import FakeStripe
from tests.support.live_service import RunningService, run_service, service_environment
from tests.support.postgres import throwaway_cluster

CLOCK = SystemClock(UTC)
DEADLINE_S = 60.0


@contextmanager
def running_service(kind: str, folder: Path) -> Iterator[tuple[RunningService, FakeResend]]:
    """The service on *kind* (sqlite or postgres), with its fake mail (and billing)."""
    resend, stripe = FakeResend(), FakeStripe()
    resend.server.start()
    stripe.server.start()
    try:
        if kind == "sqlite":
            service = run_service(
                service_environment(f"sqlite:///{folder / 'service.sqlite3'}", resend, stripe)
            )
            try:
                yield service, resend
            finally:
                service.stop()
        else:
            with throwaway_cluster() as cluster:
                service = run_service(service_environment(cluster.url(), resend, stripe))
                try:
                    yield service, resend
                finally:
                    service.stop()
    finally:
        stripe.server.stop()
        resend.server.stop()


def wait_for(condition: Callable[[], bool]) -> None:
    """Run the Qt event loop until *condition* holds (polled every millisecond)."""
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(1)
    deadline = time.monotonic() + DEADLINE_S

    def check() -> None:
        if condition() or time.monotonic() > deadline:
            loop.quit()

    timer.timeout.connect(check)
    timer.start()
    loop.exec()
    timer.stop()
    if not condition():
        raise RuntimeError("the change did not arrive in time")


def worker(device: Device, service: RunningService) -> DeviceSync:
    """The app's sync worker for *device*."""
    return DeviceSync(
        store=device.records,
        keystore=device.keystore,
        account_id=device.account_id,
        make_client=make_service_client,
        url=service.base_url,
    )


def percentile(values: list[float], share: float) -> float:
    """Return the *share* percentile of *values* (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def passed(moment: float) -> bool:
    """Return whether the monotonic clock has passed *moment*."""
    return time.monotonic() >= moment


def started(device: Device, name: str) -> bool:
    """Return whether *device* holds *name*'s session as started."""
    return any(
        s.client_name == name and s.actual_start is not None
        for s in device.repository.all_sessions()
    )


def start_to_shown(desk: Device, tablet: Device, service: RunningService, changes: int) -> None:
    """Measure Start on the tablet until the computer has it, with and without the workers."""
    names = [f"Client {i:03d}" for i in range(2 * changes)]
    base = CLOCK.now().replace(microsecond=0) + timedelta(days=1)
    for i, name in enumerate(names):
        start = base + timedelta(minutes=i)
        desk.repository.add(
            Session(name, start, start + timedelta(minutes=50), SessionSource.MANUAL)
        )
    desk.sync()
    tablet.sync()
    sessions = {s.client_name: s for s in tablet.repository.all_sessions()}

    half = changes
    baseline: list[float] = []
    for name in names[:half]:
        t0 = time.perf_counter()
        tablet.repository.update(sessions[name].with_changes(actual_start=CLOCK.now()))
        tablet.sync()
        desk.sync()
        baseline.append(time.perf_counter() - t0)
        assert started(desk, name)

    desk_sync, tablet_sync = worker(desk, service), worker(tablet, service)
    tablet_repository = tablet.repository
    tablet_repository.watch_changes(tablet_sync.changed_here)
    desk_sync.start()
    tablet_sync.start()
    wait_for(lambda: not desk_sync.is_running() and not tablet_sync.is_running())
    shown: list[float] = []
    phases = random.Random(13)
    try:
        for name in names[half:]:
            # Start is pressed at any moment of the computer's 2 s poll, not right after one.
            wait_for(partial(passed, time.monotonic() + phases.uniform(0, POLL_MS / 1000)))
            t0 = time.perf_counter()
            tablet_repository.update(sessions[name].with_changes(actual_start=CLOCK.now()))
            wait_for(partial(started, desk, name))
            shown.append(time.perf_counter() - t0)
    finally:
        desk_sync.shutdown()
        tablet_sync.shutdown()

    print(f"  Start on the tablet -> on the computer, {len(shown)} changes (workers: 0.5 s")
    print("  debounce, 2 s poll):")
    print(
        f"    median {statistics.median(shown):6.2f} s   p95 {percentile(shown, 0.95):6.2f} s"
        f"   max {max(shown):6.2f} s"
    )
    print(f"  baseline, pushed and pulled at once by hand, {len(baseline)} changes:")
    print(
        f"    median {statistics.median(baseline) * 1000:6.1f} ms  "
        f"p95 {percentile(baseline, 0.95) * 1000:6.1f} ms"
    )


def year_to_new_device(
    desk: Device, service: RunningService, resend_email: str, folder: Path, sessions: int
) -> None:
    """Measure a new device's first sync of a year of sessions, against the desk's push."""
    base = CLOCK.now().replace(hour=8, minute=0, second=0, microsecond=0) - timedelta(days=365)
    added = [
        Session(
            f"Year client {i:04d}",
            base + timedelta(days=i // 8, hours=i % 8),
            base + timedelta(days=i // 8, hours=i % 8, minutes=50),
            SessionSource.CALENDAR if i % 3 else SessionSource.MANUAL,
            actual_start=base + timedelta(days=i // 8, hours=i % 8, minutes=2),
            actual_end=base + timedelta(days=i // 8, hours=i % 8, minutes=51),
        )
        for i in range(sessions)
    ]
    desk.repository.apply_sync(add=added, update=[], remove_ids=[])
    t0 = time.perf_counter()
    pushed = desk.sync().pushed
    push_s = time.perf_counter() - t0
    fresh = device(service.base_url, folder, email=resend_email, name="New tablet")
    try:
        pair(desk, fresh)
        t0 = time.perf_counter()
        report = fresh.sync()
        pull_s = time.perf_counter() - t0
        held = len(fresh.repository.all_sessions())
    finally:
        fresh.close()
    print(f"  a year of sessions ({held} sessions, {pushed} records pushed by the computer):")
    print(
        f"    fresh device's first sync {pull_s:6.2f} s   ({pull_s / held * 1000:5.2f} ms a record)"
    )
    print(f"    baseline, the computer's own push {push_s:6.2f} s")
    assert held >= sessions and report.tampered == 0


def run(kind: str, changes: int, sessions: int) -> None:
    """Both measurements on one service of *kind*."""
    with (
        tempfile.TemporaryDirectory() as folder,
        running_service(kind, Path(folder)) as (service, resend),
    ):
        email = signed_up(service.base_url, resend)
        desk = device(service.base_url, Path(folder), email=email, name="Front desk")
        tablet = device(service.base_url, Path(folder), email=email, name="Room tablet")
        try:
            set_up_first(desk)
            pair(desk, tablet)
            print(f"{kind}:")
            start_to_shown(desk, tablet, service, changes)
            year_to_new_device(desk, service, email, Path(folder) / "fresh", sessions)
        finally:
            desk.close()
            tablet.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--sessions", type=int, default=2000)
    parser.add_argument("--databases", nargs="+", default=["sqlite"])
    args = parser.parse_args()
    app = QCoreApplication.instance() or QCoreApplication(sys.argv[:1])
    for kind in args.databases:
        run(kind, args.changes, args.sessions)
    del app


if __name__ == "__main__":
    main()
