"""The calm message after an unexpected error, with a report that can be copied for support."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

MESSAGE = (
    "Something went wrong inside Session Clock. The clock keeps running.\n\n"
    "If it happens again, copy the report below and send it to Session Clock's support. It "
    "says where in the program the error happened, and nothing about your clients or your "
    "calendar."
)


class CrashDialog(QDialog):
    """Says that something went wrong, shows the report, and copies it on request.

    Attributes:
        report: the text the dialog shows and copies.
    """

    def __init__(self, report: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report = report
        self.setWindowTitle("Session Clock: something went wrong")
        message = QLabel(MESSAGE)
        message.setWordWrap(True)
        self.report_view = QPlainTextEdit(report)
        self.report_view.setReadOnly(True)
        self.report_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.report_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.report_view.setMinimumSize(560, 200)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("&Copy report")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(message)
        layout.addWidget(self.report_view, 1)
        layout.addWidget(buttons)

    @Slot()
    def _on_copy_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.report)
        self.copy_button.setText("Copied")
