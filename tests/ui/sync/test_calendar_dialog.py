"""Connecting and disconnecting the calendar: only https, masked, and gone for good."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from sessionclock.core.errors import KeyStoreUnavailableError
from sessionclock.core.preferences import SyncPreferences
from sessionclock.store.repository import AccountRepository
from sessionclock.ui.sync.calendar_dialog import CalendarDialog
from tests.support.prompts import ScriptedPrompts

SECRET = "https://clinic.janeapp.com/calendar/42/ical/s3cr3t-t0ken.ics"


def make(qtbot: QtBot, store: object, prompts: ScriptedPrompts | None = None) -> CalendarDialog:
    dialog = CalendarDialog(
        store,  # type: ignore[arg-type]
        preferences=SyncPreferences(),
        prompts=prompts or ScriptedPrompts(),
    )
    qtbot.addWidget(dialog)
    return dialog


def test_connect_stores_the_address_and_shows_it_masked(
    qtbot: QtBot, repository: AccountRepository
) -> None:
    dialog = make(qtbot, repository)
    assert not dialog.sync_button.isEnabled()
    assert dialog.address_edit.echoMode() is QLineEdit.EchoMode.Password
    dialog.address_edit.setText(SECRET.replace("https://", "webcal://"))
    dialog.connect_button.click()
    assert repository.feed_url() == SECRET
    assert dialog.address_edit.text() == ""
    assert "s3cr3t" not in dialog.status_label.text()
    assert "clinic.janeapp.com" in dialog.status_label.text()
    assert dialog.sync_button.isEnabled()
    assert dialog.disconnect_button.isEnabled()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("http://clinic.example/feed.ics", "https"),
        ("ftp://clinic.example/feed.ics", "https"),
        ("", "Paste"),
        ("not an address", "address"),
    ],
)
def test_insecure_or_broken_addresses_are_refused_and_nothing_is_stored(
    qtbot: QtBot, repository: AccountRepository, text: str, message: str
) -> None:
    dialog = make(qtbot, repository)
    dialog.address_edit.setText(text)
    dialog.connect_button.click()
    assert repository.feed_url() is None
    assert dialog.error_label.isVisibleTo(dialog)
    assert message.lower() in dialog.error_label.text().lower()


def test_without_a_key_store_nothing_is_stored_and_the_dialog_says_so(qtbot: QtBot) -> None:
    class NoKeyStore:
        def feed_url(self) -> str | None:
            return None

        def set_feed_url(self, url: str) -> None:
            raise KeyStoreUnavailableError("No key store is available on this computer.")

        def disconnect_feed(self) -> None:
            raise AssertionError("not called")

    dialog = make(qtbot, NoKeyStore())
    dialog.address_edit.setText(SECRET)
    dialog.connect_button.click()
    assert "key store" in dialog.error_label.text()


def test_disconnect_asks_then_deletes(qtbot: QtBot, repository: AccountRepository) -> None:
    repository.set_feed_url(SECRET)
    prompts = ScriptedPrompts(answers=[False, True])
    dialog = make(qtbot, repository, prompts)
    dialog.disconnect_button.click()
    assert [title for title, _, _ in prompts.asked] == ["Disconnect the calendar"]
    assert repository.feed_url() == SECRET
    dialog.disconnect_button.click()
    assert repository.feed_url() is None
    assert not dialog.disconnect_button.isEnabled()


def test_sync_options_are_emitted(qtbot: QtBot, repository: AccountRepository) -> None:
    dialog = make(qtbot, repository)
    with qtbot.waitSignal(dialog.preferences_changed) as blocker:
        dialog.check_spin.setValue(30)
    assert blocker.args[0] == SyncPreferences(background_check_minutes=30)
    assert dialog.check_spin.text() == "30 min"
    dialog.check_spin.setValue(0)
    assert dialog.check_spin.text() == "Off"


def test_the_address_can_be_shown_to_check_it_and_is_hidden_again_once_connected(
    qtbot: QtBot, repository: AccountRepository, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    dialog = make(qtbot, repository)
    dialog.show()
    qtbot.waitExposed(dialog)
    edit, reveal = dialog.address_edit, dialog.reveal_button
    edit.setText(SECRET)
    assert edit.echoMode() is QLineEdit.EchoMode.Password
    assert reveal.accessibleName() == "Show the calendar address"
    assert reveal.minimumHeight() >= 40  # a touch target, like Connect beside it
    # From the keyboard: Tab reaches the button, Space shows the address and shows it again.
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_Tab)
    qtbot.waitUntil(reveal.hasFocus)
    qtbot.keyClick(reveal, Qt.Key.Key_Space)
    assert edit.echoMode() is QLineEdit.EchoMode.Normal
    assert edit.displayText() == SECRET
    assert reveal.text() == "&Hide" and reveal.accessibleName() == "Hide the calendar address"
    qtbot.keyClick(reveal, Qt.Key.Key_Space)
    assert edit.echoMode() is QLineEdit.EchoMode.Password
    reveal.click()  # a tap
    assert edit.echoMode() is QLineEdit.EchoMode.Normal
    dialog.connect_button.click()
    assert repository.feed_url() == SECRET
    assert edit.echoMode() is QLineEdit.EchoMode.Password and not reveal.isChecked()
    assert "s3cr3t" not in caplog.text


def test_a_new_dialog_starts_with_the_address_hidden(
    qtbot: QtBot, repository: AccountRepository
) -> None:
    first = make(qtbot, repository)
    first.reveal_button.click()
    assert make(qtbot, repository).address_edit.echoMode() is QLineEdit.EchoMode.Password


@pytest.mark.parametrize("width", [560, 700, 900])
def test_the_help_text_is_never_cut_off_when_an_error_shows(
    qtbot: QtBot, repository: AccountRepository, width: int
) -> None:
    dialog = make(qtbot, repository)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.resize(width, dialog.height())
    dialog.address_edit.setText("http://clinic.example/feed.ics")
    dialog.connect_button.click()
    assert dialog.error_label.isVisible()

    def every_label_whole() -> bool:
        inside = dialog.rect()
        for label in dialog.findChildren(QLabel):
            if not label.isVisible() or not label.wordWrap():
                continue
            where = QRect(label.mapTo(dialog, label.rect().topLeft()), label.size())
            if label.height() < label.heightForWidth(label.width()) or not inside.contains(where):
                return False
        return True

    qtbot.waitUntil(every_label_whole)
    hint = next(label for label in dialog.findChildren(QLabel) if "Jane App" in label.text())
    assert hint.isVisible() and hint.height() >= hint.heightForWidth(hint.width())
    # Once the error is gone, the dialog is as tall as its text again, without a gap.
    dialog.address_edit.setText(SECRET)
    dialog.connect_button.click()
    assert not dialog.error_label.isVisible()
    qtbot.waitUntil(lambda: dialog.height() == dialog.heightForWidth(dialog.width()))


def test_return_in_the_address_field_connects_once(
    qtbot: QtBot, repository: AccountRepository
) -> None:
    dialog = make(qtbot, repository)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.address_edit.setFocus()
    dialog.address_edit.setText(SECRET)
    with qtbot.assertNotEmitted(dialog.rejected):
        qtbot.keyClick(dialog.address_edit, Qt.Key.Key_Return)
    assert repository.feed_url() == SECRET
    assert not dialog.error_label.isVisibleTo(dialog)  # not pressed again on the cleared field
    assert dialog.address_edit.echoMode() is QLineEdit.EchoMode.Password
    assert dialog.isVisible()
