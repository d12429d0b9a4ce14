"""The account page's list of the devices that share the day: each with when it last synced, and
Remove device (it is signed out, and the account's key is changed so it can read nothing new)."""

from __future__ import annotations

from datetime import datetime, tzinfo

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from sessionclock.core.devices.api import DeviceInfo
from sessionclock.ui.account.widgets import button, message_label, show_message, text_label


def sync_line(device: DeviceInfo, *, tz: tzinfo, now: datetime) -> str:
    """Return one line of the list: name, whether it is this device, when it last synced."""
    this = " (this device)" if device.current else ""
    if not device.has_current_key:
        when = "waiting to be approved"
    elif device.last_sync_at is None:
        when = "not synced yet"
    else:
        synced = device.last_sync_at.astimezone(tz)
        if synced.date() == now.astimezone(tz).date():
            when = f"last synced today at {synced:%H:%M}"
        else:
            when = f"last synced {synced:%a} {synced.day} {synced:%b %Y}"
    return f"{device.name}{this} · {when}"


class DevicesPanel(QGroupBox):
    """The devices that share this account's day.

    Signals:
        remove_requested: emitted with (device id, name) of the device to remove.
        pair_requested: the practitioner asked to pair this device (it does not sync yet).
    """

    remove_requested = Signal(str, str)
    pair_requested = Signal()

    def __init__(self, *, tz: tzinfo, now: datetime, parent: QWidget | None = None) -> None:
        super().__init__("Devices", parent)
        self._tz = tz
        self._now = now
        self._devices: tuple[DeviceInfo, ...] = ()
        self.device_list = QListWidget()
        self.device_list.setAccessibleName("Devices")
        self.device_list.setMinimumHeight(132)
        # Rows tall enough to pick with a finger on the room tablet.
        self.device_list.setStyleSheet("QListWidget::item { padding: 8px 6px; }")
        self.status_label = text_label("Asking the account service…", muted=True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.progress.hide()
        self.error_label = message_label(error=True)
        self.pair_button = button("&Pair this device…")
        self.pair_button.hide()
        self.remove_button = button("&Remove device…", "Remove the chosen device")
        self.remove_button.setEnabled(False)
        note = text_label(
            "A removed device is signed out and can read nothing synced after it; the others "
            "get a new key.",
            muted=True,
        )
        row = QHBoxLayout()
        row.addWidget(self.pair_button)
        row.addStretch(1)
        row.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.addWidget(self.device_list)
        layout.addWidget(self.status_label)
        layout.addWidget(self.progress)
        layout.addWidget(self.error_label)
        layout.addWidget(note)
        layout.addLayout(row)
        self.device_list.itemSelectionChanged.connect(self._on_selection_changed)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.pair_button.clicked.connect(self.pair_requested)

    def set_devices(self, devices: tuple[DeviceInfo, ...]) -> None:
        """List *devices*."""
        self._devices = devices
        self.device_list.clear()
        for device in devices:
            item = QListWidgetItem(sync_line(device, tz=self._tz, now=self._now))
            item.setData(Qt.ItemDataRole.UserRole, device.id)
            self.device_list.addItem(item)
        self.status_label.hide()
        self.pair_button.setVisible(any(d.current and not d.has_current_key for d in devices))
        self._on_selection_changed()

    def show_status(self, message: str) -> None:
        """Say what is going on (empty: hide)."""
        self.status_label.setText(message)
        self.status_label.setVisible(bool(message))

    def show_error(self, message: str) -> None:
        """Say what went wrong (empty: hide)."""
        show_message(self.error_label, message)

    def set_busy(self, busy: bool, status: str = "") -> None:
        """Show progress and hold the buttons while a device is removed."""
        self.progress.setVisible(busy)
        if busy:
            self.show_error("")
        self.show_status(status)
        self.device_list.setEnabled(not busy)
        self.remove_button.setEnabled(not busy and self._selected() is not None)

    def select(self, device_id: str) -> None:
        """Select the device *device_id*."""
        for row in range(self.device_list.count()):
            item = self.device_list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == device_id:
                self.device_list.setCurrentItem(item)

    def _selected(self) -> DeviceInfo | None:
        items = self.device_list.selectedItems()
        if not items:
            return None
        chosen = items[0].data(Qt.ItemDataRole.UserRole)
        return next((d for d in self._devices if d.id == chosen), None)

    @Slot()
    def _on_selection_changed(self) -> None:
        device = self._selected()
        self.remove_button.setEnabled(device is not None and not device.current)

    @Slot()
    def _on_remove_clicked(self) -> None:
        device = self._selected()
        if device is not None and not device.current:
            self.remove_requested.emit(device.id, device.name)
