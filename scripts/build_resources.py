"""Generate the app's icon files and chime sounds from their sources.

The app icon is drawn once, as ``icons/sessionclock.svg``; every raster file is rendered from it
with QtSvg: PNGs for the window and the tray, an ICO for Windows and an ICNS for macOS (both hold
PNG images; the two small container writers are below). The chimes are written as WAV files from
``sessionclock.core.chimes``. The output is committed; ``tests/scripts/test_build_resources.py``
regenerates it and fails when it no longer matches its sources.

Usage: .venv/bin/python scripts/build_resources.py [OUTPUT_DIR]
       (default: src/sessionclock/resources, next to the SVG)
"""

from __future__ import annotations

import os
import struct
import sys
from collections.abc import Mapping
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QImageWriter, QPainter
from PySide6.QtSvg import QSvgRenderer

from sessionclock.core.chimes import ChimeKind, chime_wav
from sessionclock.core.resources import APP_ICON_PNG_SIZES, APP_ICON_SVG

RESOURCES = Path(__file__).resolve().parent.parent / "src" / "sessionclock" / "resources"
ICON_SVG = RESOURCES.joinpath(*APP_ICON_SVG)

ICO_SIZES = (16, 20, 24, 32, 40, 48, 64, 128, 256)
"""What Windows picks from at 100 % to 250 % scaling (Explorer, taskbar, title bar, Start)."""

ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"ic11", 32),  # 16 pt at 2x
    (b"icp6", 64),
    (b"ic12", 64),  # 32 pt at 2x
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic13", 256),  # 128 pt at 2x
    (b"ic09", 512),
    (b"ic14", 512),  # 256 pt at 2x
    (b"ic10", 1024),  # 512 pt at 2x
)
"""The ICNS element types that hold PNG data (macOS 10.7 and later), with their pixel sizes."""


def render_png(renderer: QSvgRenderer, size: int) -> bytes:
    """Return the SVG drawn at *size* x *size* pixels as PNG bytes."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QImageWriter(buffer, QByteArray(b"PNG"))
    if not writer.write(image):
        raise RuntimeError(f"could not encode the {size} px icon as PNG: {writer.errorString()}")
    return bytes(data.data())


def ico(pngs: Mapping[int, bytes]) -> bytes:
    """Return an ICO file holding each of *pngs* (size -> PNG bytes) as one image.

    Windows Vista and later read PNG images inside ICO files at every size.
    """
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = len(header) + 16 * len(pngs)
    entries = b""
    for size, png in sorted(pngs.items()):
        # Width and height 0 mean 256; colour count 0, planes 1, 32 bits per pixel.
        side = 0 if size >= 256 else size
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset)
        offset += len(png)
    return header + entries + b"".join(png for _, png in sorted(pngs.items()))


def icns(elements: list[tuple[bytes, bytes]]) -> bytes:
    """Return an ICNS file of *elements* (type code, PNG bytes), in the given order."""
    body = b"".join(struct.pack(">4sI", kind, 8 + len(png)) + png for kind, png in elements)
    return struct.pack(">4sI", b"icns", 8 + len(body)) + body


def generate(out: Path, *, svg: Path = ICON_SVG) -> list[Path]:
    """Write every generated resource under *out*; return the files written."""
    app = QGuiApplication.instance() or QGuiApplication([])
    assert app is not None
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg} is not a valid SVG file")
    sizes = sorted({*APP_ICON_PNG_SIZES, *ICO_SIZES, *(size for _, size in ICNS_TYPES)})
    pngs = {size: render_png(renderer, size) for size in sizes}
    files: dict[Path, bytes] = {}
    icons = out / "icons"
    for size in APP_ICON_PNG_SIZES:
        files[icons / f"sessionclock-{size}.png"] = pngs[size]
    files[icons / "sessionclock.ico"] = ico({size: pngs[size] for size in ICO_SIZES})
    files[icons / "sessionclock.icns"] = icns([(kind, pngs[size]) for kind, size in ICNS_TYPES])
    for kind in ChimeKind:
        files[out / "chimes" / f"{kind.value}.wav"] = chime_wav(kind)
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return list(files)


def main() -> int:
    """Generate into the folder given (default: the package's resources) and list the files."""
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else RESOURCES
    for path in generate(out):
        print(f"{path.stat().st_size:8d}  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
