"""An in-window banner: where there is no system tray, reminders and notices appear here."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from sessionclock.core.themes import CHROME

BANNER_MS = 20_000
"""How long a notice stays before it hides itself."""


class Banner(QFrame):
    """A calm strip with a message and a Dismiss button; hidden until there is something to say.

    Signals:
        dismissed: emitted when the practitioner dismissed the banner.
    """

    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setAccessibleName("Notice")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            f"#banner {{ background: {CHROME.notice_background};"
            f" border: 1px solid {CHROME.notice_border}; border-radius: 8px; }}"
            f"#banner QLabel {{ color: {CHROME.notice_text}; font-size: 15px; }}"
        )
        self.title_label = QLabel()
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.message_label = QLabel()
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        self.message_label.setWordWrap(True)
        font = self.title_label.font()
        font.setBold(True)
        self.title_label.setFont(font)
        self.dismiss_button = QPushButton("Dismiss")
        self.dismiss_button.setAccessibleName("Dismiss the notice")
        self.dismiss_button.setMinimumHeight(40)
        self.dismiss_button.clicked.connect(self._on_dismiss_button_clicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        layout.addWidget(self.title_label)
        layout.addWidget(self.message_label, 1)
        layout.addWidget(self.dismiss_button)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self.hide()

    def notify(self, title: str, message: str, *, timeout_ms: int = BANNER_MS) -> None:
        """Show *title* and *message* for *timeout_ms*."""
        self.title_label.setText(title)
        self.message_label.setText(message)
        self.setAccessibleDescription(f"{title}: {message}")
        self.show()
        self._timer.start(timeout_ms)

    @Slot()
    def _on_dismiss_button_clicked(self) -> None:
        self._timer.stop()
        self.hide()
        self.dismissed.emit()
