"""The one-folder build: its size with and without leaving out what the app does not use, and how
long the built app takes to show its window compared with starting from source, in the same run.

Both builds run ``build.spec`` (the baseline with ``SESSIONCLOCK_BUILD_UNTRIMMED=1``). Start-up
is measured under Xvfb with a window manager, from starting the process to its window being
mapped, for the demo profile: "cold" right after the kernel's page cache was dropped (needs root;
otherwise said so), "warm" without dropping it; medians of alternating runs.

Usage: .venv/bin/python benchmarks/frozen_app.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.xserver import XDisplay, x_display  # noqa: E402


def build(out: Path, *, untrimmed: bool) -> tuple[Path, float]:
    """Build into *out*; return the app folder and the seconds the build took."""
    env = {**os.environ, "SESSIONCLOCK_BUILD_UNTRIMMED": "1" if untrimmed else "0"}
    start = time.perf_counter()
    subprocess.run(
        [str(ROOT / "scripts" / "build-app"), str(out / "dist"), str(out / "work")],
        env=env,
        check=True,
        capture_output=True,
    )
    return out / "dist" / "SessionClock", time.perf_counter() - start


def size_mib(folder: Path) -> float:
    """Return the bytes of the files in *folder* (links not followed), in MiB."""
    files = (p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    return sum(p.stat().st_size for p in files) / 2**20


def drop_page_cache() -> bool:
    """Drop the kernel's page cache so the next start reads from disk; False if not allowed."""
    os.sync()
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError:
        return False
    return True


def start_to_window(command: list[str], display: XDisplay, env: dict[str, str]) -> float:
    """Return seconds from starting *command* to its window being mapped, then quit it."""
    start = time.perf_counter()
    app = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = start + 60
        windows: list[str] = []
        while not windows:
            if time.perf_counter() > deadline or app.poll() is not None:
                raise RuntimeError(f"{command[0]} showed no window")
            windows = display.windows("--pid", str(app.pid), "--name", "^Session Clock$")
        elapsed = time.perf_counter() - start
        display.xdotool("windowactivate", "--sync", windows[0])
        display.xdotool("key", "ctrl+q")
        app.wait(timeout=30)
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
    return elapsed


def main() -> int:
    """Build both ways, then time the built app and the source alternately; print figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sessionclock-bench-") as temp:
        folder = Path(temp)
        baseline, baseline_s = build(folder / "untrimmed", untrimmed=True)
        built, built_s = build(folder / "trimmed", untrimmed=False)
        print("one-folder build (build.spec), size (build time):")
        print(f"  everything PyInstaller finds: {size_mib(baseline):4.0f} MiB ({baseline_s:.0f} s)")
        print(f"  as shipped (trimmed)        : {size_mib(built):4.0f} MiB ({built_s:.0f} s)")
        commands = {
            "built app": [str(built / "sessionclock"), "--demo"],
            "from source": [str(ROOT / ".venv" / "bin" / "sessionclock"), "--demo"],
        }
        profile = str(folder / "profile")
        commands = {name: [*command, "--data-dir", profile] for name, command in commands.items()}
        # No tray host: the app's only window is its main window.
        with x_display(width=1366, height=768, tray=False) as display:
            env = display.env(QT_QPA_PLATFORM="xcb", HOME=temp)
            cold: dict[str, list[float]] = {name: [] for name in commands}
            warm: dict[str, list[float]] = {name: [] for name in commands}
            dropped = True
            for _ in range(args.runs):
                for name, command in commands.items():
                    dropped = drop_page_cache() and dropped
                    cold[name].append(start_to_window(command, display, env))
                    warm[name].append(start_to_window(command, display, env))
    print("start to window shown, demo profile, Xvfb:")
    if not dropped:
        print("  (the page cache could not be dropped: 'cold' is not cold)")
    source_cold = statistics.median(cold["from source"])
    source_warm = statistics.median(warm["from source"])
    print(f"  medians of {args.runs} runs each")
    for name in commands:
        first, again = statistics.median(cold[name]), statistics.median(warm[name])
        print(
            f"  {name:11s}: cold {first * 1000:6.0f} ms ({first / source_cold:.2f}x),"
            f" warm {again * 1000:6.0f} ms ({again / source_warm:.2f}x)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
