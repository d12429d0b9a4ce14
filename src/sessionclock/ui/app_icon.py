"""Session Clock's icon for its windows, taskbar and dock, from the files it ships with."""

from __future__ import annotations

import logging

from PySide6.QtGui import QIcon

from sessionclock.core.resources import ResourceMissingError, app_icon_files

_log = logging.getLogger(__name__)


def app_icon() -> QIcon:
    """Return the app icon (the SVG and every PNG size); an empty icon if the files are missing."""
    icon = QIcon()
    try:
        files = app_icon_files()
    except ResourceMissingError:
        _log.warning("the app icon is missing from the installation")
        return icon
    for path in files:
        icon.addFile(str(path))
    return icon
