"""The whole app with accounts, on a desktop of fakes, against the real service; and the steps a
practitioner takes in its account screens (typing into the fields, pressing the buttons).

The network calls run on worker threads as in the app, so every step waits for the screen to
change (``qtbot.waitUntil``), never for a fixed time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from sessionclock.app import Application, start_accounts
from sessionclock.core.clock import Clock
from sessionclock.core.keystore import KeyStore
from sessionclock.ui.account.account_flow import AccountFlow
from sessionclock.ui.account.sign_in_dialog import Page, SignInDialog
from tests.support.desktop import Browser, fake_desktop
from tests.support.fake_resend import FakeResend
from tests.support.prompts import ScriptedPrompts
from tests.support.service import PASSWORD, mailed_code

WAIT_MS = 15_000
"""How long a step may wait for the service's answer (the machine may be busy)."""


@dataclass
class AccountsApp:
    """The app running on this computer's profiles, and what the test reads back.

    Attributes:
        application: the app.
        flow: its accounts.
        browser: the default browser (remembers what was opened).
        prompts: scripted answers and the reports shown.
        data: the data folder (database, this computer's settings).
    """

    application: Application
    flow: AccountFlow
    browser: Browser
    prompts: ScriptedPrompts
    data: Path

    def status(self) -> str:
        """Return the window's subscription line."""
        return self.application.access_label.text()

    def dialog(self) -> SignInDialog:
        """Return the open sign-in dialog."""
        dialog = self.flow.sign_in_dialog
        assert dialog is not None, "the sign-in dialog is not open"
        return dialog


def start_app(
    qtbot: QtBot,
    *,
    service_url: str,
    data: Path,
    clock: Clock,
    prompts: ScriptedPrompts | None = None,
    keystore: KeyStore | None = None,
) -> AccountsApp:
    """Start the app on the profiles in *data*, signing in at *service_url* (with *keystore*:
    this computer's key store, default the OS one)."""
    browser = Browser()
    prompts = prompts or ScriptedPrompts()
    desktop = fake_desktop(data, browser=browser)
    application = Application(clock, desktop=desktop, prompts=prompts)
    qtbot.addWidget(application.window)
    qtbot.addWidget(application.room)
    flow = start_accounts(
        application,
        data_dir=data,
        service_url=service_url,
        desktop=desktop,
        prompts=prompts,
        keystore=keystore,
    )
    return AccountsApp(application, flow, browser, prompts, data)


@contextmanager
def running_app(
    qtbot: QtBot,
    *,
    service_url: str,
    data: Path,
    clock: Clock,
    prompts: ScriptedPrompts | None = None,
    keystore: KeyStore | None = None,
) -> Iterator[AccountsApp]:
    """``start_app``, shut down afterwards."""
    app = start_app(
        qtbot, service_url=service_url, data=data, clock=clock, prompts=prompts, keystore=keystore
    )
    try:
        yield app
    finally:
        app.application.shutdown()


def type_into(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    """Replace *edit*'s text by typing *text*, key by key."""
    edit.clear()
    qtbot.keyClicks(edit, text)


def press(qtbot: QtBot, button: QPushButton) -> None:
    """Click *button* with the mouse, as a practitioner would."""
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def wait_for_page(qtbot: QtBot, app: AccountsApp, page: Page) -> SignInDialog:
    """Wait until the sign-in dialog shows *page* and is ready for input."""
    qtbot.waitUntil(
        lambda: (
            app.flow.sign_in_dialog is not None
            and app.flow.sign_in_dialog.page is page
            and app.flow.sign_in_dialog.stack.isEnabled()
        ),
        timeout=WAIT_MS,
    )
    return app.dialog()


def wait_until_signed_in(qtbot: QtBot, app: AccountsApp, email: str) -> None:
    """Wait until the sign-in dialog has closed on *email*'s account, shown in the window, and
    the first check of its subscription has answered."""
    qtbot.waitUntil(
        lambda: (
            app.flow.sign_in_dialog is None
            and app.flow.current is not None
            and app.flow.current.link.email == email
            and app.application.profile is not None
            and app.flow.watch.reachable is not None
        ),
        timeout=WAIT_MS,
    )


def sign_up(
    qtbot: QtBot, app: AccountsApp, mailbox: FakeResend, email: str, password: str = PASSWORD
) -> None:
    """Create an account from the sign-in dialog, confirm it with the mailed code, and wait
    until the app shows it."""
    dialog = app.dialog()
    if dialog.page is Page.WELCOME:
        press(qtbot, dialog.welcome_sign_up_button)
    elif dialog.page is not Page.SIGN_UP:
        dialog.show_page(Page.SIGN_UP)
    type_into(qtbot, dialog.new_email_edit, email)
    type_into(qtbot, dialog.new_password_edit, password)
    type_into(qtbot, dialog.repeat_password_edit, password)
    press(qtbot, dialog.sign_up_button)
    dialog = wait_for_page(qtbot, app, Page.CONFIRM)
    type_into(qtbot, dialog.code_edit, mailed_code(mailbox, email))
    press(qtbot, dialog.confirm_button)
    wait_until_signed_in(qtbot, app, email)


def sign_in(qtbot: QtBot, app: AccountsApp, email: str, password: str = PASSWORD) -> None:
    """Sign in from the sign-in dialog (opening it from the Account menu if need be) and wait
    until the app shows the account."""
    if app.flow.sign_in_dialog is None:
        app.flow.menu.action_named(
            "Sign in to another account…" if app.flow.current else "Sign in…"
        ).trigger()
    dialog = app.dialog()
    if dialog.page is not Page.SIGN_IN:
        dialog.show_page(Page.SIGN_IN)
    type_into(qtbot, dialog.email_edit, email)
    type_into(qtbot, dialog.password_edit, password)
    press(qtbot, dialog.sign_in_button)
    wait_until_signed_in(qtbot, app, email)
