"""Small pieces the account screens share: titles, messages, buttons and fields."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QWidget

from sessionclock.core.account.models import PASSWORD_TOO_SHORT, new_password_problem
from sessionclock.core.themes import CHROME

BUTTON_HEIGHT = 40
"""Height of the account screens' buttons (a comfortable click or touch)."""


def title_label(text: str) -> QLabel:
    """Return a page title: bold and a little larger than the text."""
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.3)
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)
    return label


def text_label(text: str = "", *, muted: bool = False) -> QLabel:
    """Return a wrapping paragraph (muted: in the placeholder colour)."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if muted:
        label.setStyleSheet("color: palette(placeholder-text);")
    return label


def message_label(*, error: bool) -> QLabel:
    """Return a hidden label for what went wrong (error colour) or what happened."""
    label = text_label()
    label.setAccessibleName("Problem" if error else "Notice")
    if error:
        label.setStyleSheet(f"color: {CHROME.error};")
    label.hide()
    return label


def show_message(label: QLabel, message: str) -> None:
    """Show *message* in *label*, or hide the label when it is empty."""
    label.setText(message)
    label.setVisible(bool(message))


def button(text: str, accessible: str | None = None, *, default: bool = False) -> QPushButton:
    """Return a push button ``BUTTON_HEIGHT`` tall."""
    push = QPushButton(text)
    push.setMinimumHeight(BUTTON_HEIGHT)
    if accessible:
        push.setAccessibleName(accessible)
    push.setDefault(default)
    push.setAutoDefault(default)
    return push


def link_button(text: str) -> QPushButton:
    """Return a flat button that reads like a link (a way to another page)."""
    push = QPushButton(text)
    push.setFlat(True)
    push.setCursor(Qt.CursorShape.PointingHandCursor)
    push.setAutoDefault(False)
    push.setStyleSheet("QPushButton { color: palette(link); text-align: left; padding: 4px; }")
    return push


def field(accessible: str, *, secret: bool = False, placeholder: str = "") -> QLineEdit:
    """Return a line edit named for screen readers (*secret*: typed characters hidden)."""
    edit = QLineEdit()
    edit.setAccessibleName(accessible)
    edit.setMinimumHeight(32)
    if secret:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    if placeholder:
        edit.setPlaceholderText(placeholder)
    return edit


def clear_secrets(widget: QWidget) -> None:
    """Empty every password field under *widget* (so no password lingers in a closed screen)."""
    for edit in widget.findChildren(QLineEdit):
        if edit.echoMode() == QLineEdit.EchoMode.Password:
            edit.clear()


def fit_wrapped_text(window: QWidget) -> None:
    """Make *window* tall enough for its wrapped text at its width.

    A top-level window's layout does not grow it for text that wraps onto more lines
    (height-for-width); without this, a long sentence is drawn over the one below it.
    """
    layout = window.layout()
    if layout is None:
        return
    layout.activate()
    width = max(window.width(), window.minimumWidth(), layout.minimumSize().width())
    needed = layout.totalHeightForWidth(width)
    if needed > window.height() or width > window.width():
        window.resize(width, max(needed, window.height()))


def take_new_password(
    first: QLineEdit, second: QLineEdit, show_error: Callable[[str], None]
) -> str | None:
    """Return the new password typed twice, or say what is wrong and put the cursor there."""
    problem = new_password_problem(first.text(), second.text())
    if problem is None:
        return first.text()
    show_error(problem)
    (first if problem == PASSWORD_TOO_SHORT else second).setFocus()
    return None
