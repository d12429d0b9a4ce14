"""Account ▸ Change password: the current password, then the new one twice."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QDialog, QFormLayout, QHBoxLayout, QVBoxLayout, QWidget

from sessionclock.core.account.models import MIN_PASSWORD
from sessionclock.ui.account.widgets import (
    button,
    clear_secrets,
    field,
    fit_wrapped_text,
    message_label,
    show_message,
    take_new_password,
    text_label,
    title_label,
)


class ChangePasswordDialog(QDialog):
    """Asks for the current and a new password; the flow changes it at the service.

    Signals:
        change_requested: emitted with (current password, new password).
    """

    change_requested = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Change password")
        self.setMinimumWidth(460)
        self.current_edit = field("Current password", secret=True)
        self.new_edit = field("New password", secret=True)
        self.new_edit.setPlaceholderText(f"at least {MIN_PASSWORD} characters")
        self.repeat_edit = field("Repeat the new password", secret=True)
        form = QFormLayout()
        form.addRow("&Current password:", self.current_edit)
        form.addRow("&New password:", self.new_edit)
        form.addRow("&Repeat:", self.repeat_edit)
        self.error_label = message_label(error=True)
        self.change_button = button("C&hange password", default=True)
        self.cancel_button = button("Cancel")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.change_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title_label("Change your password"))
        layout.addWidget(
            text_label(
                "Every other device signed in to your account is signed out; this one stays "
                "signed in."
            )
        )
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)
        self.change_button.clicked.connect(self._on_change_clicked)
        self.repeat_edit.returnPressed.connect(self._on_change_clicked)
        self.cancel_button.clicked.connect(self.reject)

    def show_error(self, message: str) -> None:
        """Say what went wrong."""
        show_message(self.error_label, message)
        fit_wrapped_text(self)

    def set_busy(self, busy: bool) -> None:
        """Disable the form while the service is asked."""
        for widget in (self.current_edit, self.new_edit, self.repeat_edit, self.change_button):
            widget.setEnabled(not busy)
        self.change_button.setText("Please wait…" if busy else "C&hange password")

    @Slot()
    def _on_change_clicked(self) -> None:
        if not self.change_button.isEnabled():
            return
        if not self.current_edit.text():
            self.show_error("Enter your current password.")
            self.current_edit.setFocus()
            return
        new = take_new_password(self.new_edit, self.repeat_edit, self.show_error)
        if new is None:
            return
        self.show_error("")
        self.change_requested.emit(self.current_edit.text(), new)

    def done(self, result: int) -> None:
        clear_secrets(self)
        super().done(result)
