"""Account ▸ Your account: the subscription, the devices signed in, and what can be done.

The dialog shows what ``AccountFlow`` gives it and says what the practitioner asked for through
signals; it never talks to the service itself.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sessionclock.core.account.access import Access, describe, explain
from sessionclock.core.account.models import Device
from sessionclock.ui.account.widgets import (
    button,
    fit_wrapped_text,
    message_label,
    show_message,
    text_label,
    title_label,
)


def device_line(device: Device, *, tz: tzinfo, today: datetime) -> str:
    """Return one line of the device list: name, whether it is this computer, last use."""
    used = device.last_used_at.astimezone(tz)
    day = today.astimezone(tz).date()
    when = "today" if used.date() == day else f"{used:%a} {used.day} {used:%b %Y}"
    this = " (this computer)" if device.current else ""
    return f"{device.name}{this} · last used {when}"


class AccountDialog(QDialog):
    """The signed-in account: subscription, devices, password, sign out, delete.

    Signals:
        subscribe_requested: the practitioner chose Subscribe.
        manage_requested: the practitioner chose Manage subscription.
        device_sign_out_requested: emitted with the id of the device to sign out.
        change_password_requested: the practitioner chose Change password.
        privacy_requested: the practitioner asked what is stored and where.
        sign_out_requested: the practitioner chose Sign out.
        delete_requested: the practitioner chose Delete account.
    """

    subscribe_requested = Signal()
    manage_requested = Signal()
    device_sign_out_requested = Signal(str)
    change_password_requested = Signal()
    privacy_requested = Signal()
    sign_out_requested = Signal()
    delete_requested = Signal()

    def __init__(
        self, *, email: str, tz: tzinfo, now: datetime, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Your account")
        self.setMinimumWidth(560)
        self._tz = tz
        self._now = now
        self._devices: tuple[Device, ...] = ()

        self.email_label = text_label(f"Signed in as {email}")
        self.email_label.setAccessibleName("Signed in as")

        self.status_label = title_label("")
        self.status_label.setAccessibleName("Subscription")
        self.detail_label = text_label()
        self.subscribe_button = button("&Subscribe…", "Subscribe in the browser")
        self.manage_button = button("&Manage subscription…", "Manage the subscription")
        billing_note = text_label(
            "Payment, changes and cancelling happen on Stripe's secure pages in your browser; "
            "Session Clock notices the change when you come back.",
            muted=True,
        )
        subscription = QGroupBox("Subscription")
        sub_layout = QVBoxLayout(subscription)
        sub_layout.addWidget(self.status_label)
        sub_layout.addWidget(self.detail_label)
        for push in (self.subscribe_button, self.manage_button):
            push.setMinimumWidth(200)
        billing = QHBoxLayout()
        billing.addWidget(self.subscribe_button)
        billing.addWidget(self.manage_button)
        billing.addStretch(1)
        sub_layout.addLayout(billing)
        sub_layout.addWidget(billing_note)

        self.device_list = QListWidget()
        self.device_list.setAccessibleName("Devices signed in")
        self.device_list.setMinimumHeight(96)
        self.device_list.setUniformItemSizes(True)
        self.devices_status = text_label("Asking the account service…", muted=True)
        self.sign_out_device_button = button("Sign out this &device", "Sign out the chosen device")
        self.sign_out_device_button.setEnabled(False)
        devices = self.devices_group = QGroupBox("Devices signed in")
        dev_layout = QVBoxLayout(devices)
        dev_layout.setSpacing(10)
        dev_layout.addWidget(self.device_list)
        dev_layout.addWidget(self.devices_status)
        dev_row = QHBoxLayout()
        dev_row.addStretch(1)
        dev_row.addWidget(self.sign_out_device_button)
        dev_layout.addLayout(dev_row)

        self.change_password_button = button("Change &password…")
        self.privacy_button = button("What is &stored where…")
        self.sign_out_button = button("Sign &out")
        self.delete_button = button("&Delete account…", "Delete the account")
        actions = QGridLayout()
        actions.addWidget(self.change_password_button, 0, 0)
        actions.addWidget(self.privacy_button, 0, 1)
        actions.addWidget(self.sign_out_button, 1, 0)
        actions.addWidget(self.delete_button, 1, 1)

        self.error_label = message_label(error=True)
        self.notice_label = message_label(error=False)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)

        layout = self._layout = QVBoxLayout(self)
        layout.addWidget(self.email_label)
        layout.addWidget(subscription)
        layout.addWidget(devices, 1)
        layout.addLayout(actions)
        layout.addWidget(self.notice_label)
        layout.addWidget(self.error_label)
        layout.addWidget(close)

        self.subscribe_button.clicked.connect(self.subscribe_requested)
        self.manage_button.clicked.connect(self.manage_requested)
        self.change_password_button.clicked.connect(self.change_password_requested)
        self.privacy_button.clicked.connect(self.privacy_requested)
        self.sign_out_button.clicked.connect(self.sign_out_requested)
        self.delete_button.clicked.connect(self.delete_requested)
        self.sign_out_device_button.clicked.connect(self._on_sign_out_device_clicked)
        self.device_list.itemSelectionChanged.connect(self._on_device_selection_changed)

    def use_devices_panel(self, panel: QWidget) -> None:
        """Show *panel* (the devices that sync, with Remove) in place of the devices signed in."""
        index = self._layout.indexOf(self.devices_group)
        self.devices_group.hide()
        self._layout.insertWidget(index, panel, 1)
        panel.show()
        fit_wrapped_text(self)

    def set_access(self, access: Access) -> None:
        """Show the subscription as *access* says."""
        self.status_label.setText(describe(access, tz=self._tz))
        self.detail_label.setText(explain(access, tz=self._tz))
        self.subscribe_button.setVisible(access.can_subscribe)
        self.manage_button.setVisible(not access.can_subscribe and not access.complimentary)
        fit_wrapped_text(self)

    def set_devices(self, devices: tuple[Device, ...]) -> None:
        """Show the devices signed in to the account."""
        self._devices = devices
        self.device_list.clear()
        for device in devices:
            item = QListWidgetItem(device_line(device, tz=self._tz, today=self._now))
            item.setData(Qt.ItemDataRole.UserRole, device.id)
            self.device_list.addItem(item)
        self.devices_status.hide()
        self._on_device_selection_changed()

    def set_devices_unavailable(self, message: str) -> None:
        """Say why the devices cannot be listed now."""
        self.devices_status.setText(message)
        self.devices_status.show()

    def show_error(self, message: str) -> None:
        """Say what went wrong (empty: hide)."""
        show_message(self.notice_label, "")
        show_message(self.error_label, message)
        fit_wrapped_text(self)

    def show_notice(self, message: str) -> None:
        """Say what happened (empty: hide)."""
        show_message(self.error_label, "")
        show_message(self.notice_label, message)
        fit_wrapped_text(self)

    def set_busy(self, busy: bool) -> None:
        """Disable the actions while the service is asked."""
        for push in (
            self.subscribe_button,
            self.manage_button,
            self.change_password_button,
            self.sign_out_button,
            self.delete_button,
        ):
            push.setEnabled(not busy)
        self.sign_out_device_button.setEnabled(not busy and self._selected() is not None)

    def _selected(self) -> str | None:
        items = self.device_list.selectedItems()
        if not items:
            return None
        value = items[0].data(Qt.ItemDataRole.UserRole)
        return value if isinstance(value, str) else None

    def select_device(self, device_id: str) -> None:
        """Select the device with *device_id* in the list."""
        for row in range(self.device_list.count()):
            item = self.device_list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == device_id:
                self.device_list.setCurrentItem(item)

    @Slot()
    def _on_device_selection_changed(self) -> None:
        self.sign_out_device_button.setEnabled(self._selected() is not None)

    @Slot()
    def _on_sign_out_device_clicked(self) -> None:
        device_id = self._selected()
        if device_id is not None:
            self.device_sign_out_requested.emit(device_id)
