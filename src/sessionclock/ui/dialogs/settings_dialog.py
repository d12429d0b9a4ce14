"""The settings dialog: clock, display, room mode, reminders and start at login.

It edits a copy of ``Preferences`` and hands the result back; the app stores and applies it.
Every control has an accessible name and a keyboard mnemonic or tab stop.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from sessionclock.core.preferences import Preferences, ThemeName
from sessionclock.core.settings import ClockSettings
from sessionclock.core.themes import CHROME, THEMES
from sessionclock.platform.autostart import LoginItem

LEAD_ROWS = 4
"""How many reminder lead times the dialog offers."""


class SettingsDialog(QDialog):
    """Edits the practitioner's preferences.

    Attributes:
        result_preferences: the edited preferences once the dialog is accepted.
        login_error: the platform's refusal to change start-at-login, if it refused.
    """

    def __init__(
        self,
        preferences: Preferences,
        *,
        login_item: LoginItem,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setAccessibleName("Settings")
        self._preferences = preferences
        self._login_item = login_item
        self.result_preferences: Preferences | None = None
        self.login_error: str | None = None
        display = preferences.display
        reminders = preferences.reminders

        # Display.
        self.theme_combo = self._themes(display.theme, "Theme of the main window")
        self.room_theme_combo = self._themes(display.room_theme, "Theme of room mode")
        self.use_24h_check = self._check("&24-hour time", display.use_24h)
        self.seconds_check = self._check("Show &seconds", display.show_seconds)
        self.initials_check = self._check(
            "In room mode, show the next client by &initials only", display.room_initials_only
        )
        self.flashing_check = self._check("Let overtime &pulse gently", display.flashing)
        display_box = QGroupBox("Display")
        form = QFormLayout(display_box)
        form.addRow(self._label("&Theme:", self.theme_combo), self.theme_combo)
        form.addRow(self._label("&Room theme:", self.room_theme_combo), self.room_theme_combo)
        for check in (
            self.use_24h_check,
            self.seconds_check,
            self.initials_check,
            self.flashing_check,
        ):
            form.addRow(check)

        # Clock.
        self.wrap_up_spin = self._spin(preferences.clock.wrap_up_minutes, 0, 60, "Wrap-up minutes")
        clock_box = QGroupBox("Clock")
        clock_form = QFormLayout(clock_box)
        clock_form.addRow(self._label("&Wrap-up (minutes):", self.wrap_up_spin), self.wrap_up_spin)

        # Reminders: one row per lead time, each with its own sound switch.
        reminders_box = QGroupBox("Reminders before hands-on time ends")
        grid = QGridLayout(reminders_box)
        leads = list(preferences.clock.reminder_leads)[:LEAD_ROWS]
        defaults = [10, 5, 0, 15]
        self.lead_checks: list[QCheckBox] = []
        self.lead_spins: list[QSpinBox] = []
        self.sound_checks: list[QCheckBox] = []
        for row in range(LEAD_ROWS):
            used = row < len(leads)
            minutes = leads[row] if used else defaults[row]
            on = QCheckBox(f"Reminder {row + 1}")
            on.setChecked(used)
            on.setAccessibleName(f"Reminder {row + 1} on")
            spin = self._spin(minutes, 0, 120, f"Reminder {row + 1}: minutes before the end")
            spin.setSuffix(" min before")
            sound = QCheckBox("with a chime")
            sound.setChecked(used and minutes in reminders.sound_leads)
            sound.setAccessibleName(f"Reminder {row + 1} plays a chime")
            grid.addWidget(on, row, 0)
            grid.addWidget(spin, row, 1)
            grid.addWidget(sound, row, 2)
            self.lead_checks.append(on)
            self.lead_spins.append(spin)
            self.sound_checks.append(sound)
        self.silent_check = self._check(
            "Si&lent mode: a gentle visual cue only, never a sound", reminders.silent
        )
        self.volume_slider = QSlider(Qt.Orientation.Horizontal)
        self.volume_slider.setRange(0, 100)
        self.volume_slider.setValue(round(reminders.volume * 100))
        self.volume_slider.setAccessibleName("Chime volume")
        self.next_client_spin = self._spin(
            reminders.next_client_minutes, 0, 60, "Say when the next client is due, minutes ahead"
        )
        grid.addWidget(self.silent_check, LEAD_ROWS, 0, 1, 3)
        grid.addWidget(self._label("&Volume:", self.volume_slider), LEAD_ROWS + 1, 0)
        grid.addWidget(self.volume_slider, LEAD_ROWS + 1, 1, 1, 2)
        grid.addWidget(
            self._label("&Next client notice (min ahead, 0: off):", self.next_client_spin),
            LEAD_ROWS + 2,
            0,
            1,
            2,
        )
        grid.addWidget(self.next_client_spin, LEAD_ROWS + 2, 2)

        # Start at login.
        self.login_check = self._check(
            "Start Session Clock when I l&og in", login_item.is_enabled()
        )

        self.error_label = QLabel()
        self.error_label.setStyleSheet(f"color: {CHROME.error};")
        self.error_label.setAccessibleName("Problem with the settings")
        self.error_label.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons

        layout = QVBoxLayout(self)
        layout.addWidget(display_box)
        layout.addWidget(clock_box)
        layout.addWidget(reminders_box)
        layout.addWidget(self.login_check)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

    def _themes(self, current: ThemeName, accessible: str) -> QComboBox:
        combo = QComboBox()
        for name, palette in THEMES.items():
            combo.addItem(palette.label, name)
        combo.setCurrentIndex(combo.findData(current))
        combo.setAccessibleName(accessible)
        return combo

    @staticmethod
    def _check(text: str, checked: bool) -> QCheckBox:
        check = QCheckBox(text)
        check.setChecked(checked)
        check.setAccessibleName(text.replace("&", ""))
        return check

    @staticmethod
    def _spin(value: int, low: int, high: int, accessible: str) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(low, high)
        spin.setValue(value)
        spin.setAccessibleName(accessible)
        return spin

    @staticmethod
    def _label(text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(buddy)
        return label

    def edited(self) -> Preferences:
        """Return the preferences as the dialog shows them.

        Raises:
            ValueError: two reminders share a lead time, or another value is refused.
        """
        leads: list[int] = []
        sound: list[int] = []
        for on, spin, chime in zip(
            self.lead_checks, self.lead_spins, self.sound_checks, strict=True
        ):
            if on.isChecked():
                leads.append(spin.value())
                if chime.isChecked():
                    sound.append(spin.value())
        p = self._preferences
        clock = ClockSettings(
            wrap_up_minutes=self.wrap_up_spin.value(),
            late_start=p.clock.late_start,
            reminder_leads=tuple(sorted(leads, reverse=True)),
        )
        display = dataclasses.replace(
            p.display,
            theme=ThemeName(self.theme_combo.currentData()),
            room_theme=ThemeName(self.room_theme_combo.currentData()),
            use_24h=self.use_24h_check.isChecked(),
            show_seconds=self.seconds_check.isChecked(),
            room_initials_only=self.initials_check.isChecked(),
            flashing=self.flashing_check.isChecked(),
        )
        reminders = dataclasses.replace(
            p.reminders,
            sound_leads=tuple(sorted(set(sound), reverse=True)),
            volume=self.volume_slider.value() / 100,
            silent=self.silent_check.isChecked(),
            next_client_minutes=self.next_client_spin.value(),
        )
        return dataclasses.replace(
            p,
            clock=clock,
            display=display,
            reminders=reminders,
            start_at_login=self.login_check.isChecked(),
        )

    def accept(self) -> None:
        """Check the values, switch start-at-login, and close with the result."""
        try:
            result = self.edited()
        except ValueError as e:
            self.error_label.setText(f"Please check the reminders: {e}.")
            self.error_label.show()
            return
        if result.start_at_login != self._login_item.is_enabled():
            try:
                self._login_item.set_enabled(result.start_at_login)
            except OSError as e:
                self.login_error = str(e)
                result = dataclasses.replace(result, start_at_login=self._login_item.is_enabled())
        self.result_preferences = result
        super().accept()
