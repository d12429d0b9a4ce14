"""Where the app's data files are: icons, chimes and the bundled libraries' licences.

They live in the package, as ``sessionclock/resources/``, so one lookup finds them in all three
places the app runs from: a source checkout (the editable install points at ``src/``), an
installed wheel (they are package data) and the frozen app (``build.spec`` copies them to the same
place under PyInstaller's bundle folder, and PyInstaller's importer answers
``importlib.resources`` there). Qt-free, so anything may ask.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from sessionclock.core.chimes import ChimeKind
from sessionclock.core.errors import SessionClockError

APP_ICON_SVG = ("icons", "sessionclock.svg")
"""The app icon as drawn; Qt renders it at any size."""

APP_ICON_PNG_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
"""The sizes of the app icon rendered to PNG (window, tray and dock)."""

LICENCES = ("licences.json",)
"""The bundled libraries' licences, written by the frozen build (absent elsewhere)."""


class ResourceMissingError(SessionClockError):
    """A data file the app ships with is not where it should be (a damaged installation)."""


def resource_root() -> Path:
    """Return the folder that holds the app's resources.

    Raises:
        ResourceMissingError: the package is not on the file system (e.g. run from a zip file).
    """
    root = files("sessionclock") / "resources"
    if not isinstance(root, Path):
        raise ResourceMissingError(
            "Session Clock's data files are not in a folder (was it run from a zip file?)."
        )
    return root


def resource_path(*parts: str) -> Path:
    """Return the path of the resource at *parts* below the resources folder.

    Raises:
        ResourceMissingError: there is no such file (the message names it).
    """
    if not parts or any(part in ("", ".", "..") or "/" in part or "\\" in part for part in parts):
        raise ValueError(f"not a resource name: {parts!r}")
    path = resource_root().joinpath(*parts)
    if not path.is_file():
        name = "/".join(parts)
        raise ResourceMissingError(
            f"Session Clock's file {name} is missing; please reinstall the app."
        )
    return path


def app_icon_files() -> list[Path]:
    """Return the app icon's files: the SVG, then the PNGs from smallest to largest."""
    pngs = [resource_path("icons", f"sessionclock-{size}.png") for size in APP_ICON_PNG_SIZES]
    return [resource_path(*APP_ICON_SVG), *pngs]


def chime_path(kind: ChimeKind) -> Path:
    """Return the WAV file of the chime for *kind*."""
    return resource_path("chimes", f"{kind.value}.wav")
