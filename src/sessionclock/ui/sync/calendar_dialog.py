"""Settings ▸ Calendar: connect the booking platform's private iCal address, or disconnect it."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QEvent, Signal, Slot
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from sessionclock.core.errors import SessionClockError
from sessionclock.core.feed.fetch import mask_feed_url, normalise_feed_url
from sessionclock.core.preferences import SyncPreferences
from sessionclock.core.themes import CHROME
from sessionclock.ui.prompts import Prompts


class FeedAddressStore(Protocol):
    """Where the sealed feed address lives (the account's repository)."""

    def set_feed_url(self, url: str) -> None:
        """Seal and store the address."""
        ...

    def feed_url(self) -> str | None:
        """Return the address, or None."""
        ...

    def disconnect_feed(self) -> None:
        """Delete the address for good."""
        ...


class CalendarDialog(QDialog):
    """Connect or disconnect the calendar feed and choose how syncs behave.

    The address is a key to the practitioner's calendar: it is pasted into a hidden field (which
    *Show* reveals, to check it before connecting), stored sealed, and afterwards only ever shown
    masked. It is never logged.

    The dialog grows to fit its text: an error under the address never pushes the help text out
    of sight, at any width.

    Signals:
        sync_requested: the practitioner asked to sync now.
        preferences_changed: emitted with the new ``SyncPreferences`` when they are saved.
    """

    sync_requested = Signal()
    preferences_changed = Signal(object)

    def __init__(
        self,
        store: FeedAddressStore,
        *,
        preferences: SyncPreferences,
        prompts: Prompts,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._prompts = prompts
        self.setWindowTitle("Calendar")
        self.setMinimumWidth(560)

        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setAccessibleName("Calendar connection")
        self.address_edit = QLineEdit()
        self.address_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.address_edit.setPlaceholderText(
            "Paste the private iCal address (https:// or webcal://)"
        )
        self.address_edit.setAccessibleName("Private calendar address")
        self.reveal_button = QPushButton()
        self.reveal_button.setCheckable(True)
        self.reveal_button.setMinimumHeight(40)
        self.reveal_button.setToolTip("Show or hide the address, to check it before connecting")
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color: {CHROME.error};")
        self.error_label.hide()
        self.connect_button = QPushButton("&Connect")
        self.connect_button.setMinimumHeight(40)
        self.disconnect_button = QPushButton("&Disconnect")
        self.disconnect_button.setMinimumHeight(40)
        self.disconnect_button.setAccessibleName("Disconnect the calendar and delete its address")
        self.sync_button = QPushButton("&Sync now")
        self.sync_button.setMinimumHeight(40)
        hint = QLabel(
            "Find the address in your booking platform: Jane App (the calendar subscription "
            "link in your profile), Google Calendar (Settings ▸ Secret address in iCal "
            "format), Outlook (Publish calendar ▸ ICS link) or iCloud (Public calendar link). "
            "Only each session's name, start and end are imported; nothing else is kept."
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: palette(placeholder-text);")

        self.window_spin = QSpinBox()
        self.window_spin.setRange(1, 90)
        self.window_spin.setSuffix(" days ahead")
        self.window_spin.setValue(preferences.window_days)
        self.window_spin.setAccessibleName("Days ahead to import")
        self.retention_spin = QSpinBox()
        self.retention_spin.setRange(1, 365)
        self.retention_spin.setSuffix(" days")
        self.retention_spin.setValue(preferences.retention_days)
        self.retention_spin.setAccessibleName("Days to keep past sessions")
        self.check_spin = QSpinBox()
        self.check_spin.setRange(0, 24 * 60)
        self.check_spin.setSingleStep(15)
        self.check_spin.setSpecialValueText("Off")
        self.check_spin.setSuffix(" min")
        self.check_spin.setValue(preferences.background_check_minutes)
        self.check_spin.setAccessibleName("Check the calendar for changes every")

        connection = QGroupBox("Connection")
        connection_layout = QVBoxLayout(connection)
        connection_layout.addWidget(self.status_label)
        entry = QHBoxLayout()
        entry.addWidget(self.address_edit, 1)
        entry.addWidget(self.reveal_button)
        entry.addWidget(self.connect_button)
        connection_layout.addLayout(entry)
        connection_layout.addWidget(self.error_label)
        connection_layout.addWidget(hint)
        actions = QHBoxLayout()
        actions.addWidget(self.sync_button)
        actions.addStretch(1)
        actions.addWidget(self.disconnect_button)
        connection_layout.addLayout(actions)

        options = QGroupBox("Syncing")
        form = QFormLayout(options)
        form.addRow("&Import", self.window_spin)
        form.addRow("&Keep past sessions for", self.retention_spin)
        form.addRow("Check for &changes every", self.check_spin)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(connection)
        layout.addWidget(options)
        layout.addWidget(buttons)
        # Return in the address field connects, once: no button is a default that Return would
        # press as well (it pressed Connect again on the cleared field, and an error showed).
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
            button.setDefault(False)

        self.connect_button.clicked.connect(self._on_connect_clicked)
        self.disconnect_button.clicked.connect(self._on_disconnect_clicked)
        self.sync_button.clicked.connect(self.sync_requested)
        self.address_edit.returnPressed.connect(self._on_connect_clicked)
        self.reveal_button.toggled.connect(self._on_reveal_button_toggled)
        self._on_reveal_button_toggled(False)
        for spin in (self.window_spin, self.retention_spin, self.check_spin):
            spin.valueChanged.connect(self._on_options_changed)
        self._refresh()

    # -- size ----------------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self._fit_height()
        return super().event(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_height()

    def _fit_height(self) -> None:
        """Keep the dialog at least as tall as its wrapped text needs at its width."""
        # WORKAROUND for https://bugreports.qt.io/browse/QTBUG-22819: a window's minimum size
        # leaves out the height-for-width of its wrapped labels, so an error shown under the
        # address squeezed the help text until its last lines were cut off.
        if not self.isVisible():
            return  # the width is not the one it will be shown at yet
        needed = self.heightForWidth(self.width())
        if needed <= 0 or needed == self.minimumHeight():
            return
        fitted = self.height() == self.minimumHeight()  # as tall as the text needed: follow it
        self.setMinimumHeight(needed)
        if fitted or self.height() < needed:
            self.resize(self.width(), needed)

    # -- the connection ------------------------------------------------------------------------

    def _refresh(self) -> None:
        try:
            url = self._store.feed_url()
        except SessionClockError as e:
            url = None
            self._show_error(str(e))
        connected = url is not None
        if url is not None:
            self.status_label.setText(f"Connected to {mask_feed_url(url)}")
        else:
            self.status_label.setText("No calendar connected. Sessions are added by hand.")
        self.disconnect_button.setEnabled(connected)
        self.sync_button.setEnabled(connected)
        self.connect_button.setText("&Replace" if connected else "&Connect")

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    @Slot()
    def _on_connect_clicked(self) -> None:
        try:
            url = normalise_feed_url(self.address_edit.text())
            self._store.set_feed_url(url)
        except SessionClockError as e:
            self._show_error(str(e))
            return
        self.address_edit.clear()
        self.reveal_button.setChecked(False)
        self._show_error("")
        self._refresh()

    @Slot(bool)
    def _on_reveal_button_toggled(self, shown: bool) -> None:
        echo = QLineEdit.EchoMode
        self.address_edit.setEchoMode(echo.Normal if shown else echo.Password)
        self.reveal_button.setText("&Hide" if shown else "S&how")
        self.reveal_button.setAccessibleName(
            "Hide the calendar address" if shown else "Show the calendar address"
        )

    @Slot()
    def _on_disconnect_clicked(self) -> None:
        if not self._prompts.confirm(
            self,
            "Disconnect the calendar",
            "Delete the calendar address from this computer? Sessions already imported stay "
            "until you delete them or they pass.",
        ):
            return
        try:
            self._store.disconnect_feed()
        except SessionClockError as e:
            self._show_error(str(e))
            return
        self._refresh()

    @Slot()
    def _on_options_changed(self) -> None:
        self.preferences_changed.emit(
            SyncPreferences(
                window_days=self.window_spin.value(),
                retention_days=self.retention_spin.value(),
                background_check_minutes=self.check_spin.value(),
            )
        )
