"""Accounts on a real X display, typed and clicked as a practitioner would (``xdotool``): sign up,
confirm with the mailed code, subscribe (the browser opening captured), sign out, sign up a
second practitioner and switch back to the first, against the real service on loopback.

Run by ``tests/ui/test_xvfb_suite.py`` (see this folder's conftest).
"""

from __future__ import annotations

import subprocess

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from sessionclock.ui.account.sign_in_dialog import Page, SignInDialog
from tests.support.account_ui import WAIT_MS, AccountsApp, wait_for_page
from tests.support.fake_resend import FakeResend
from tests.support.service import PASSWORD, mailed_code, new_email


def xdotool(*args: str) -> None:
    subprocess.run(["xdotool", *args], check=True, timeout=20)


def focus(qtbot: QtBot, window: QWidget) -> None:
    """Give *window* the keyboard, through the window manager."""
    xdotool("windowactivate", "--sync", str(int(window.winId())))
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)


def click(qtbot: QtBot, widget: QWidget, *, at: QRect | None = None) -> None:
    """Click the middle of *widget* (or of the part *at* of it) with the mouse."""
    qtbot.waitUntil(lambda: widget.isVisible() and widget.isEnabled(), timeout=WAIT_MS)
    centre = widget.mapToGlobal((at or widget.rect()).center())
    xdotool("mousemove", "--sync", str(centre.x()), str(centre.y()), "click", "1")


def type_text(*keys_or_text: str) -> None:
    """Type text, or press keys given as ``key:NAME`` (``key:Tab``, ``key:Return``)."""
    for item in keys_or_text:
        if item.startswith("key:"):
            xdotool("key", item.removeprefix("key:"))
        else:
            xdotool("type", "--delay", "10", item)


def choose_from_account_menu(qtbot: QtBot, app: AccountsApp, entry: str) -> None:
    """Open the Account menu in the window's menu bar and choose *entry*, with the mouse."""
    window, menu = app.application.window, app.flow.menu
    focus(qtbot, window)
    bar = window.menuBar()
    click(qtbot, bar, at=bar.actionGeometry(menu.menuAction()))
    qtbot.waitUntil(menu.isVisible, timeout=WAIT_MS)
    click(qtbot, menu, at=menu.actionGeometry(menu.action_named(entry)))


def sign_up_by_hand(
    qtbot: QtBot, app: AccountsApp, dialog: SignInDialog, mailbox: FakeResend, email: str
) -> None:
    """On the Create an account page: type the address and password, then the mailed code."""
    qtbot.waitUntil(lambda: dialog.new_email_edit.hasFocus(), timeout=WAIT_MS)
    type_text(email, "key:Tab", PASSWORD, "key:Tab", PASSWORD, "key:Return")
    wait_for_page(qtbot, app, Page.CONFIRM)
    qtbot.waitUntil(lambda: dialog.code_edit.hasFocus(), timeout=WAIT_MS)
    type_text(mailed_code(mailbox, email), "key:Return")
    qtbot.waitUntil(
        lambda: app.flow.current is not None and app.flow.current.link.email == email,
        timeout=WAIT_MS,
    )


def test_sign_up_subscribe_sign_out_and_switch_on_a_real_display(
    qtbot: QtBot, accounts_app: AccountsApp, resend: FakeResend
) -> None:
    app = accounts_app
    first, second = new_email(), new_email()
    app.application.window.show()
    qtbot.waitExposed(app.application.window)

    dialog = wait_for_page(qtbot, app, Page.WELCOME)
    qtbot.waitExposed(dialog)
    focus(qtbot, dialog)
    click(qtbot, dialog.welcome_sign_up_button)
    sign_up_by_hand(qtbot, app, dialog, resend, first)
    qtbot.waitUntil(lambda: app.status().startswith("Free trial"), timeout=WAIT_MS)

    # Account ▸ Your account…, then Subscribe.
    choose_from_account_menu(qtbot, app, "Your account…")
    qtbot.waitUntil(lambda: app.flow.account_dialog is not None, timeout=WAIT_MS)
    page = app.flow.account_dialog
    assert page is not None
    qtbot.waitExposed(page)
    click(qtbot, page.subscribe_button)
    qtbot.waitUntil(lambda: bool(app.browser.opened), timeout=WAIT_MS)
    assert app.browser.opened[0].startswith("https://checkout.stripe.test/")

    click(qtbot, page.sign_out_button)
    qtbot.waitUntil(lambda: app.application.profile is None, timeout=WAIT_MS)
    dialog = wait_for_page(qtbot, app, Page.SIGN_IN)
    qtbot.waitExposed(dialog)
    focus(qtbot, dialog)
    click(qtbot, dialog.create_link)
    sign_up_by_hand(qtbot, app, dialog, resend, second)

    # Switch back to the first practitioner: signed out, so the password is asked again.
    choose_from_account_menu(qtbot, app, f"{first} (sign in)…")
    dialog = wait_for_page(qtbot, app, Page.SIGN_IN)
    assert dialog.email_edit.text() == first
    qtbot.waitExposed(dialog)
    focus(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.password_edit.hasFocus(), timeout=WAIT_MS)
    type_text(PASSWORD, "key:Return")
    qtbot.waitUntil(
        lambda: app.flow.current is not None and app.flow.current.link.email == first,
        timeout=WAIT_MS,
    )
    assert app.application.profile is not None
