"""The app with accounts, driven as a practitioner would, against the real service on loopback:
the first start, sign-up with the mailed code, sign-in, subscribing in the browser, signing out,
switching, a forgotten password, devices, and what goes wrong (wrong password, no service).
"""

from __future__ import annotations

import logging
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from sessionclock import app
from sessionclock.core.account.access import Standing
from sessionclock.core.account.client import AccountApi, make_service_client
from sessionclock.core.clock import SystemClock
from sessionclock.core.models import Session
from sessionclock.ui.account.account_dialog import AccountDialog
from sessionclock.ui.account.sign_in_dialog import Page
from sessionclock.ui.main.main_window import MainWindow
from tests.support.account_ui import (
    WAIT_MS,
    AccountsApp,
    press,
    running_app,
    sign_in,
    sign_up,
    type_into,
    wait_for_page,
    wait_until_signed_in,
)
from tests.support.desktop import COMPUTER_NAME
from tests.support.fake_resend import FakeResend
from tests.support.fake_stripe import FakeStripe
from tests.support.keyrings import InMemoryKeyring
from tests.support.live_service import RunningService, complete_checkout
from tests.support.prompts import ScriptedPrompts
from tests.support.service import PASSWORD, free_port, mailed_code, new_email

CLOCK = SystemClock(UTC)


def devices_at_service(service: RunningService, email: str) -> list[str]:
    with make_service_client(service.base_url) as client:
        api = AccountApi(client)
        token = api.sign_in(email=email, password=PASSWORD, device_name="checker")
        try:
            return [d.name for d in api.devices(token=token.token) if d.id != token.id]
        finally:
            api.sign_out(token=token.token)


def test_the_first_start_offers_sign_in_a_new_account_or_the_demo(
    qtbot: QtBot, accounts_app: AccountsApp
) -> None:
    dialog = wait_for_page(qtbot, accounts_app, Page.WELCOME)
    assert dialog.isVisible()
    for button in (
        dialog.welcome_sign_in_button,
        dialog.welcome_sign_up_button,
        dialog.demo_button,
    ):
        assert button.isVisible()
    schedule = accounts_app.application.window.schedule
    assert schedule.day_label.text() == "Signed out"
    assert not schedule.add_button.isEnabled()
    assert accounts_app.status() == "Not signed in"
    assert accounts_app.flow.menu.action_texts()[0] == "Not signed in"

    press(qtbot, dialog.demo_button)
    application = accounts_app.application
    qtbot.waitUntil(lambda: application.profile is not None and application.profile.demo)
    assert application.window.schedule.model.rowCount() > 0
    assert schedule.add_button.isEnabled()
    assert accounts_app.status() == "Demo day: nothing is kept"
    assert "Demo day: no account, nothing is kept" in accounts_app.flow.menu.action_texts()


