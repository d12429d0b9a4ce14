"""The user guide's screenshots are what the app shows today, and the guide shows every one.

``scripts/render_guide.py`` renders them again from the real app into a temporary folder; each
must match the committed picture: the same size, and no more than a handful of pixels different
by more than a shade (a changed letter, even an underlined mnemonic, changes well over a hundred).
When a screen changes on purpose, or a Qt or font update moves its anti-aliasing, run the script
and commit the pictures.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from scripts._render import demo_application
from scripts.render_guide import IMAGES, SHOTS, render, room_clock
from sessionclock.core.countdown import Phase
from sessionclock.core.preferences import ThemeName
from tests.support.images import channel_differences, read_images

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "user-guide.md"
SHADE = 24
"""A channel difference up to this is a shade of anti-aliasing, not a change."""
MOST_CHANGED = 20
"""How many pixels may differ by more than a shade."""


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, qapp: QApplication) -> Path:
    out = tmp_path_factory.mktemp("guide")
    render(out)
    return out


def changed_pixels(committed: Path, fresh: Path) -> int:
    [old], [new] = read_images(committed), read_images(fresh)
    assert (old.width(), old.height()) == (new.width(), new.height()), committed.name
    return sum(1 for d in channel_differences(old, new) if d > SHADE)


@pytest.mark.parametrize("name", list(SHOTS))
def test_each_screenshot_matches_the_app_today(rendered: Path, name: str) -> None:
    assert changed_pixels(IMAGES / name, rendered / name) <= MOST_CHANGED, (
        f"{name} no longer matches the app: run scripts/render_guide.py and commit the pictures"
    )


def test_the_guide_shows_every_screenshot_and_no_other() -> None:
    shown = set(re.findall(r"\]\(guide/images/([^)]+)\)", GUIDE.read_text(encoding="utf-8")))
    assert shown == set(SHOTS)
    assert {p.name for p in IMAGES.iterdir()} == set(SHOTS)


def test_a_changed_screen_is_noticed(tmp_path: Path, qapp: QApplication) -> None:
    # The comparison can fail: the room clock in the day theme is not the night one.
    application = demo_application(Phase.HANDS_ON)
    try:
        room_clock(application, tmp_path / "day.png", theme=ThemeName.DAY)
    finally:
        application.shutdown()
        application.window.close()
    assert changed_pixels(IMAGES / "room-night.png", tmp_path / "day.png") > MOST_CHANGED
