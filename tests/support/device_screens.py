"""The practitioner's steps in the devices screens of a running app (``tests.support.account_ui``):
keeping the recovery code shown once, and pairing a new device by comparing the codes on both
screens. Every step waits for the screen to change, never for a fixed time."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from sessionclock.core.devices.keys import AccountKeys, load_account_keys
from sessionclock.ui.devices.devices_flow import DevicesFlow
from sessionclock.ui.devices.pairing_dialogs import ApproveDialog, JoinDialog
from sessionclock.ui.devices.recovery_dialogs import RecoveryCodeDialog
from tests.support.account_ui import AccountsApp, press, type_into

PAIR_MS = 30_000
"""How long pairing may take here: the device in use looks for requests every few seconds, and
the machine is shared."""


def screens(app: AccountsApp) -> DevicesFlow:
    """Return the devices screens of *app*."""
    flow = app.application.device_screens
    assert flow is not None, "the app runs without accounts"
    return flow


def keys_of(app: AccountsApp) -> AccountKeys | None:
    """Return the account keys *app* holds for the account it shows."""
    profile = app.application.profile
    assert profile is not None
    return load_account_keys(profile.keystore, profile.account_id)


def recovery_code_dialog(qtbot: QtBot, app: AccountsApp) -> RecoveryCodeDialog:
    """Wait for the recovery code, shown once."""
    qtbot.waitUntil(lambda: screens(app).code_dialog is not None, timeout=PAIR_MS)
    dialog = screens(app).code_dialog
    assert dialog is not None
    return dialog


def keep_recovery_code(qtbot: QtBot, app: AccountsApp) -> str:
    """Read the recovery code off the screen, then type the two groups asked back; return it."""
    dialog = recovery_code_dialog(qtbot, app)
    groups = dialog.code_label.text().split()
    press(qtbot, dialog.next_button)
    first, second = dialog.asked
    type_into(qtbot, dialog.first_field, groups[first])
    type_into(qtbot, dialog.second_field, groups[second])
    press(qtbot, dialog.confirm_button)
    qtbot.waitUntil(lambda: screens(app).code_dialog is None, timeout=PAIR_MS)
    return "-".join(groups)


def join_dialog(qtbot: QtBot, app: AccountsApp) -> JoinDialog:
    """Wait for the new device's pairing screen."""
    qtbot.waitUntil(lambda: screens(app).join_dialog is not None, timeout=PAIR_MS)
    dialog = screens(app).join_dialog
    assert dialog is not None
    return dialog


def approve_dialog(qtbot: QtBot, app: AccountsApp) -> ApproveDialog:
    """Wait for the question about a new device, with its code shown."""

    def ready() -> bool:
        dialog = screens(app).approve_dialog
        return dialog is not None and dialog.approve_button.isEnabled()

    qtbot.waitUntil(ready, timeout=PAIR_MS)
    dialog = screens(app).approve_dialog
    assert dialog is not None
    return dialog


def pair_with_code(qtbot: QtBot, approver: AccountsApp, newcomer: AccountsApp) -> str:
    """Compare the codes on both screens, then Approve on *approver*; wait until *newcomer*
    holds the key; return the code."""
    joining = join_dialog(qtbot, newcomer)
    asked = approve_dialog(qtbot, approver)
    qtbot.waitUntil(lambda: joining.code() != "", timeout=PAIR_MS)
    assert joining.code() == asked.code(), "the practitioner would deny this"
    code = asked.code()
    press(qtbot, asked.approve_button)
    qtbot.waitUntil(
        lambda: keys_of(newcomer) is not None and screens(newcomer).join_dialog is None,
        timeout=PAIR_MS,
    )
    return code