def test_sign_up_confirm_and_the_trial_begins(
    qtbot: QtBot,
    accounts_app: AccountsApp,
    resend: FakeResend,
    live_service: RunningService,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    email = new_email()
    dialog = wait_for_page(qtbot, accounts_app, Page.WELCOME)
    press(qtbot, dialog.welcome_sign_up_button)
    type_into(qtbot, dialog.new_email_edit, email)
    type_into(qtbot, dialog.new_password_edit, PASSWORD)
    type_into(qtbot, dialog.repeat_password_edit, "something else")
    press(qtbot, dialog.sign_up_button)
    assert dialog.page is Page.SIGN_UP
    assert "not the same" in dialog._errors[Page.SIGN_UP].text()

    type_into(qtbot, dialog.repeat_password_edit, PASSWORD)
    press(qtbot, dialog.sign_up_button)
    wait_for_page(qtbot, accounts_app, Page.CONFIRM)
    assert "six-digit code" in dialog._notices[Page.CONFIRM].text()
    code = mailed_code(resend, email)
    type_into(qtbot, dialog.code_edit, "000000" if code != "000000" else "111111")
    press(qtbot, dialog.confirm_button)
    qtbot.waitUntil(lambda: dialog._errors[Page.CONFIRM].isVisible(), timeout=WAIT_MS)
    assert "not right" in dialog._errors[Page.CONFIRM].text()
    type_into(qtbot, dialog.code_edit, code)
    press(qtbot, dialog.confirm_button)
    wait_until_signed_in(qtbot, accounts_app, email)

    application = accounts_app.application
    qtbot.waitUntil(lambda: accounts_app.status().startswith("Free trial · ends"), timeout=WAIT_MS)
    assert application.window.schedule.day_label.text() != "Signed out"
    assert application.window.schedule.add_button.isEnabled()
    assert accounts_app.flow.menu.action_texts()[0] == f"Signed in as {email}"
    assert devices_at_service(live_service, email) == [COMPUTER_NAME]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (email, PASSWORD, code):
        assert secret not in logged


def test_a_wrong_password_and_a_missing_service_are_said_plainly(
    qtbot: QtBot, tmp_path: Path, memory_keyring: InMemoryKeyring
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    with running_app(qtbot, service_url=dead, data=tmp_path / "data", clock=CLOCK) as accounts:
        dialog = wait_for_page(qtbot, accounts, Page.WELCOME)
        press(qtbot, dialog.welcome_sign_in_button)
        type_into(qtbot, dialog.email_edit, "someone@example.org")
        type_into(qtbot, dialog.password_edit, PASSWORD)
        press(qtbot, dialog.sign_in_button)
        error = dialog._errors[Page.SIGN_IN]
        qtbot.waitUntil(error.isVisible, timeout=WAIT_MS)
        assert "could not be reached" in error.text()
        assert accounts.flow.current is None


def test_wrong_password_then_right_one(
    qtbot: QtBot, accounts_app: AccountsApp, resend: FakeResend
) -> None:
    email = new_email()
    sign_up(qtbot, accounts_app, resend, email)
    accounts_app.flow.sign_out()
    dialog = wait_for_page(qtbot, accounts_app, Page.SIGN_IN)
    type_into(qtbot, dialog.email_edit, email)
    type_into(qtbot, dialog.password_edit, "not my password")
    press(qtbot, dialog.sign_in_button)
    error = dialog._errors[Page.SIGN_IN]
    qtbot.waitUntil(error.isVisible, timeout=WAIT_MS)
    assert "do not match an account" in error.text()
    assert dialog.password_edit.text() == "not my password"
    sign_in(qtbot, accounts_app, email)


def test_subscribe_opens_checkout_and_the_app_notices_on_return(
    qtbot: QtBot,
    accounts_app: AccountsApp,
    resend: FakeResend,
    stripe: FakeStripe,
    live_service: RunningService,
) -> None:
    email = new_email()
    sign_up(qtbot, accounts_app, resend, email)
    page = accounts_app.flow.open_account_page()
    assert isinstance(page, AccountDialog)
    qtbot.waitUntil(lambda: page.device_list.count() == 1, timeout=WAIT_MS)
    assert COMPUTER_NAME in page.device_list.item(0).text()
    assert page.subscribe_button.isVisible()
    assert not page.manage_button.isVisible()

    press(qtbot, page.subscribe_button)
    browser = accounts_app.browser
    qtbot.waitUntil(lambda: bool(browser.opened), timeout=WAIT_MS)
    assert browser.opened[0].startswith("https://checkout.stripe.test/")
    assert accounts_app.flow.watch.is_fast_polling()
    assert "open in your browser" in page.notice_label.text()

    period_end = (CLOCK.now() + timedelta(days=30)).replace(microsecond=0)
    complete_checkout(live_service, stripe, email=email, period_end=period_end)
    # The practitioner comes back to the window.
    window = accounts_app.application.window
    QApplication.sendEvent(window, QEvent(QEvent.Type.WindowActivate))
    qtbot.waitUntil(
        lambda: accounts_app.status().startswith("Subscribed · paid until"), timeout=WAIT_MS
    )
    assert accounts_app.flow.watch.access.standing is Standing.ACTIVE
    assert not accounts_app.flow.watch.is_fast_polling(), "the change arrived: polling stops"
    assert page.manage_button.isVisible()
    assert not page.subscribe_button.isVisible()

    press(qtbot, page.manage_button)
    qtbot.waitUntil(lambda: len(browser.opened) == 2, timeout=WAIT_MS)
    assert browser.opened[1].startswith("https://billing.stripe.test/")


def test_sign_out_locks_and_the_switcher_brings_each_account_back(
    qtbot: QtBot, accounts_app: AccountsApp, resend: FakeResend
) -> None:
    first, second = new_email(), new_email()
    sign_up(qtbot, accounts_app, resend, first)
    application = accounts_app.application
    now = CLOCK.now()
    application.controller.add_session(Session("Ann Marker", now, now + timedelta(hours=1)))
    assert application.window.schedule.model.rowCount() == 1

    sign_in_link = accounts_app.flow.menu.action_named("Sign in to another account…")
    sign_in_link.trigger()
    sign_up(qtbot, accounts_app, resend, second)
    assert application.window.schedule.model.rowCount() == 0
    assert accounts_app.flow.menu.action_texts()[0] == f"Signed in as {second}"
    assert first in accounts_app.flow.menu.action_texts()

    accounts_app.flow.menu.action_named(first).trigger()
    qtbot.waitUntil(lambda: application.window.schedule.model.rowCount() == 1)
    assert accounts_app.flow.current is not None
    assert accounts_app.flow.current.link.email == first

    accounts_app.flow.menu.action_named("Sign out").trigger()
    assert application.profile is None
    assert application.window.schedule.model.rowCount() == 0
    assert application.window.schedule.day_label.text() == "Signed out"
    assert accounts_app.status() == "Not signed in"
    assert application.window.countdown.face is None, "nothing of anyone's day on the clock"
    assert application.room.countdown.face is None
    assert application.open_calendar_settings() is None
    assert application.export_schedule() is None
    texts = accounts_app.flow.menu.action_texts()
    assert f"{first} (sign in)…" in texts
    assert second in texts
    # The signed-out account needs its password again; the other does not.
    accounts_app.flow.menu.action_named(f"{first} (sign in)…").trigger()
    dialog = wait_for_page(qtbot, accounts_app, Page.SIGN_IN)
    assert dialog.email_edit.text() == first
    dialog.reject()
    accounts_app.flow.menu.action_named(second).trigger()
    wait_until_signed_in(qtbot, accounts_app, second)


def test_a_forgotten_password_is_reset_with_the_mailed_code(
    qtbot: QtBot, accounts_app: AccountsApp, resend: FakeResend
) -> None:
    email = new_email()
    sign_up(qtbot, accounts_app, resend, email)
    accounts_app.flow.sign_out()
    dialog = wait_for_page(qtbot, accounts_app, Page.SIGN_IN)
    press(qtbot, dialog.forgot_link)
    type_into(qtbot, dialog.forgot_email_edit, email)
    press(qtbot, dialog.send_code_button)
    wait_for_page(qtbot, accounts_app, Page.RESET)
    type_into(qtbot, dialog.reset_code_edit, mailed_code(resend, email, kind="reset"))
    type_into(qtbot, dialog.reset_password_edit, "my new long password")
    type_into(qtbot, dialog.reset_repeat_edit, "my new long password")
    press(qtbot, dialog.reset_button)
    wait_until_signed_in(qtbot, accounts_app, email)


def test_changing_the_password_and_signing_a_device_out(
    qtbot: QtBot, accounts_app: AccountsApp, resend: FakeResend, live_service: RunningService
) -> None:
    email = new_email()
    sign_up(qtbot, accounts_app, resend, email)
    with make_service_client(live_service.base_url) as client:
        tablet = AccountApi(client).sign_in(
            email=email, password=PASSWORD, device_name="Room tablet"
        )
    page = accounts_app.flow.open_account_page()
    assert page is not None
    qtbot.waitUntil(lambda: page.device_list.count() == 2, timeout=WAIT_MS)
    page.select_device(tablet.id)
    press(qtbot, page.sign_out_device_button)
    qtbot.waitUntil(lambda: page.device_list.count() == 1, timeout=WAIT_MS)
    assert "signed out" in page.notice_label.text()

    press(qtbot, page.change_password_button)
    change = accounts_app.flow.password_dialog
    assert change is not None
    type_into(qtbot, change.current_edit, "wrong password")
    type_into(qtbot, change.new_edit, "an even newer password")
    type_into(qtbot, change.repeat_edit, "an even newer password")
    press(qtbot, change.change_button)
    qtbot.waitUntil(change.error_label.isVisible, timeout=WAIT_MS)
    assert "not right" in change.error_label.text()
    type_into(qtbot, change.current_edit, PASSWORD)
    press(qtbot, change.change_button)
    qtbot.waitUntil(lambda: accounts_app.flow.password_dialog is None, timeout=WAIT_MS)
    assert "password is changed" in page.notice_label.text()
    assert accounts_app.flow.current is not None, "this computer stays signed in"


def test_signed_out_elsewhere_the_running_session_is_finished_first(
    qtbot: QtBot, accounts_app: AccountsApp, resend: FakeResend, live_service: RunningService
) -> None:
    email = new_email()
    sign_up(qtbot, accounts_app, resend, email)
    application = accounts_app.application
    now = CLOCK.now()
    application.controller.add_session(
        Session("Ann Marker", now - timedelta(minutes=5), now + timedelta(minutes=50))
    )
    with make_service_client(live_service.base_url) as client:
        api = AccountApi(client)
        other = api.sign_in(email=email, password=PASSWORD, device_name="Phone")
        for device in api.devices(token=other.token):
            if device.name == COMPUTER_NAME:
                api.sign_out_device(token=other.token, device_id=device.id)
    accounts_app.flow.watch.check_now()
    qtbot.waitUntil(lambda: accounts_app.flow._lock_after_session, timeout=WAIT_MS)
    application.controller.tick()
    assert application.profile is not None, "the session under way goes on"
    assert application.window.schedule.model.rowCount() == 1
    application.controller.end_now()
    qtbot.waitUntil(lambda: application.profile is None, timeout=WAIT_MS)
    assert application.window.schedule.model.rowCount() == 0
    wait_for_page(qtbot, accounts_app, Page.SIGN_IN)


def test_demo_needs_no_account_and_no_service(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An address the app would refuse: --demo never even looks at it.
    monkeypatch.setenv("SESSIONCLOCK_SERVICE_URL", "http://not-loopback.example")
    prompts = ScriptedPrompts()
    menus: list[list[str]] = []

    def quit_once_the_day_shows() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.schedule.model.rowCount() > 0:
                menus.append([a.text() for a in widget.menuBar().actions()])
                widget.quit_action.trigger()
                return
        QTimer.singleShot(20, quit_once_the_day_shows)

    QTimer.singleShot(0, quit_once_the_day_shows)
    assert app.main(["--demo", "--data-dir", str(tmp_path)], prompts=prompts) == 0
    assert prompts.reports == []
    assert menus and "&Account" not in menus[0]
    assert not (tmp_path / "sessionclock.db").exists()
