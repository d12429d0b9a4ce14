"""About Session Clock: its version, the Qt it runs on, and the licences of what it bundles."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sessionclock.core.crash_report import Runtime
from sessionclock.core.licences import Licence


class AboutDialog(QDialog):
    """Version, Qt and PySide6, and every bundled library with its licence and its text."""

    def __init__(
        self, runtime: Runtime, licences: Sequence[Licence], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._licences = list(licences)
        self.setWindowTitle("About Session Clock")
        heading = QLabel(f"<h2>Session Clock {runtime.app_version}</h2>")
        details = QLabel(
            f"Qt {runtime.qt_version}, PySide6 {runtime.pyside_version}, "
            f"Python {runtime.python_version}<br>{runtime.platform}"
        )
        details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        intro = QLabel("Session Clock is built with these libraries, under these licences:")
        self.libraries = QTreeWidget()
        self.libraries.setHeaderLabels(["Library", "Version", "Licence"])
        self.libraries.setRootIsDecorated(False)
        for licence in self._licences:
            QTreeWidgetItem(self.libraries, [licence.name, licence.version, licence.licence])
        for column in range(3):
            self.libraries.resizeColumnToContents(column)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.libraries)
        splitter.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (heading, details, intro):
            layout.addWidget(widget)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        self.libraries.currentItemChanged.connect(self._on_libraries_current_item_changed)
        first = self.libraries.topLevelItem(0)
        if first is not None:
            self.libraries.setCurrentItem(first)
        self.resize(640, 560)

    @Slot(QTreeWidgetItem, QTreeWidgetItem)
    def _on_libraries_current_item_changed(
        self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None
    ) -> None:
        if current is None:
            return
        licence = self._licences[self.libraries.indexOfTopLevelItem(current)]
        home = f"\n\n{licence.home}" if licence.home else ""
        text = (
            licence.text or f"{licence.name} is under {licence.licence}; it ships no licence text."
        )
        self.text.setPlainText(text + home)
