"""Questions and messages for the practitioner, behind one small interface.

Everything that asks "are you sure?", "where should this go?" or says "this could not be done"
takes a ``Prompts``: the app
passes ``MessageBoxPrompts``; tests pass a scripted one (``tests/support/prompts.py``), so no test
has to patch ``QMessageBox``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from sessionclock.ui.dialogs.crash_dialog import CrashDialog


class Prompts(Protocol):
    """Asks the practitioner to confirm, and tells them what went wrong."""

    def confirm(
        self, parent: QWidget | None, title: str, question: str, *, serious: bool = False
    ) -> bool:
        """Ask *question*; return True only if the practitioner said yes.

        Args:
            parent: the window the question belongs to.
            title: the question's title.
            question: what is asked.
            serious: the answer cannot be undone (the question is shown as a warning).
        """
        ...

    def report(
        self, parent: QWidget | None, title: str, message: str, *, serious: bool = False
    ) -> None:
        """Tell the practitioner *message* and return once it was read.

        Args:
            parent: the window the message belongs to.
            title: the message's title.
            message: what happened and what to do.
            serious: the app cannot go on as asked (shown as an error, not a warning).
        """
        ...

    def choose_save_path(
        self, parent: QWidget | None, title: str, suggested: Path, filters: str
    ) -> Path | None:
        """Ask where to save a file; return the path, or None if the practitioner cancelled.

        Args:
            parent: the window the question belongs to.
            title: the question's title.
            suggested: the folder and name offered first.
            filters: the file types offered, as Qt names them (``"CSV (*.csv);;…"``).
        """
        ...

    def crashed(self, parent: QWidget | None, report: str) -> None:
        """Say calmly that something unexpected went wrong, offering *report* to copy; return at
        once (the clock goes on meanwhile).

        Args:
            parent: the window the message belongs to.
            report: the crash report (no client data), for the practitioner to send to support.
        """
        ...


class MessageBoxPrompts:
    """``Prompts`` as the platform's standard message boxes, and ``CrashDialog`` after a crash."""

    def __init__(self) -> None:
        self._crash_dialog: CrashDialog | None = None

    def confirm(
        self, parent: QWidget | None, title: str, question: str, *, serious: bool = False
    ) -> bool:
        """Ask in a message box: Yes or No, or Yes or Cancel when *serious*; No is the default."""
        buttons = QMessageBox.StandardButton
        if serious:
            answer = QMessageBox.warning(
                parent, title, question, buttons.Yes | buttons.Cancel, buttons.Cancel
            )
        else:
            answer = QMessageBox.question(
                parent, title, question, buttons.Yes | buttons.No, buttons.No
            )
        return answer == buttons.Yes

    def report(
        self, parent: QWidget | None, title: str, message: str, *, serious: bool = False
    ) -> None:
        """Show a warning box, or an error box when *serious*."""
        if serious:
            QMessageBox.critical(parent, title, message)
        else:
            QMessageBox.warning(parent, title, message)

    def choose_save_path(
        self, parent: QWidget | None, title: str, suggested: Path, filters: str
    ) -> Path | None:
        """Ask with the platform's save dialog."""
        chosen, _selected = QFileDialog.getSaveFileName(parent, title, str(suggested), filters)
        return Path(chosen) if chosen else None

    def crashed(self, parent: QWidget | None, report: str) -> None:
        """Open the crash dialog, window-modal; while one is open, later reports only go to the
        log (an error that repeats every second must not pile up dialogs)."""
        if self._crash_dialog is not None:
            return
        self._crash_dialog = CrashDialog(report, parent)
        self._crash_dialog.finished.connect(self._on_crash_dialog_finished)
        self._crash_dialog.open()

    def _on_crash_dialog_finished(self, _result: int) -> None:
        if self._crash_dialog is not None:
            self._crash_dialog.deleteLater()
            self._crash_dialog = None
