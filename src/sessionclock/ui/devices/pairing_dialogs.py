"""Pairing, on both screens: the new device waiting to be let in, and the device already in use
that approves or denies it. Both show the same six digits, large, once both sides are known.

The dialogs show what ``DevicesFlow`` gives them and say what the practitioner chose through
signals; they never talk to the service.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from sessionclock.ui.account.widgets import (
    button,
    fit_wrapped_text,
    message_label,
    show_message,
    text_label,
    title_label,
)

TOUCH_HEIGHT = 48
"""The pairing buttons' height: comfortable for a finger on the room tablet."""


def code_label() -> QLabel:
    """Return the label the six digits are shown in: large, spaced, selectable."""
    label = QLabel()
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * 3.2)
    font.setBold(True)
    font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 4)
    label.setFont(font)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAccessibleName("Pairing code")
    label.setMinimumHeight(label.fontMetrics().height() + 16)
    return label


class JoinDialog(QDialog):
    """The new device: approve it on a device already signed in, or another way in.

    Signals:
        retry_requested: the practitioner asked again after a refusal or expiry.
        recovery_requested: the practitioner chose to use the recovery code.
        empty_day_requested: the practitioner chose to start with an empty day.
    """

    retry_requested = Signal()
    recovery_requested = Signal()
    empty_day_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Join your other devices")
        self.setMinimumWidth(560)
        heading = title_label("Approve this device on a computer already signed in")
        how = text_label(
            "On a computer or tablet where Session Clock is signed in to this account, a "
            "question appears: a new device wants to join. Check that both screens show the "
            "same six digits, then choose Approve there. Your day, your calendar connection "
            "and your preferences then arrive here."
        )
        self.code_caption = text_label("The code on both screens:", muted=True)
        self.code_label = code_label()
        self.status_label = text_label()
        self.status_label.setAccessibleName("Pairing status")
        self.error_label = message_label(error=True)
        self.retry_button = button("&Ask again", default=True)
        self.retry_button.setMinimumHeight(TOUCH_HEIGHT)
        self.retry_button.hide()

        other_ways = title_label("No other device at hand?")
        self.recovery_button = button("Use the &recovery code…")
        self.empty_button = button("Start with an &empty day…")
        empty_note = text_label(
            "Starting with an empty day makes a new key for your account. Your calendar, once "
            "connected here, imports its bookings again; sessions added by hand and actual "
            "times kept on your other devices can no longer be read, anywhere.",
            muted=True,
        )
        self.later_button = button("&Not now")
        for push in (self.recovery_button, self.empty_button, self.later_button):
            push.setMinimumHeight(TOUCH_HEIGHT)

        ways = QHBoxLayout()
        ways.addWidget(self.recovery_button)
        ways.addWidget(self.empty_button)
        ways.addStretch(1)
        closing = QHBoxLayout()
        closing.addWidget(self.retry_button)
        closing.addStretch(1)
        closing.addWidget(self.later_button)

        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addWidget(heading)
        layout.addWidget(how)
        layout.addSpacing(8)
        layout.addWidget(self.code_caption)
        layout.addWidget(self.code_label)
        layout.addWidget(self.status_label)
        layout.addWidget(self.error_label)
        layout.addSpacing(8)
        layout.addWidget(other_ways)
        layout.addLayout(ways)
        layout.addWidget(empty_note)
        layout.addSpacing(8)
        layout.addLayout(closing)

        self.retry_button.clicked.connect(self.retry_requested)
        self.recovery_button.clicked.connect(self.recovery_requested)
        self.empty_button.clicked.connect(self.empty_day_requested)
        self.later_button.clicked.connect(self.reject)
        self.show_waiting()

    def _show(self, status: str, *, code: str | None = None, error: str = "") -> None:
        self.code_caption.setVisible(code is not None)
        self.code_label.setVisible(code is not None)
        self.code_label.setText(code or "")
        show_message(self.status_label, status)
        show_message(self.error_label, error)
        self.retry_button.setVisible(bool(error))
        fit_wrapped_text(self)

    def show_waiting(self) -> None:
        """Say the request is out and no device answered yet."""
        self._show("Waiting for one of your devices to answer…")

    def show_code(self, code: str) -> None:
        """Show the code to compare."""
        self._show("Compare the code with your other device, then choose Approve there.", code=code)

    def show_refused(self, message: str) -> None:
        """Say the request was denied, expired or failed, and offer to ask again."""
        self._show("", error=message)

    def set_busy(self, busy: bool, status: str = "") -> None:
        """Disable the other ways in while one is under way."""
        for push in (self.recovery_button, self.empty_button, self.retry_button):
            push.setEnabled(not busy)
        if status:
            self._show(status)

    def code(self) -> str:
        """Return the code shown (empty when none is)."""
        return self.code_label.text() if self.code_label.isVisibleTo(self) else ""


