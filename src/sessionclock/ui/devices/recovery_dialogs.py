"""The recovery code: shown once at the first device (copy it, save it, then type two groups back
to show it was kept), and typed in on a new device when no other device is at hand."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from sessionclock.core.devices.recovery import RecoveryCode, group_matches
from sessionclock.core.errors import RecoveryCodeError
from sessionclock.ui.account.widgets import (
    button,
    field,
    fit_wrapped_text,
    message_label,
    show_message,
    text_label,
    title_label,
)
from sessionclock.ui.devices.pairing_dialogs import TOUCH_HEIGHT

MSG_GROUP = "Group {number} does not match. Choose Back to see the code again."


def _code_font(widget: QWidget, scale: float) -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setPointSizeF(widget.font().pointSizeF() * scale)
    return font


def printable(code: RecoveryCode) -> str:
    """Return the text saved or printed: the code and what it is for (no account details)."""
    return (
        "Session Clock recovery code\n\n"
        f"    {' '.join(code.groups())}\n\n"
        "It opens your synced day on a new device when none of your other devices is at hand.\n"
        "Keep it somewhere safe, away from your computer. Anyone who has it and can sign in to\n"
        "your account can read your sessions.\n"
    )


class RecoveryCodeDialog(QDialog):
    """The recovery code, shown once: copy or save it, then type two of its groups back.

    It closes only once the groups match (there is no other moment to keep the code).

    Signals:
        save_requested: emitted with the text to save (the practitioner chose Save).
        kept: the two groups were typed back right.
    """

    save_requested = Signal(str)
    kept = Signal()

    def __init__(
        self, code: RecoveryCode, asked: tuple[int, int], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Your recovery code")
        self.setMinimumWidth(600)
        self._code = code
        self._dismissed = False
        self.asked = asked

        self.pages = QStackedWidget()
        show = QWidget()
        heading = title_label("Keep this recovery code somewhere safe")
        why = text_label(
            "If none of your devices is at hand (a lost tablet, a new computer), this code "
            "lets a new device open your synced day. It is shown only now: it is not kept "
            "anywhere, and nobody, not even support, can show it again."
        )
        self.code_label = QLabel("\n".join(self._lines()))
        self.code_label.setFont(_code_font(self, 1.9))
        self.code_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code_label.setAccessibleName("Recovery code")
        self.code_label.setStyleSheet(
            "QLabel { border: 1px solid palette(mid); border-radius: 6px; padding: 14px; }"
        )
        where = text_label(
            "Print it or write it down and keep it with your important papers, or save it in "
            "a password manager. Not in an e-mail to yourself.",
            muted=True,
        )
        self.copy_button = button("&Copy")
        self.save_button = button("&Save as a file…")
        self.copied_label = text_label(muted=True)
        self.copied_label.hide()
        self.next_button = button("I have &kept it")
        for push in (self.copy_button, self.save_button, self.next_button):
            push.setMinimumHeight(TOUCH_HEIGHT)
        tools = QHBoxLayout()
        tools.addWidget(self.copy_button)
        tools.addWidget(self.save_button)
        tools.addStretch(1)
        tools.addWidget(self.next_button)
        show_layout = QVBoxLayout(show)
        show_layout.setContentsMargins(0, 0, 0, 0)
        show_layout.setSpacing(12)
        show_layout.addWidget(heading)
        show_layout.addWidget(why)
        show_layout.addWidget(self.code_label)
        show_layout.addWidget(where)
        show_layout.addWidget(self.copied_label)
        show_layout.addStretch(1)
        show_layout.addLayout(tools)

        confirm = QWidget()
        ask = title_label("Type two groups back")
        first, second = asked
        ask_why = text_label(
            "To be sure the code was kept, type groups "
            f"{first + 1} and {second + 1} from your copy (groups are counted from the left)."
        )
        self.first_field = field(f"Group {first + 1}", placeholder="4 characters")
        self.second_field = field(f"Group {second + 1}", placeholder="4 characters")
        for edit in (self.first_field, self.second_field):
            edit.setFont(_code_font(self, 1.3))
            edit.setMaxLength(6)
            edit.setMinimumHeight(TOUCH_HEIGHT)
        form = QFormLayout()
        form.addRow(f"Group {first + 1}:", self.first_field)
        form.addRow(f"Group {second + 1}:", self.second_field)
        self.error_label = message_label(error=True)
        self.back_button = button("&Back")
        self.confirm_button = button("&Confirm")
        for push in (self.back_button, self.confirm_button):
            push.setMinimumHeight(TOUCH_HEIGHT)
        confirm_buttons = QHBoxLayout()
        confirm_buttons.addWidget(self.back_button)
        confirm_buttons.addStretch(1)
        confirm_buttons.addWidget(self.confirm_button)
        confirm_layout = QVBoxLayout(confirm)
        confirm_layout.setContentsMargins(0, 0, 0, 0)
        confirm_layout.setSpacing(12)
        confirm_layout.addWidget(ask)
        confirm_layout.addWidget(ask_why)
        confirm_layout.addLayout(form)
        confirm_layout.addWidget(self.error_label)
        confirm_layout.addStretch(1)
        confirm_layout.addLayout(confirm_buttons)

        self.pages.addWidget(show)
        self.pages.addWidget(confirm)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)

        self.copy_button.clicked.connect(self._on_copy_clicked)
        self.save_button.clicked.connect(lambda: self.save_requested.emit(printable(code)))
        self.next_button.clicked.connect(self._on_next_clicked)
        self.back_button.clicked.connect(lambda: self.pages.setCurrentIndex(0))
        self.confirm_button.clicked.connect(self._on_confirm_clicked)
        self.first_field.returnPressed.connect(self.second_field.setFocus)
        self.second_field.returnPressed.connect(self._on_confirm_clicked)

    def _lines(self) -> tuple[str, str]:
        groups = self._code.groups()
        half = (len(groups) + 1) // 2
        return " ".join(groups[:half]), " ".join(groups[half:])

    def say_saved(self, message: str) -> None:
        """Say where the code was saved (or why it was not)."""
        show_message(self.copied_label, message)

    @Slot()
    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self._code.text())
        show_message(
            self.copied_label, "Copied. Paste it where you keep it, then clear the clipboard."
        )

    @Slot()
    def _on_next_clicked(self) -> None:
        self.pages.setCurrentIndex(1)
        show_message(self.error_label, "")
        self.first_field.setFocus()

    @Slot()
    def _on_confirm_clicked(self) -> None:
        for index, edit in zip(self.asked, (self.first_field, self.second_field), strict=True):
            if not group_matches(self._code, index, edit.text()):
                show_message(self.error_label, MSG_GROUP.format(number=index + 1))
                edit.setFocus()
                edit.selectAll()
                fit_wrapped_text(self)
                return
        self.kept.emit()
        self.accept()

    def reject(self) -> None:
        """Escape goes back to the code; the dialog never closes before it was kept (unless
        the account is closed: ``dismiss``)."""
        if self._dismissed:
            super().reject()
        else:
            self.pages.setCurrentIndex(0)

    def dismiss(self) -> None:
        """Close at once (the account was signed out or switched away from)."""
        self._dismissed = True
        self.reject()


class RecoveryEntryDialog(QDialog):
    """Type the recovery code on a new device.

    Signals:
        entered: emitted with the code as typed, once it reads as a code (no typo found).
    """

    entered = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Use the recovery code")
        self.setMinimumWidth(560)
        heading = title_label("Type your recovery code")
        how = text_label(
            "The recovery code was shown when your account first synced: 28 letters and digits "
            "in seven groups. Dashes, spaces and small letters are fine."
        )
        self.code_field = field("Recovery code", placeholder="XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX")
        self.code_field.setFont(_code_font(self, 1.2))
        self.code_field.setMinimumHeight(TOUCH_HEIGHT)
        self.status_label = text_label(muted=True)
        self.status_label.hide()
        self.error_label = message_label(error=True)
        self.cancel_button = button("Cancel")
        self.open_button = button("&Open my day", default=True)
        for push in (self.cancel_button, self.open_button):
            push.setMinimumHeight(TOUCH_HEIGHT)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addWidget(heading)
        layout.addWidget(how)
        layout.addWidget(self.code_field)
        layout.addWidget(self.status_label)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)

        self.cancel_button.clicked.connect(self.reject)
        self.open_button.clicked.connect(self._on_open_clicked)

    def show_error(self, message: str) -> None:
        """Say what is wrong with the code; the field keeps it for correcting."""
        self.set_busy(False)
        show_message(self.error_label, message)
        self.code_field.setFocus()
        fit_wrapped_text(self)

    def set_busy(self, busy: bool) -> None:
        """Say the code is being checked (it takes a few seconds) and hold the buttons."""
        self.open_button.setEnabled(not busy)
        self.code_field.setReadOnly(busy)
        show_message(
            self.status_label, "Checking the code: this takes a few seconds…" if busy else ""
        )
        if busy:
            show_message(self.error_label, "")

    @Slot()
    def _on_open_clicked(self) -> None:
        if not self.open_button.isEnabled():
            return
        typed = self.code_field.text()
        try:
            RecoveryCode.parse(typed)
        except RecoveryCodeError as e:
            self.show_error(str(e))
            return
        self.entered.emit(typed)
