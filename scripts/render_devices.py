"""Render the devices screens to PNG, for review by eye: the new device waiting, showing the code,
denied; the question on the device in use; the recovery code shown once and its check; the
recovery code entry with an error; and the account page's devices. Each dialog on its own, and
over the main window as a 1366x768 laptop and an upright 800x1280 tablet would show it.
Nothing here talks to a service.

Usage: .venv/bin/python scripts/render_devices.py [OUTPUT_DIR]   (default: screenshots/devices)
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from scripts._render import BASE, TZ, demo_application
from scripts.render_account import DEVICES, EMAIL, STATES, save
from sessionclock.core.countdown import Phase
from sessionclock.core.devices.api import DeviceInfo
from sessionclock.core.devices.recovery import MSG_TYPO, RecoveryCode
from sessionclock.ui.account.account_dialog import AccountDialog
from sessionclock.ui.devices.devices_panel import DevicesPanel
from sessionclock.ui.devices.joining import MSG_DENIED
from sessionclock.ui.devices.pairing_dialogs import ApproveDialog, JoinDialog
from sessionclock.ui.devices.recovery_dialogs import RecoveryCodeDialog, RecoveryEntryDialog

SCREENS = ((1366, 768), (800, 1280))
CODE = RecoveryCode(bytes.fromhex("8f3a61c2d94be0177a5c3e90b2d14f68"))
SYNC_DEVICES = (
    DeviceInfo("a" * 32, "Front-Desk-PC", BASE, BASE - timedelta(minutes=1), bytes(32), True, True),
    DeviceInfo(
        "b" * 32, "Treatment room tablet", BASE, BASE - timedelta(days=1), bytes(32), True, False
    ),
    DeviceInfo("c" * 32, "Maya's laptop", BASE, None, bytes(32), False, False),
)


def over_window(window: QWidget, dialog: QDialog, out: Path, name: str) -> None:
    """Save *dialog* centred over *window* at each screen size, as the screen would show it."""
    for width, height in SCREENS:
        window.resize(width, height)
        window.show()
        QApplication.processEvents()
        screen = QImage(width, height, QImage.Format.Format_ARGB32)
        screen.fill(QColor("black"))
        painter = QPainter(screen)
        painter.drawPixmap(0, 0, window.grab())
        painter.fillRect(0, 0, width, height, QColor(0, 0, 0, 90))
        shot = dialog.grab()
        corner = QPoint(max(0, (width - shot.width()) // 2), max(0, (height - shot.height()) // 2))
        painter.drawPixmap(corner, shot)
        painter.end()
        path = out / f"{name}-{width}x{height}.png"
        screen.save(str(path))
        print(path)


def main() -> int:
    """Render every devices screen and print where the PNGs went."""
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots/devices")
    out.mkdir(parents=True, exist_ok=True)
    _app = QApplication.instance() or QApplication([])
    application = demo_application(Phase.HANDS_ON)
    window = application.window

    join = JoinDialog()
    save(join, out, "join-waiting")
    join.show_code("482 913")
    save(join, out, "join-code")
    over_window(window, join, out, "join-code-over-window")
    join.show_refused(MSG_DENIED)
    save(join, out, "join-denied")
    join.close()

    approve = ApproveDialog("Treatment room tablet")
    save(approve, out, "approve-waiting")
    approve.show_code("482 913")
    save(approve, out, "approve-code")
    over_window(window, approve, out, "approve-code-over-window")
    approve.close()

    shown = RecoveryCodeDialog(CODE, (2, 5))
    save(shown, out, "recovery-code")
    shown.say_saved(
        "Saved as Session Clock recovery code.txt: print it from there, then keep it safe."
    )
    save(shown, out, "recovery-code-saved")
    over_window(window, shown, out, "recovery-code-over-window")
    shown.next_button.click()
    shown.first_field.setText(CODE.groups()[2])
    shown.second_field.setText("K7Q2")
    shown.confirm_button.click()
    save(shown, out, "recovery-code-check")
    shown.dismiss()

    entry = RecoveryEntryDialog()
    entry.code_field.setText("8F3A-61C2-D94B-E017-7A5C-3E90-B2D1")
    entry.show_error(MSG_TYPO)
    save(entry, out, "recovery-entry-error")
    entry.set_busy(True)
    save(entry, out, "recovery-entry-checking")
    entry.close()

    page = AccountDialog(email=EMAIL, tz=TZ, now=BASE)
    page.set_access(STATES["active"])
    page.set_devices(DEVICES)
    panel = DevicesPanel(tz=TZ, now=BASE)
    page.use_devices_panel(panel)
    panel.set_devices(SYNC_DEVICES)
    panel.select("b" * 32)
    save(page, out, "account-devices")
    panel.set_busy(True, "Removing “Treatment room tablet” and changing the key…")
    save(page, out, "account-devices-removing")
    panel.set_busy(False)
    panel.show_error(
        "The account service could not be reached. Check the internet connection and try again."
    )
    save(page, out, "account-devices-error")
    over_window(window, page, out, "account-devices-over-window")
    page.close()
    application.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
