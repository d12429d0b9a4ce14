"""The settings dialog edits every preference, refuses duplicate leads and switches login start."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QSlider, QSpinBox
from pytestqt.qtbot import QtBot

from sessionclock.core.preferences import Preferences, ThemeName
from sessionclock.platform.autostart import XdgAutostart
from sessionclock.ui.dialogs.settings_dialog import SettingsDialog
from tests.support.platform import FakeLoginItem


def test_defaults_round_trip(qtbot: QtBot) -> None:
    dialog = SettingsDialog(Preferences(), login_item=FakeLoginItem())
    qtbot.addWidget(dialog)
    assert dialog.edited() == Preferences()


def test_every_control_has_an_accessible_name_and_takes_focus(qtbot: QtBot) -> None:
    dialog = SettingsDialog(Preferences(), login_item=FakeLoginItem())
    qtbot.addWidget(dialog)
    controls = [
        *dialog.findChildren(QAbstractButton),
        *dialog.findChildren(QComboBox),
        *dialog.findChildren(QSpinBox),
        *dialog.findChildren(QSlider),
    ]
    assert len(controls) > 15
    for control in controls:
        if control.parent() is dialog.buttons:
            continue
        assert control.accessibleName(), control
        assert control.focusPolicy() & Qt.FocusPolicy.TabFocus, control


def test_edits_reach_the_preferences(qtbot: QtBot, tmp_path: Path) -> None:
    login = XdgAutostart(config_home=tmp_path, command=["/usr/bin/sessionclock"])
    dialog = SettingsDialog(Preferences(), login_item=login)
    qtbot.addWidget(dialog)
    dialog.theme_combo.setCurrentIndex(dialog.theme_combo.findData(ThemeName.HIGH_CONTRAST))
    dialog.use_24h_check.setChecked(False)
    dialog.seconds_check.setChecked(False)
    dialog.silent_check.setChecked(True)
    dialog.volume_slider.setValue(30)
    dialog.lead_checks[1].setChecked(False)  # drop the 5-minute reminder
    dialog.sound_checks[0].setChecked(True)  # 10 minutes now chimes
    dialog.lead_checks[3].setChecked(True)
    dialog.lead_spins[3].setValue(20)
    dialog.login_check.setChecked(True)
    dialog.accept()
    result = dialog.result_preferences
    assert result is not None
    assert result.display.theme is ThemeName.HIGH_CONTRAST
    assert not result.display.use_24h
    assert not result.display.show_seconds
    assert result.reminders.silent
    assert result.reminders.volume == 0.3
    assert result.clock.reminder_leads == (20, 10, 0)
    assert result.reminders.sound_leads == (10, 0)
    assert result.start_at_login
    assert login.path.is_file()


def test_duplicate_leads_are_refused_in_the_dialog(qtbot: QtBot) -> None:
    dialog = SettingsDialog(Preferences(), login_item=FakeLoginItem())
    qtbot.addWidget(dialog)
    dialog.lead_spins[1].setValue(10)
    dialog.accept()
    assert dialog.result_preferences is None
    assert not dialog.error_label.isHidden()
    assert "distinct" in dialog.error_label.text()


def test_a_refused_login_item_is_reported(qtbot: QtBot) -> None:
    class Refusing(FakeLoginItem):
        def set_enabled(self, enabled: bool) -> None:
            raise OSError("the registry exists on Windows only")

    dialog = SettingsDialog(Preferences(), login_item=Refusing())
    qtbot.addWidget(dialog)
    dialog.login_check.setChecked(True)
    dialog.accept()
    assert dialog.login_error == "the registry exists on Windows only"
    assert dialog.result_preferences is not None
    assert not dialog.result_preferences.start_at_login
