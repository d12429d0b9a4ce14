"""Two practitioners on one computer: neither sees the other's sessions, settings or calendar
address through any screen, and deleting one leaves no trace of it while the other's data
still opens.

Both accounts are real accounts at the real service on loopback; every step goes through the
app's screens.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import replace
from datetime import UTC, timedelta

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from sessionclock.core.account.client import AccountApi, make_service_client
from sessionclock.core.clock import SystemClock
from sessionclock.core.errors import SignInFailedError
from sessionclock.core.models import Session
from sessionclock.core.preferences import ThemeName
from sessionclock.ui.account.sign_in_dialog import Page
from sessionclock.ui.dialogs.settings_dialog import SettingsDialog
from sessionclock.ui.sync.calendar_dialog import CalendarDialog
from tests.support.account_ui import (
    WAIT_MS,
    AccountsApp,
    press,
    sign_up,
    type_into,
    wait_for_page,
)
from tests.support.fake_resend import FakeResend
from tests.support.keyrings import InMemoryKeyring
from tests.support.live_service import RunningService
from tests.support.service import PASSWORD, new_email
from tests.test_privacy import scan

CLOCK = SystemClock(UTC)


def fill_account(qtbot: QtBot, app: AccountsApp, marker: str) -> None:
    """Give the account shown a session, a calendar address and a setting, through the screens."""
    application = app.application
    now = CLOCK.now()
    application.controller.add_session(
        Session(f"{marker} Client", now + timedelta(hours=1), now + timedelta(hours=2))
    )
    dialog = application.open_calendar_settings()
    assert isinstance(dialog, CalendarDialog)
    type_into(qtbot, dialog.address_edit, f"https://{marker.lower()}.example/ical/{marker}FEED.ics")
    press(qtbot, dialog.connect_button)
    assert dialog.status_label.text().startswith("Connected to")
    dialog.reject()
    theme = ThemeName.NIGHT if marker.endswith("ALPHA") else ThemeName.HIGH_CONTRAST
    application.update_preferences(
        replace(
            application.preferences,
            display=replace(application.preferences.display, theme=theme),
        )
    )


def everything_shown(qtbot: QtBot, app: AccountsApp) -> str:
    """Return every text the account's screens show: schedule days, calendar settings,
    settings, summary, privacy page, account page and an export."""
    application = app.application
    texts: list[str] = []
    schedule = application.window.schedule
    today = application.controller.today()
    for offset in range(-3, 4):
        application.controller.show_day(today + timedelta(days=offset))
        model = schedule.model
        texts += [
            str(model.data(model.index(row, column)))
            for row in range(model.rowCount())
            for column in range(model.columnCount())
        ]
    application.controller.show_day(today)
    calendar = application.open_calendar_settings()
    assert calendar is not None
    texts.append(calendar.status_label.text())
    calendar.reject()
    settings = application.open_settings()
    assert isinstance(settings, SettingsDialog)
    texts.append(settings.theme_combo.currentText())
    settings.reject()
    summary = application.open_summary()
    for row in range(summary.table.rowCount()):
        item = summary.table.item(row, 0)
        texts.append(item.text() if item is not None else "")
    summary.reject()
    privacy = app.flow.open_privacy()
    assert privacy is not None
    qtbot.waitUntil(lambda: privacy.service_form.rowCount() > 1, timeout=WAIT_MS)
    texts += privacy.texts()
    privacy.reject()
    page = app.flow.open_account_page()
    assert page is not None
    qtbot.waitUntil(lambda: page.device_list.count() > 0, timeout=WAIT_MS)
    texts += [page.email_label.text(), page.device_list.item(0).text()]
    page.reject()
    exported = app.data.parent / "export.csv"
    app.prompts.save_paths.append(exported)
    assert application.export_schedule() == exported
    texts.append(exported.read_text(encoding="utf-8-sig"))
    return "\n".join(texts)


def switch_to(qtbot: QtBot, app: AccountsApp, email: str) -> None:
    app.flow.menu.action_named(email).trigger()
    qtbot.waitUntil(
        lambda: app.flow.current is not None and app.flow.current.link.email == email,
        timeout=WAIT_MS,
    )


def sealed_blobs(app: AccountsApp, account_id: str) -> list[bytes]:
    """Return the ciphertexts the database holds for *account_id*."""
    profile = app.application.profile
    assert profile is not None
    queries = [
        "SELECT client_name_sealed FROM sessions WHERE account_id = :a",
        "SELECT url_sealed FROM feed_sources WHERE account_id = :a",
        "SELECT email_sealed FROM service_links WHERE account_id = :a",
        "SELECT entitlement_sealed FROM service_links WHERE account_id = :a",
    ]
    with profile.database.engine.connect() as connection:
        return [
            bytes(value)
            for query in queries
            for (value,) in connection.execute(text(query), {"a": account_id})
            if value is not None
        ]


def test_two_practitioners_never_see_each_other_and_a_deleted_one_leaves_no_trace(
    qtbot: QtBot,
    accounts_app: AccountsApp,
    resend: FakeResend,
    memory_keyring: InMemoryKeyring,
    live_service: RunningService,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    app = accounts_app
    alpha, bravo = new_email(), new_email()
    sign_up(qtbot, app, resend, alpha)
    fill_account(qtbot, app, "QZXALPHA")
    assert app.flow.current is not None
    alpha_id = app.flow.current.account_id
    app.flow.menu.action_named("Sign in to another account…").trigger()
    sign_up(qtbot, app, resend, bravo)
    fill_account(qtbot, app, "QZXBRAVO")

    shown_to_bravo = everything_shown(qtbot, app)
    assert "QZXBRAVO Client" in shown_to_bravo
    assert "High contrast" in shown_to_bravo or "high" in shown_to_bravo.lower()
    for trace in ("QZXALPHA", "qzxalpha", alpha, "Night"):
        assert trace not in shown_to_bravo

    switch_to(qtbot, app, alpha)
    shown_to_alpha = everything_shown(qtbot, app)
    assert "QZXALPHA Client" in shown_to_alpha
    for trace in ("QZXBRAVO", "qzxbravo", bravo):
        assert trace not in shown_to_alpha

    # Alpha deletes the account, with the password asked again.
    token_name = ("SessionClock", f"api-token/{alpha_id}")
    alpha_token = base64.b64decode(memory_keyring.passwords[token_name]).decode()
    blobs = sealed_blobs(app, alpha_id)
    assert len(blobs) == 4
    page = app.flow.open_account_page()
    assert page is not None
    press(qtbot, page.delete_button)
    delete = app.flow.delete_dialog
    assert delete is not None
    assert not delete.delete_button.isEnabled()
    type_into(qtbot, delete.password_edit, "not the password")
    delete.understood_check.setChecked(True)
    press(qtbot, delete.delete_button)
    qtbot.waitUntil(delete.error_label.isVisible, timeout=WAIT_MS)
    assert "not right" in delete.error_label.text()
    assert app.flow.current is not None, "nothing was deleted"
    type_into(qtbot, delete.password_edit, PASSWORD)
    press(qtbot, delete.delete_button)
    wait_for_page(qtbot, app, Page.WELCOME)
    qtbot.waitUntil(lambda: app.flow.current is None, timeout=WAIT_MS)
    assert app.prompts.reports[-1][0] == "Account deleted"

    with make_service_client(live_service.base_url) as client, pytest.raises(SignInFailedError):
        AccountApi(client).sign_in(email=alpha, password=PASSWORD, device_name="PC")

    data = app.data
    for marker in ("QZXALPHA", "qzxalpha", alpha, alpha_token, alpha_id):
        assert scan(data, marker) == [], marker
    for blob in blobs:
        assert not any(blob in path.read_bytes() for path in data.rglob("*") if path.is_file())
    assert not any(alpha_id in name for _service, name in memory_keyring.passwords)
    assert alpha not in app.flow.menu.action_texts()

    # Bravo's data still opens, whole.
    switch_to(qtbot, app, bravo)
    profile = app.application.profile
    assert profile is not None
    assert profile.repository.feed_url() == "https://qzxbravo.example/ical/QZXBRAVOFEED.ics"
    assert [s.client_name for s in profile.repository.all_sessions()] == ["QZXBRAVO Client"]
    assert app.application.preferences.display.theme is ThemeName.HIGH_CONTRAST

    # Nothing of either practitioner reached a log: no address, token, password or name.
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (alpha, bravo, alpha_token, PASSWORD, "QZXALPHA", "QZXBRAVO"):
        assert secret not in logged
