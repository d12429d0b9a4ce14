"""The devices screens on their own: pairing on both sides, the recovery code shown once and
typed in, and the account page's devices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from sessionclock.core.devices.api import DeviceInfo
from sessionclock.core.devices.recovery import MSG_LENGTH, MSG_TYPO, RecoveryCode
from sessionclock.ui.devices.devices_panel import DevicesPanel, sync_line
from sessionclock.ui.devices.pairing_dialogs import TOUCH_HEIGHT, ApproveDialog, JoinDialog
from sessionclock.ui.devices.recovery_dialogs import (
    RecoveryCodeDialog,
    RecoveryEntryDialog,
    printable,
)

TZ = ZoneInfo("America/Toronto")
NOW = datetime(2026, 11, 10, 15, 0, tzinfo=UTC)
CODE = RecoveryCode(bytes(range(16)))


def test_the_new_device_shows_the_code_only_once_both_sides_are_known(qtbot: QtBot) -> None:
    dialog = JoinDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.code() == "" and not dialog.code_label.isVisible()
    assert "Waiting" in dialog.status_label.text()
    dialog.show_code("482 913")
    assert dialog.code() == "482 913" and dialog.code_label.isVisible()
    assert dialog.code_label.font().pointSizeF() >= 3 * dialog.font().pointSizeF()
    assert not dialog.retry_button.isVisible()
    dialog.show_refused("The other device said no.")
    assert dialog.code() == "" and dialog.error_label.text() == "The other device said no."
    assert dialog.retry_button.isVisible()
    with qtbot.waitSignal(dialog.retry_requested):
        dialog.retry_button.click()
    with qtbot.waitSignal(dialog.recovery_requested):
        dialog.recovery_button.click()
    with qtbot.waitSignal(dialog.empty_day_requested):
        dialog.empty_button.click()
    dialog.set_busy(True, "Making a new key…")
    assert not dialog.recovery_button.isEnabled() and not dialog.empty_button.isEnabled()
    assert dialog.status_label.text() == "Making a new key…"


def test_approving_waits_for_the_code_and_works_from_the_keyboard(qtbot: QtBot) -> None:
    dialog = ApproveDialog("Room tablet")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.heading.text() == "A new device “Room tablet” wants to join"
    assert not dialog.approve_button.isEnabled()
    assert dialog.approve_button.height() >= TOUCH_HEIGHT
    dialog.show_code("482 913")
    assert dialog.code() == "482 913" and dialog.approve_button.isEnabled()
    with qtbot.waitSignal(dialog.approve_requested):
        qtbot.keyClick(dialog, Qt.Key.Key_Return)


def test_escape_denies_a_new_device(qtbot: QtBot) -> None:
    dialog = ApproveDialog("Room tablet")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.show_code("482 913")
    with qtbot.waitSignal(dialog.deny_requested):
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_deny_is_a_touch_away_and_a_problem_stops_approving(qtbot: QtBot) -> None:
    dialog = ApproveDialog("Room tablet")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.show_code("482 913")
    dialog.show_problem("The request expired.")
    assert not dialog.approve_button.isEnabled()
    assert dialog.error_label.text() == "The request expired."
    with qtbot.waitSignal(dialog.deny_requested):
        qtbot.mouseClick(dialog.deny_button, Qt.MouseButton.LeftButton)


def test_the_recovery_code_is_shown_in_groups_and_copied(qtbot: QtBot) -> None:
    dialog = RecoveryCodeDialog(CODE, (1, 5))
    qtbot.addWidget(dialog)
    dialog.show()
    shown = dialog.code_label.text().split()
    assert tuple(shown) == CODE.groups() and len(shown) == 7
    assert all(len(group) == 4 for group in shown)
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == CODE.text()
    with qtbot.waitSignal(dialog.save_requested) as saved:
        dialog.save_button.click()
    assert saved.args == [printable(CODE)] and " ".join(CODE.groups()) in saved.args[0]


def test_the_recovery_code_closes_only_once_two_groups_come_back(qtbot: QtBot) -> None:
    dialog = RecoveryCodeDialog(CODE, (1, 5))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible()
    dialog.next_button.click()
    assert dialog.pages.currentIndex() == 1
    groups = CODE.groups()
    dialog.first_field.setText(groups[1].lower())
    dialog.second_field.setText(groups[4])
    dialog.confirm_button.click()
    assert dialog.isVisible()
    assert dialog.error_label.text() == (
        "Group 6 does not match. Choose Back to see the code again."
    )
    dialog.second_field.setText(groups[5])
    with qtbot.waitSignal(dialog.kept):
        qtbot.keyClick(dialog.second_field, Qt.Key.Key_Return)
    assert not dialog.isVisible()


def test_a_mistyped_recovery_code_is_caught_before_anything_is_asked(qtbot: QtBot) -> None:
    dialog = RecoveryEntryDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    entered: list[str] = []
    dialog.entered.connect(entered.append)
    dialog.code_field.setText(CODE.text()[:-5])
    dialog.open_button.click()
    assert dialog.error_label.text() == MSG_LENGTH
    text = CODE.text()
    swapped = text[:-1] + ("0" if text[-1] != "0" else "1")
    dialog.code_field.setText(swapped)
    dialog.open_button.click()
    assert dialog.error_label.text() == MSG_TYPO
    assert entered == []
    dialog.code_field.setText(" ".join(CODE.groups()).lower())
    qtbot.keyClick(dialog.code_field, Qt.Key.Key_Return)
    assert entered == [" ".join(CODE.groups()).lower()]
    dialog.set_busy(True)
    assert not dialog.open_button.isEnabled() and "few seconds" in dialog.status_label.text()
    dialog.show_error("This is not the recovery code of this account.")
    assert dialog.open_button.isEnabled() and dialog.code_field.text() != ""


def _device(
    device_id: str,
    name: str,
    synced: datetime | None,
    *,
    current: bool = False,
    keyed: bool = True,
) -> DeviceInfo:
    return DeviceInfo(device_id, name, NOW, synced, bytes(32), keyed, current)


def test_the_devices_list_says_when_each_last_synced(qtbot: QtBot) -> None:
    panel = DevicesPanel(tz=TZ, now=NOW)
    qtbot.addWidget(panel)
    panel.show()
    panel.set_devices(
        (
            _device("a" * 32, "Front-Desk-PC", NOW - timedelta(minutes=3), current=True),
            _device("b" * 32, "Room tablet", NOW - timedelta(days=2)),
            _device("c" * 32, "New laptop", None, keyed=False),
        )
    )
    lines = [panel.device_list.item(i).text() for i in range(3)]
    assert lines == [
        "Front-Desk-PC (this device) · last synced today at 09:57",
        "Room tablet · last synced Sun 8 Nov 2026",
        "New laptop · waiting to be approved",
    ]
    assert sync_line(_device("d" * 32, "Phone", None), tz=TZ, now=NOW).endswith("not synced yet")
    assert not panel.pair_button.isVisible()
    panel.select("a" * 32)
    assert not panel.remove_button.isEnabled()  # this device signs out instead
    panel.select("b" * 32)
    with qtbot.waitSignal(panel.remove_requested) as asked:
        panel.remove_button.click()
    assert asked.args == ["b" * 32, "Room tablet"]
    panel.set_busy(True, "Removing…")
    assert panel.progress.isVisible() and not panel.remove_button.isEnabled()
    panel.set_busy(False)
    panel.show_error("The account service could not be reached.")
    assert panel.error_label.isVisible() and panel.remove_button.isEnabled()


def test_a_device_without_the_key_offers_to_pair(qtbot: QtBot) -> None:
    panel = DevicesPanel(tz=TZ, now=NOW)
    qtbot.addWidget(panel)
    panel.show()
    panel.set_devices((_device("a" * 32, "Room tablet", None, current=True, keyed=False),))
    assert panel.pair_button.isVisible()
    with qtbot.waitSignal(panel.pair_requested):
        panel.pair_button.click()