class ApproveDialog(QDialog):
    """A device already in use: a new device asks to join; Approve or Deny.

    Escape and closing the window deny, so a request nobody recognises is never left open.

    Signals:
        approve_requested: the practitioner chose Approve (the codes match).
        deny_requested: the practitioner chose Deny (or closed the question).
    """

    approve_requested = Signal()
    deny_requested = Signal()

    def __init__(self, device_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("A new device wants to join")
        self.setMinimumWidth(520)
        self._decided = False
        self.heading = title_label(f"A new device “{device_name}” wants to join")
        how = text_label(
            f"If you are setting up “{device_name}” now, check that it shows the same six "
            "digits, then choose Approve: it then gets your day, your calendar connection and "
            "your preferences. If you do not know this device, choose Deny."
        )
        self.code_label = code_label()
        self.status_label = text_label(muted=True)
        self.status_label.setAccessibleName("Pairing status")
        self.error_label = message_label(error=True)
        self.approve_button = button("&Approve", "Approve the new device")
        self.deny_button = button("&Deny", "Deny the new device")
        for push in (self.approve_button, self.deny_button):
            push.setMinimumHeight(TOUCH_HEIGHT)
            push.setMinimumWidth(160)
        self.approve_button.setEnabled(False)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.deny_button)
        buttons.addWidget(self.approve_button)
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addWidget(self.heading)
        layout.addWidget(how)
        layout.addWidget(self.code_label)
        layout.addWidget(self.status_label)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)

        self.approve_button.clicked.connect(self._on_approve_clicked)
        self.deny_button.clicked.connect(self.reject)
        self.show_waiting()

    def show_waiting(self) -> None:
        """Say the new device has not shown its code yet."""
        self.code_label.setText("··· ···")
        self.status_label.setText("Waiting for the new device…")
        self.approve_button.setEnabled(False)
        fit_wrapped_text(self)

    def show_code(self, code: str) -> None:
        """Show the code and let the practitioner approve."""
        self.code_label.setText(code)
        self.status_label.setText("Does the new device show the same code?")
        self.approve_button.setEnabled(True)
        self.approve_button.setDefault(True)
        self.approve_button.setFocus()
        fit_wrapped_text(self)

    def show_problem(self, message: str) -> None:
        """Say what went wrong; approving is no longer possible."""
        self.approve_button.setEnabled(False)
        self.status_label.setText("")
        show_message(self.error_label, message)
        self.deny_button.setText("&Close")
        fit_wrapped_text(self)

    def set_busy(self, busy: bool) -> None:
        """Disable the buttons while the answer is sent."""
        self.approve_button.setEnabled(not busy)
        self.deny_button.setEnabled(not busy)
        if busy:
            self.status_label.setText("Handing the key to the new device…")

    def code(self) -> str:
        """Return the code shown."""
        return self.code_label.text()

    @Slot()
    def _on_approve_clicked(self) -> None:
        self._decided = True
        self.approve_requested.emit()

    def reject(self) -> None:
        """Deny (Escape, Deny, or closing the window), unless Approve was chosen."""
        if not self._decided:
            self._decided = True
            self.deny_requested.emit()
        super().reject()
