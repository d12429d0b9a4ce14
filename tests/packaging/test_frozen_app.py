"""The one-folder app that ``build.spec`` makes: what is in it, and that it starts, ticks and quits.

The module builds the app once with ``scripts/build-app`` into a temporary folder (so a developer's
``dist/`` is left alone), then looks inside it and runs it under Xvfb with a window manager and a
tray, as a practitioner would start it: its window appears with the icon it carries, the clock on
it changes from second to second, Ctrl+Q ends it with exit status 0, and its log says it started
as the built app.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PyInstaller.archive.readers import CArchiveReader

from sessionclock import __version__
from sessionclock.core.licences import from_json
from tests.support.xserver import XDisplay, wait_until, x_display

ROOT = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT_S = 600

# What the desktop app must never carry: the service, its libraries, test and developer tools.
FOREIGN_MODULES = {
    "sessionclock_service",
    "fastapi",
    "starlette",
    "uvicorn",
    "stripe",
    "bcrypt",
    "psycopg",
    "psycopg_binary",
    "jinja2",
    "pydantic",
    "tests",
    "pytest",
    "_pytest",
    "hypothesis",
    "playwright",
    "click",
    "rich",
    "pygments",
    "setuptools",
}
# Files that would mean unused Qt parts came along.
FOREIGN_FILES = (
    "WebEngine",
    "Qt6Quick",
    "Qt6Qml",
    "libffmpegmediaplugin",
    "libavcodec",
    "Qt63D",
    "Qt6Pdf",
    "VirtualKeyboard",
    "libqgtk3",
    "libqeglfs",
    "libqvnc",
    "libqlinuxfb",
    "libqjpeg",
    "libqtiff",
    "libqopensslbackend",
    "libgtk-3",
    "libpq",
    "/translations/",
)


def tree_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the app from this checkout; return the folder it is in."""
    out = tmp_path_factory.mktemp("build")
    start = time.monotonic()
    result = subprocess.run(
        [str(ROOT / "scripts" / "build-app"), str(out / "dist"), str(out / "work")],
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    folder = out / "dist" / "SessionClock"
    print(f"built in {time.monotonic() - start:.1f} s, {tree_size(folder) / 2**20:.0f} MiB")
    return folder


def bundled_modules(folder: Path) -> set[str]:
    archive = CArchiveReader(str(folder / "sessionclock"))
    return set(archive.open_embedded_archive("PYZ.pyz").toc)


def test_the_folder_holds_the_app_its_resources_and_its_migrations(built: Path) -> None:
    assert os.access(built / "sessionclock", os.X_OK)
    package = built / "_internal" / "sessionclock"
    # The same places as in a wheel: sessionclock.core.resources looks there.
    for name in (
        "resources/icons/sessionclock.svg",
        "resources/icons/sessionclock-16.png",
        "resources/chimes/reminder.wav",
        "resources/licences.json",
        "core/data/windows_display_zones.json",
        "store/migrations/env.py",
    ):
        assert (package / name).is_file(), name
    assert list((package / "store" / "migrations" / "versions").glob("v0001_*.py"))


def test_keyring_back_ends_and_the_time_zone_database_are_bundled(built: Path) -> None:
    modules = bundled_modules(built)
    assert {"keyring.backends.SecretService", "jeepney", "secretstorage"} <= modules
    assert {"keyring.backends.Windows", "keyring.backends.macOS"} <= modules
    assert (built / "_internal" / "tzdata" / "zoneinfo" / "Europe" / "London").is_file()


def test_the_service_and_the_developer_tools_are_left_out(built: Path) -> None:
    tops = {name.partition(".")[0] for name in bundled_modules(built)}
    assert "sessionclock" in tops
    assert not tops & FOREIGN_MODULES
    on_disk = {p.name.partition(".")[0] for p in (built / "_internal").iterdir()}
    assert not on_disk & FOREIGN_MODULES


def test_unused_qt_parts_are_left_out(built: Path) -> None:
    files = [str(p.relative_to(built)) for p in built.rglob("*")]
    found = [f for f in files if any(marker in f for marker in FOREIGN_FILES)]
    assert found == []
    plugins = built / "_internal" / "PySide6" / "Qt" / "plugins"
    for needed in (
        "platforms/libqxcb.so",
        "platforms/libqwayland.so",
        "imageformats/libqsvg.so",
        "imageformats/libqico.so",
        "iconengines/libqsvgicon.so",
    ):
        assert (plugins / needed).is_file(), needed


def test_the_licences_cover_what_is_bundled_and_only_that(built: Path) -> None:
    shipped = from_json(
        (built / "_internal" / "sessionclock" / "resources" / "licences.json").read_text("utf-8")
    )
    names = {entry.name.lower() for entry in shipped}
    assert {"pyside6_essentials", "shiboken6", "keyring", "jeepney", "sqlalchemy"} <= names
    assert {"cryptography", "httpx", "platformdirs", "alembic"} <= names
    assert not names & {"fastapi", "uvicorn", "stripe", "bcrypt", "jinja2", "pytest", "psycopg"}
    assert all(entry.version and entry.licence for entry in shipped)
    keyring_entry = next(e for e in shipped if e.name == "keyring")
    assert "Permission is hereby granted" in keyring_entry.text


# Plays a chime through QSoundEffect with only the Qt plugins the build ships; prints what it saw.
PLAY_CHIME = """
import json, sys
from PySide6.QtCore import QCoreApplication, QTimer, QUrl
QCoreApplication.setLibraryPaths([sys.argv[1]])
from PySide6.QtGui import QGuiApplication
from PySide6.QtMultimedia import QMediaDevices, QSoundEffect
app = QGuiApplication([])
seen = {"outputs": len(QMediaDevices.audioOutputs()), "playing": []}
effect = QSoundEffect()
def on_status():
    if effect.status() == QSoundEffect.Status.Ready:
        effect.play()
    elif effect.status() == QSoundEffect.Status.Error:
        app.quit()
def on_playing():
    seen["playing"].append(effect.isPlaying())
    if not effect.isPlaying():
        app.quit()
effect.statusChanged.connect(on_status)
effect.playingChanged.connect(on_playing)
effect.setSource(QUrl.fromLocalFile(sys.argv[2]))
QTimer.singleShot(15000, app.quit)
app.exec()
print(json.dumps(seen))
"""


@pytest.fixture
def sound_server(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A PulseAudio server of this user with one silent output; yields the environment for it."""
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime), "HOME": str(tmp_path)}
    modules = ["--load=module-null-sink sink_name=silent", "--load=module-native-protocol-unix"]
    server = subprocess.Popen(
        ["pulseaudio", "--daemonize=no", "--exit-idle-time=-1", "-n", *modules],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def listening() -> bool:
        assert server.poll() is None, f"PulseAudio exited with status {server.returncode}"
        return (runtime / "pulse" / "native").exists()

    try:
        wait_until(listening, "PulseAudio")
        yield env
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_chime_plays_with_only_the_qt_plugins_shipped(
    built: Path, sound_server: dict[str, str]
) -> None:
    plugins = built / "_internal" / "PySide6" / "Qt" / "plugins"
    chime = built / "_internal" / "sessionclock" / "resources" / "chimes" / "reminder.wav"
    env = {**sound_server, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", PLAY_CHIME, str(plugins), str(chime)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    seen = json.loads(result.stdout)
    assert seen["outputs"] >= 1, result.stderr
    # It started and it finished: the sound went to the (silent) output.
    assert seen["playing"] == [True, False], result.stderr


def grab(window: str, display: XDisplay) -> bytes:
    """Return the window's pixels as the X server has them (an XWD dump)."""
    return subprocess.run(
        ["xwd", "-silent", "-id", window], env=display.env(), capture_output=True, check=True
    ).stdout


@pytest.fixture
def display() -> Iterator[XDisplay]:
    with x_display(width=1366, height=768, tray=True) as started:
        yield started


@pytest.mark.xvfb
def test_the_built_app_shows_its_window_ticks_and_quits(
    built: Path, display: XDisplay, tmp_path: Path
) -> None:
    env = display.env(
        QT_QPA_PLATFORM="xcb",
        HOME=str(tmp_path),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
    )
    app = subprocess.Popen(
        [str(built / "sessionclock"), "--demo", "--data-dir", str(tmp_path / "profile")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:

        def main_windows() -> list[str]:
            assert app.poll() is None, f"the app ended with status {app.returncode}"
            placed = display.placed_windows("--pid", str(app.pid))
            # The main window is its only large one (the tray icon is a small one).
            return [window for window, (_, _, w, h) in placed.items() if w > 600 and h > 300]

        wait_until(lambda: bool(main_windows()), "the Session Clock window", timeout=60)
        [window] = main_windows()

        # The clock ticks: what the window shows keeps changing, a second apart.
        changes = 0
        previous = grab(window, display)
        deadline = time.monotonic() + 20
        while changes < 3 and time.monotonic() < deadline:
            time.sleep(0.25)
            current = grab(window, display)
            if current != previous:
                changes += 1
                previous = current
        assert changes >= 3, "the window stopped changing: the clock does not tick"

        # Its icon came from the resources it carries (sessionclock.core.resources, frozen).
        icon = subprocess.run(
            ["xprop", "-id", window, "_NET_WM_ICON"],
            env=display.env(),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert re.findall(r"Icon \((\d+) x \d+\)", icon)[:2] == ["16", "32"], icon[:200]

        display.xdotool("windowactivate", "--sync", window)
        display.xdotool("key", "ctrl+q")
        status = app.wait(timeout=20)
    finally:
        if app.poll() is None:
            app.kill()
        _, err = app.communicate(timeout=10)
    assert status == 0, err.decode()[-3000:]
    assert b"Traceback" not in err, err.decode()[-3000:]
    log = (tmp_path / "profile" / "logs" / "sessionclock.log").read_text(encoding="utf-8")
    assert f"Session Clock {__version__} started (Qt " in log and "built app" in log
