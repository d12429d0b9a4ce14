"""Account ▸ Delete account: one confirmed action, with the password asked again."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QCheckBox, QDialog, QFormLayout, QHBoxLayout, QVBoxLayout, QWidget

from sessionclock.core.themes import CHROME
from sessionclock.ui.account.widgets import (
    button,
    clear_secrets,
    field,
    fit_wrapped_text,
    message_label,
    show_message,
    text_label,
    title_label,
)


class DeleteAccountDialog(QDialog):
    """Asks for the password and a tick before the account is deleted everywhere.

    Signals:
        delete_requested: emitted with the password once the practitioner confirmed.
    """

    delete_requested = Signal(str)

    def __init__(self, *, email: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Delete account")
        self.setMinimumWidth(520)
        explanation = text_label(
            f"This deletes the account {email} at the account service (its subscription is "
            "cancelled, nothing more is charged) and then everything of it on this computer: "
            "every session, setting and the calendar connection, its encryption key and its "
            "sign-in. It cannot be undone. To keep your schedule, export it first (Session ▸ "
            "Export schedule)."
        )
        offline = text_label(
            "If the account service cannot be reached, this computer's part happens at once and "
            "the service's part as soon as it can be reached.",
            muted=True,
        )
        self.password_edit = field("Password of the account", secret=True)
        form = QFormLayout()
        form.addRow("&Password:", self.password_edit)
        self.understood_check = QCheckBox("I understand that this cannot be &undone")
        self.error_label = message_label(error=True)
        self.delete_button = button("&Delete account", "Delete the account for good")
        self.delete_button.setStyleSheet(f"QPushButton:enabled {{ color: {CHROME.error}; }}")
        self.cancel_button = button("Cancel", default=True)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title_label("Delete your account"))
        layout.addWidget(explanation)
        layout.addWidget(offline)
        layout.addLayout(form)
        layout.addWidget(self.understood_check)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)
        self.password_edit.textChanged.connect(self._on_input_changed)
        self.understood_check.toggled.connect(self._on_input_changed)
        self.delete_button.clicked.connect(self._on_delete_clicked)
        self.cancel_button.clicked.connect(self.reject)
        self._busy = False
        self._on_input_changed()

    def show_error(self, message: str) -> None:
        """Say what went wrong."""
        show_message(self.error_label, message)
        fit_wrapped_text(self)

    def set_busy(self, busy: bool) -> None:
        """Disable the form while the service is asked."""
        self._busy = busy
        self.password_edit.setEnabled(not busy)
        self.understood_check.setEnabled(not busy)
        self.delete_button.setText("Deleting…" if busy else "&Delete account")
        self._on_input_changed()

    @Slot()
    def _on_input_changed(self) -> None:
        ready = bool(self.password_edit.text()) and self.understood_check.isChecked()
        self.delete_button.setEnabled(ready and not self._busy)

    @Slot()
    def _on_delete_clicked(self) -> None:
        if self.delete_button.isEnabled():
            self.show_error("")
            self.delete_requested.emit(self.password_edit.text())

    def done(self, result: int) -> None:
        clear_secrets(self)
        super().done(result)
