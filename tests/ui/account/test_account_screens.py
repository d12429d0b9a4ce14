"""The account page, the password and deletion screens, and the privacy page, on their own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pytestqt.qtbot import QtBot

from sessionclock.core.account.access import Access, Standing
from sessionclock.core.account.models import Device
from sessionclock.core.models import StoredSpan
from sessionclock.core.privacy import PROMISES, LocalFacts
from sessionclock.ui.account.account_dialog import AccountDialog, device_line
from sessionclock.ui.account.change_password_dialog import ChangePasswordDialog
from sessionclock.ui.account.delete_account_dialog import DeleteAccountDialog
from sessionclock.ui.account.privacy_dialog import PrivacyDialog

TZ = ZoneInfo("America/Toronto")
NOW = datetime(2026, 11, 10, 15, 0, tzinfo=UTC)


def test_the_account_page_offers_subscribe_or_manage_as_fits(qtbot: QtBot) -> None:
    page = AccountDialog(email="ann@clinic.example", tz=TZ, now=NOW)
    qtbot.addWidget(page)
    page.show()
    page.set_access(Access(Standing.TRIAL, until=NOW + timedelta(days=14)))
    assert page.status_label.text() == "Free trial · ends Tue 24 Nov"
    assert page.subscribe_button.isVisible() and not page.manage_button.isVisible()
    page.set_access(Access(Standing.ACTIVE, until=NOW + timedelta(days=30)))
    assert not page.subscribe_button.isVisible() and page.manage_button.isVisible()
    page.set_access(Access(Standing.ACTIVE, complimentary=True))
    assert not page.subscribe_button.isVisible() and not page.manage_button.isVisible()
    assert "complimentary" in page.detail_label.text()


def test_a_device_is_signed_out_once_chosen(qtbot: QtBot) -> None:
    page = AccountDialog(email="ann@clinic.example", tz=TZ, now=NOW)
    qtbot.addWidget(page)
    devices = (
        Device("d1", "Front-Desk-PC", NOW, NOW, current=True),
        Device("d2", "Room tablet", NOW, NOW - timedelta(days=3), current=False),
    )
    page.set_devices(devices)
    assert [page.device_list.item(i).text() for i in range(2)] == [
        "Front-Desk-PC (this computer) · last used today",
        "Room tablet · last used Sat 7 Nov 2026",
    ]
    assert not page.sign_out_device_button.isEnabled()
    page.select_device("d2")
    with qtbot.waitSignal(page.device_sign_out_requested) as asked:
        page.sign_out_device_button.click()
    assert asked.args == ["d2"]
    assert device_line(devices[0], tz=TZ, today=NOW + timedelta(days=1)).endswith("Tue 10 Nov 2026")


def test_changing_the_password_checks_the_new_one_twice(qtbot: QtBot) -> None:
    dialog = ChangePasswordDialog()
    qtbot.addWidget(dialog)
    dialog.current_edit.setText("old password")
    dialog.new_edit.setText("a new long password")
    dialog.repeat_edit.setText("a new long passwort")
    with qtbot.assertNotEmitted(dialog.change_requested):
        dialog.change_button.click()
    assert "not the same" in dialog.error_label.text()
    dialog.repeat_edit.setText("a new long password")
    with qtbot.waitSignal(dialog.change_requested) as asked:
        dialog.change_button.click()
    assert asked.args == ["old password", "a new long password"]
    dialog.reject()
    assert dialog.current_edit.text() == dialog.new_edit.text() == ""


def test_deleting_needs_the_password_and_the_tick(qtbot: QtBot) -> None:
    dialog = DeleteAccountDialog(email="ann@clinic.example")
    qtbot.addWidget(dialog)
    assert not dialog.delete_button.isEnabled()
    dialog.password_edit.setText("pw")
    assert not dialog.delete_button.isEnabled()
    dialog.understood_check.setChecked(True)
    assert dialog.delete_button.isEnabled()
    assert dialog.cancel_button.isDefault(), "Enter cancels; deleting takes a click"
    with qtbot.waitSignal(dialog.delete_requested) as asked:
        dialog.delete_button.click()
    assert asked.args == ["pw"]
    dialog.set_busy(True)
    assert not dialog.delete_button.isEnabled()


def test_the_privacy_page_shows_the_facts_and_every_promise(qtbot: QtBot) -> None:
    facts = LocalFacts(StoredSpan(2, NOW, NOW), True, "macOS Keychain", None, Path("x.db"))
    page = PrivacyDialog(facts, tz=TZ)
    qtbot.addWidget(page)
    texts = page.texts()
    assert "In macOS Keychain" in texts
    assert "Stored, encrypted (AES-256-GCM)" in texts
    for promise in PROMISES:
        assert f"•  {promise}" in texts
    page.set_service_facts([("E-mail address", "ann@clinic.example")])
    assert "ann@clinic.example" in page.texts()
