"""Welcome, sign in, create an account, confirm the address, reset a forgotten password.

One dialog with a page for each step. It only collects what the practitioner types and says
what they asked for through signals; ``AccountFlow`` talks to the service and answers with
``show_page``, ``show_error`` and ``show_notice``. Passwords never leave the dialog except in
those signals, and the fields are emptied when it closes.
"""

from __future__ import annotations

import enum

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from sessionclock.core.account.models import MIN_PASSWORD, looks_like_email, normalise_email
from sessionclock.ui.account.widgets import (
    button,
    clear_secrets,
    field,
    fit_wrapped_text,
    link_button,
    message_label,
    show_message,
    take_new_password,
    text_label,
    title_label,
)


class Page(enum.IntEnum):
    """The dialog's pages, in the order they are stacked."""

    WELCOME = 0
    SIGN_IN = 1
    SIGN_UP = 2
    CONFIRM = 3
    FORGOT = 4
    RESET = 5


class SignInDialog(QDialog):
    """The way into an account on this computer.

    Signals:
        sign_in_requested: emitted with (e-mail, password, device name).
        sign_up_requested: emitted with (e-mail, password).
        confirm_requested: emitted with (e-mail, code).
        reset_code_requested: emitted with the e-mail address to send a reset code to.
        reset_requested: emitted with (e-mail, code, new password).
        demo_requested: the practitioner chose to try the demo.
    """

    sign_in_requested = Signal(str, str, str)
    sign_up_requested = Signal(str, str)
    confirm_requested = Signal(str, str)
    reset_code_requested = Signal(str)
    reset_requested = Signal(str, str, str)
    demo_requested = Signal()

    def __init__(
        self,
        *,
        device_name: str,
        offer_demo: bool = True,
        page: Page = Page.WELCOME,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Session Clock account")
        self.setMinimumWidth(500)
        self._busy = False
        self._email = ""
        self._action_texts: dict[Page, str] = {}
        self.stack = QStackedWidget()
        self._errors: dict[Page, QLabel] = {}
        self._notices: dict[Page, QLabel] = {}
        self._actions: dict[Page, QPushButton] = {}
        self._build_welcome(offer_demo)
        self._build_sign_in(device_name)
        self._build_sign_up()
        self._build_confirm()
        self._build_forgot()
        self._build_reset()
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack)
        self.show_page(page)

    # -- pages ---------------------------------------------------------------------------------

    def _page(self, page: Page, title: str, text: str) -> QVBoxLayout:
        widget = QWidget()
        layout = QVBoxLayout(widget)
        layout.setSpacing(10)
        layout.addWidget(title_label(title))
        if text:
            layout.addWidget(text_label(text))
        notice = message_label(error=False)
        self._notices[page] = notice
        layout.addWidget(notice)
        self._errors[page] = message_label(error=True)
        self.stack.insertWidget(page, widget)
        return layout

    def _action(self, page: Page, layout: QVBoxLayout, action: QPushButton) -> None:
        """Add the page's main button, with the page's error message just above it."""
        layout.addWidget(self._errors[page])
        layout.addWidget(action)

    def _finish(self, page: Page, layout: QVBoxLayout, action: QPushButton | None) -> None:
        if action is None:
            layout.addWidget(self._errors[page])
        layout.addStretch(1)
        if action is not None:
            self._actions[page] = action
            self._action_texts[page] = action.text()

    def _build_welcome(self, offer_demo: bool) -> None:
        layout = self._page(
            Page.WELCOME,
            "Welcome to Session Clock",
            "Sign in to see your schedule on this computer. Each practitioner has an account of "
            "their own: what one keeps here, the others never see.",
        )
        self.welcome_sign_in_button = button("&Sign in", default=True)
        self.welcome_sign_up_button = button("&Create an account (free trial)")
        self.demo_button = button("&Try the demo (no account, nothing kept)")
        self.demo_button.setVisible(offer_demo)
        for push in (self.welcome_sign_in_button, self.welcome_sign_up_button, self.demo_button):
            layout.addWidget(push)
        self._finish(Page.WELCOME, layout, None)
        self.welcome_sign_in_button.clicked.connect(lambda: self.show_page(Page.SIGN_IN))
        self.welcome_sign_up_button.clicked.connect(lambda: self.show_page(Page.SIGN_UP))
        self.demo_button.clicked.connect(self._on_demo_clicked)

    def _build_sign_in(self, device_name: str) -> None:
        layout = self._page(Page.SIGN_IN, "Sign in", "")
        self.email_edit = field("E-mail address", placeholder="you@example.com")
        self.password_edit = field("Password", secret=True)
        self.device_edit = field("This computer's name")
        self.device_edit.setText(device_name)
        self.device_edit.setMaxLength(60)
        form = QFormLayout()
        form.addRow("&E-mail:", self.email_edit)
        form.addRow("&Password:", self.password_edit)
        form.addRow("&Computer:", self.device_edit)
        layout.addLayout(form)
        layout.addWidget(
            text_label("The computer's name appears in your list of devices.", muted=True)
        )
        self.sign_in_button = button("&Sign in", default=True)
        self._action(Page.SIGN_IN, layout, self.sign_in_button)
        self.forgot_link = link_button("Forgot your password?")
        self.have_code_link = link_button("Have a confirmation code?")
        self.create_link = link_button("Create an account")
        links = QHBoxLayout()
        for link in (self.forgot_link, self.have_code_link, self.create_link):
            links.addWidget(link)
        links.addStretch(1)
        layout.addLayout(links)
        self._finish(Page.SIGN_IN, layout, self.sign_in_button)
        self.sign_in_button.clicked.connect(self._on_sign_in_clicked)
        self.password_edit.returnPressed.connect(self._on_sign_in_clicked)
        self.forgot_link.clicked.connect(lambda: self.show_page(Page.FORGOT))
        self.have_code_link.clicked.connect(lambda: self.show_page(Page.CONFIRM))
        self.create_link.clicked.connect(lambda: self.show_page(Page.SIGN_UP))

    def _build_sign_up(self) -> None:
        layout = self._page(
            Page.SIGN_UP,
            "Create an account",
            "We e-mail you a six-digit code to confirm the address; the free trial starts once "
            "it is confirmed.",
        )
        self.new_email_edit = field("E-mail address for the new account")
        self.new_password_edit = field("New password", secret=True)
        self.new_password_edit.setPlaceholderText(f"at least {MIN_PASSWORD} characters")
        self.repeat_password_edit = field("Repeat the new password", secret=True)
        form = QFormLayout()
        form.addRow("&E-mail:", self.new_email_edit)
        form.addRow("&Password:", self.new_password_edit)
        form.addRow("&Repeat:", self.repeat_password_edit)
        layout.addLayout(form)
        self.sign_up_button = button("&Create account", default=True)
        self._action(Page.SIGN_UP, layout, self.sign_up_button)
        self._back_link(layout, Page.WELCOME)
        self._finish(Page.SIGN_UP, layout, self.sign_up_button)
        self.sign_up_button.clicked.connect(self._on_sign_up_clicked)
        self.repeat_password_edit.returnPressed.connect(self._on_sign_up_clicked)

    def _build_confirm(self) -> None:
        layout = self._page(
            Page.CONFIRM,
            "Confirm your e-mail address",
            "Enter the six-digit code from the e-mail we sent. (The e-mail also links to a page "
            "that takes the same code.)",
        )
        self.confirm_email_edit = field("E-mail address to confirm")
        self.code_edit = field("Confirmation code", placeholder="123456")
        self.code_edit.setMaxLength(32)
        form = QFormLayout()
        form.addRow("&E-mail:", self.confirm_email_edit)
        form.addRow("C&ode:", self.code_edit)
        layout.addLayout(form)
        self.confirm_button = button("C&onfirm", default=True)
        self._action(Page.CONFIRM, layout, self.confirm_button)
        self.new_code_link = link_button("No e-mail? Sign up again for a new code")
        layout.addWidget(self.new_code_link)
        self._back_link(layout, Page.SIGN_IN)
        self._finish(Page.CONFIRM, layout, self.confirm_button)
        self.confirm_button.clicked.connect(self._on_confirm_clicked)
        self.code_edit.returnPressed.connect(self._on_confirm_clicked)
        self.new_code_link.clicked.connect(lambda: self.show_page(Page.SIGN_UP))

    def _build_forgot(self) -> None:
        layout = self._page(
            Page.FORGOT,
            "Reset your password",
            "We e-mail a six-digit code to the address, if it has an account.",
        )
        self.forgot_email_edit = field("E-mail address of the account")
        form = QFormLayout()
        form.addRow("&E-mail:", self.forgot_email_edit)
        layout.addLayout(form)
        self.send_code_button = button("&Send code", default=True)
        self._action(Page.FORGOT, layout, self.send_code_button)
        self._back_link(layout, Page.SIGN_IN)
        self._finish(Page.FORGOT, layout, self.send_code_button)
        self.send_code_button.clicked.connect(self._on_send_code_clicked)
        self.forgot_email_edit.returnPressed.connect(self._on_send_code_clicked)

    def _build_reset(self) -> None:
        layout = self._page(
            Page.RESET,
            "Choose a new password",
            "Enter the code from the e-mail and a new password. Every device signed in to the "
            "account is signed out; this one signs in again with the new password.",
        )
        self.reset_code_edit = field("Reset code", placeholder="123456")
        self.reset_code_edit.setMaxLength(32)
        self.reset_password_edit = field("New password", secret=True)
        self.reset_password_edit.setPlaceholderText(f"at least {MIN_PASSWORD} characters")
        self.reset_repeat_edit = field("Repeat the new password", secret=True)
        form = QFormLayout()
        form.addRow("C&ode:", self.reset_code_edit)
        form.addRow("&Password:", self.reset_password_edit)
        form.addRow("&Repeat:", self.reset_repeat_edit)
        layout.addLayout(form)
        self.reset_button = button("Set &new password", default=True)
        self._action(Page.RESET, layout, self.reset_button)
        self._back_link(layout, Page.FORGOT)
        self._finish(Page.RESET, layout, self.reset_button)
        self.reset_button.clicked.connect(self._on_reset_clicked)
        self.reset_repeat_edit.returnPressed.connect(self._on_reset_clicked)

    def _back_link(self, layout: QVBoxLayout, page: Page) -> None:
        back = link_button("◀ Back")
        back.setAccessibleName("Back")
        back.clicked.connect(lambda: self.show_page(page))
        layout.addWidget(back)

    # -- what the flow says --------------------------------------------------------------------

    @property
    def page(self) -> Page:
        """Return the page shown."""
        return Page(self.stack.currentIndex())

    @property
    def email(self) -> str:
        """Return the e-mail address last typed on any page (normalised)."""
        return self._email

    def show_page(self, page: Page, *, notice: str = "") -> None:
        """Show *page* (and *notice* on it), with the e-mail address carried over."""
        current = self._email
        for edit in (
            self.email_edit,
            self.new_email_edit,
            self.confirm_email_edit,
            self.forgot_email_edit,
        ):
            if current and not edit.text().strip():
                edit.setText(current)
        for label in (*self._errors.values(), *self._notices.values()):
            show_message(label, "")
        show_message(self._notices[page], notice)
        self.stack.setCurrentIndex(page)
        first = {
            Page.SIGN_IN: self.password_edit if self.email_edit.text() else self.email_edit,
            Page.SIGN_UP: self.new_email_edit,
            Page.CONFIRM: self.code_edit,
            Page.FORGOT: self.forgot_email_edit,
            Page.RESET: self.reset_code_edit,
        }.get(page)
        if first is not None:
            first.setFocus()
        action = self._actions.get(page)
        if action is not None:
            action.setDefault(True)

    def show_error(self, message: str) -> None:
        """Say on the page shown what went wrong."""
        show_message(self._errors[self.page], message)
        fit_wrapped_text(self)

    def show_notice(self, message: str) -> None:
        """Say on the page shown what happened."""
        show_message(self._notices[self.page], message)
        fit_wrapped_text(self)

    def set_busy(self, busy: bool) -> None:
        """Disable the page's controls while the service is asked."""
        self._busy = busy
        self.stack.setEnabled(not busy)
        action = self._actions.get(self.page)
        if action is not None and busy:
            action.setText("Please wait…")
        elif action is not None:
            action.setText(self._action_texts[self.page])

    @property
    def device_name(self) -> str:
        """Return the name this computer signs in with."""
        return self.device_edit.text().strip() or "This computer"

    # -- what the practitioner did -------------------------------------------------------------

    def _take_email(self, edit: QLineEdit) -> str | None:
        text = edit.text()
        if not looks_like_email(text):
            self.show_error("Enter an e-mail address, like you@example.com.")
            edit.setFocus()
            return None
        self._email = normalise_email(text)
        return self._email

    @Slot()
    def _on_sign_in_clicked(self) -> None:
        if self._busy:
            return
        email = self._take_email(self.email_edit)
        if email is None:
            return
        if not self.password_edit.text():
            self.show_error("Enter the password.")
            self.password_edit.setFocus()
            return
        self.sign_in_requested.emit(email, self.password_edit.text(), self.device_name)

    @Slot()
    def _on_sign_up_clicked(self) -> None:
        if self._busy:
            return
        email = self._take_email(self.new_email_edit)
        if email is None:
            return
        password = take_new_password(
            self.new_password_edit, self.repeat_password_edit, self.show_error
        )
        if password is not None:
            self.sign_up_requested.emit(email, password)

    @Slot()
    def _on_confirm_clicked(self) -> None:
        if self._busy:
            return
        email = self._take_email(self.confirm_email_edit)
        if email is None:
            return
        code = "".join(self.code_edit.text().split())
        if not code:
            self.show_error("Enter the code from the e-mail.")
            self.code_edit.setFocus()
            return
        self.confirm_requested.emit(email, code)

    @Slot()
    def _on_send_code_clicked(self) -> None:
        if self._busy:
            return
        email = self._take_email(self.forgot_email_edit)
        if email is not None:
            self.reset_code_requested.emit(email)

    @Slot()
    def _on_reset_clicked(self) -> None:
        if self._busy:
            return
        code = "".join(self.reset_code_edit.text().split())
        if not code:
            self.show_error("Enter the code from the e-mail.")
            self.reset_code_edit.setFocus()
            return
        password = take_new_password(
            self.reset_password_edit, self.reset_repeat_edit, self.show_error
        )
        if password is not None:
            self.reset_requested.emit(self._email, code, password)

    @Slot()
    def _on_demo_clicked(self) -> None:
        self.demo_requested.emit()

    # -- Qt events -----------------------------------------------------------------------------

    def done(self, result: int) -> None:
        clear_secrets(self)
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        clear_secrets(self)
        super().closeEvent(event)
