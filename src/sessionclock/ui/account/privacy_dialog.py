"""Account ▸ Privacy: what is stored and where, from the live data, and the promises kept."""

from __future__ import annotations

from datetime import tzinfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from sessionclock.core.privacy import PROMISES, LocalFacts, local_facts
from sessionclock.ui.account.widgets import text_label


def _value(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class PrivacyDialog(QDialog):
    """Shows what this computer and the account service hold for the account, and the promises.

    Attributes:
        local_form: the "On this computer" lines.
        service_form: the "At the account service" lines.
    """

    def __init__(self, facts: LocalFacts, *, tz: tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Privacy: what is stored where")
        self.setMinimumWidth(600)
        self.resize(680, 640)  # most of the promises in view on a 1366x768 laptop

        local = QGroupBox("On this computer")
        self.local_form = QFormLayout(local)
        for what, where in local_facts(facts, tz=tz):
            self.local_form.addRow(f"{what}:", _value(where))

        service = QGroupBox("At the account service")
        self.service_form = QFormLayout(service)
        self.service_status = text_label("Asking the account service…", muted=True)
        self.service_form.addRow(self.service_status)

        promises = QGroupBox("What Session Clock promises")
        promise_layout = QVBoxLayout(promises)
        for promise in PROMISES:
            label = text_label(f"•  {promise}")
            promise_layout.addWidget(label)

        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.addWidget(local)
        content_layout.addWidget(service)
        content_layout.addWidget(promises)
        content_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(content)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(close)

    def set_service_facts(self, lines: list[tuple[str, str]]) -> None:
        """Show what the account service answered it knows."""
        while self.service_form.rowCount():
            self.service_form.removeRow(0)
        for what, value in lines:
            self.service_form.addRow(f"{what}:", _value(value))

    def set_service_unavailable(self, message: str) -> None:
        """Say why the account service's side cannot be shown now."""
        self.service_status.setText(message)

    def texts(self) -> list[str]:
        """Return every text the page shows (for tests and the privacy scan)."""
        return [label.text() for label in self.findChildren(QLabel)]
