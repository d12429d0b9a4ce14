"""The app icon comes from the files the app ships, at every size a desktop asks for."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from pytestqt.qtbot import QtBot

from sessionclock.core import resources
from sessionclock.ui.app_icon import app_icon


@pytest.mark.parametrize("size", [16, 22, 32, 48, 256, 1024])
def test_the_icon_draws_at_every_size(qtbot: QtBot, size: int) -> None:
    pixmap = app_icon().pixmap(QSize(size, size))
    assert (pixmap.width(), pixmap.height()) == (size, size)
    # The tile is drawn: its centre is not transparent.
    assert pixmap.toImage().pixelColor(size // 2, size // 2).alpha() == 255


@pytest.mark.allow_warning_logs
def test_missing_icon_files_leave_an_empty_icon_not_a_crash(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(resources, "resource_root", lambda: tmp_path)
    assert app_icon().isNull()
