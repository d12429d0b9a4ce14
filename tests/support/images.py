"""Compare pictures pixel by pixel, for tests that check generated images against committed ones."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QImage, QImageReader


def read_images(path: Path) -> list[QImage]:
    """Return every image in the file at *path* (one for PNG, one per size for ICO and ICNS)."""
    reader = QImageReader(str(path))
    found = []
    for index in range(reader.imageCount()):
        # Single-image formats (PNG) cannot jump, not even to their first image.
        assert index == 0 or reader.jumpToImage(index), (path, index)
        image = reader.read()
        assert not image.isNull(), (path, index, reader.errorString())
        found.append(image.convertToFormat(QImage.Format.Format_ARGB32))
    return found


def channel_differences(first: QImage, second: QImage) -> list[int]:
    """Return, per pixel, the largest difference in any channel (0-255) of two same-size images."""
    assert first.size() == second.size(), (first.size(), second.size())
    a, b = bytes(first.constBits()), bytes(second.constBits())
    if a == b:
        return [0] * (first.width() * first.height())
    return [
        max(
            abs(a[i] - b[i]),
            abs(a[i + 1] - b[i + 1]),
            abs(a[i + 2] - b[i + 2]),
            abs(a[i + 3] - b[i + 3]),
        )
        for i in range(0, len(a), 4)
    ]
