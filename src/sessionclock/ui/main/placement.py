"""Where the main window opens the first time: as large as it likes, or as the screen allows.

Later starts put the window back where the practitioner left it (``MainWindow.restore_placement``,
remembered per computer); this is only for a computer that has no saved placement yet.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize

PREFERRED = QSize(1280, 800)
"""The size the window takes where the screen has room for it."""

TITLE_BAR = 40
"""Room left above the window for the window manager's title bar (the window's size excludes it)."""

BORDER = 8
"""Room left on the other sides for the window manager's frame."""


def first_geometry(available: QRect, *, minimum: QSize, preferred: QSize = PREFERRED) -> QRect:
    """Return the window's geometry (its inside, without the frame) on a first start.

    The window takes *preferred* where it fits in the screen's *available* area with room for
    its frame, else what that area leaves (but never less than *minimum*); the window and its
    frame are centred in the area.
    """
    width = max(minimum.width(), min(preferred.width(), available.width() - 2 * BORDER))
    height = max(minimum.height(), min(preferred.height(), available.height() - TITLE_BAR - BORDER))
    left = available.x() + (available.width() - width) // 2
    top = available.y() + (available.height() - (TITLE_BAR + height + BORDER)) // 2 + TITLE_BAR
    return QRect(left, top, width, height)
