"""Connecting and disconnecting the calendar: only https, masked, and gone for good."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLineEdit
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
