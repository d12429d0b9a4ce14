"""Render the account screens to PNG, for review by eye: every page of the sign-in dialog, the
account page in each subscription state, change password, delete account, the privacy page, and
the main window's subscription line (trial, offline, paused, signed out) at 1366x768 and on a
tablet (1280x800, and 800x1280 upright). Nothing here talks to a service.

Usage: .venv/bin/python scripts/render_account.py [OUTPUT_DIR]   (default: screenshots/account)
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtWidgets import QApplication, QWidget

from scripts._render import BASE, TZ
from sessionclock.app import build
from sessionclock.core.account.access import Access, Standing
from sessionclock.core.account.address import AddressSource, ServiceAddress
from sessionclock.core.account.client import make_service_client
from sessionclock.core.account.models import Device, LocalAccount, ServiceLink
from sessionclock.core.clock import FixedClock
from sessionclock.core.demo import demo_day
from sessionclock.core.keystore import MemoryKeyStore
from sessionclock.core.models import StoredSpan
from sessionclock.core.privacy import LocalFacts
from sessionclock.profile import LocalData
from sessionclock.store.database import Database
from sessionclock.ui.account.account_dialog import AccountDialog
from sessionclock.ui.account.account_flow import AccountFlow
from sessionclock.ui.account.change_password_dialog import ChangePasswordDialog
from sessionclock.ui.account.delete_account_dialog import DeleteAccountDialog
from sessionclock.ui.account.privacy_dialog import PrivacyDialog
from sessionclock.ui.account.sign_in_dialog import Page, SignInDialog
from sessionclock.ui.desktop import Desktop
from sessionclock.ui.prompts import MessageBoxPrompts

EMAIL = "maya.okafor@clinic.example"
WINDOW_SIZES = ((1366, 768), (1280, 800), (800, 1280))
SCREENS = ((1366, 768), (800, 1280))
"""Every dialog must fit inside these (a small laptop, an upright tablet)."""

STATES = {
    "trial": Access(Standing.TRIAL, until=BASE + timedelta(days=9)),
    "active": Access(Standing.ACTIVE, until=BASE + timedelta(days=27)),
    "past-due": Access(Standing.PAST_DUE, until=BASE + timedelta(days=3)),
    "offline": Access(Standing.OFFLINE, until=BASE + timedelta(days=4)),
    "reconnect": Access(Standing.RECONNECT, editing=False, paused_from=BASE - timedelta(hours=11)),
    "lapsed-tomorrow": Access(
        Standing.LAPSED, editing=True, paused_from=BASE + timedelta(hours=13)
    ),
    "lapsed": Access(Standing.LAPSED, editing=False, paused_from=BASE - timedelta(hours=11)),
}
DEVICES = (
    Device("d1", "Front-Desk-PC", BASE, BASE, current=True),
    Device("d2", "Treatment room tablet", BASE, BASE - timedelta(days=2), current=False),
    Device("d3", "Maya's laptop", BASE, BASE - timedelta(days=20), current=False),
)


def save(widget: QWidget, out: Path, name: str, *, dialog: bool = True) -> None:
    """Show *widget*, grab it to OUT/NAME.png and say whether a dialog fits the screens."""
    widget.show()
    QApplication.processEvents()
    path = out / f"{name}.png"
    widget.grab().save(str(path))
    size = widget.size()
    misfits = [f"{w}x{h}" for w, h in SCREENS if size.width() > w or size.height() > h]
    note = f"  (does not fit {', '.join(misfits)})" if misfits and dialog else ""
    print(f"{path}  {size.width()}x{size.height()}{note}")


def render_dialogs(out: Path) -> None:
    """The account screens on their own."""
    pages = {
        "welcome": (Page.WELCOME, "", ""),
        "sign-in": (Page.SIGN_IN, "", ""),
        "sign-in-refused": (
            Page.SIGN_IN,
            "",
            "That e-mail address and password do not match an account, or the address is not "
            "confirmed yet. Check them, or enter the code from the confirmation e-mail.",
        ),
        "sign-up": (Page.SIGN_UP, "", ""),
        "confirm": (
            Page.CONFIRM,
            "Check your e-mail: a six-digit code is on its way (it can take a minute; look in "
            "the spam folder too).",
            "",
        ),
        "forgot": (Page.FORGOT, "", ""),
        "reset": (
            Page.RESET,
            "If an account uses this address, a six-digit code is on its way.",
            "",
        ),
    }
    for name, (page, notice, error) in pages.items():
        dialog = SignInDialog(device_name="Front-Desk-PC", page=page)
        dialog.email_edit.setText(EMAIL)
        dialog.confirm_email_edit.setText(EMAIL)
        dialog.show_page(page, notice=notice)
        if error:
            dialog.show_error(error)
        save(dialog, out, f"sign-in-{name}")
        dialog.close()
    for name, access in STATES.items():
        account = AccountDialog(email=EMAIL, tz=TZ, now=BASE)
        account.set_access(access)
        account.set_devices(DEVICES)
        if name == "trial":
            account.show_notice(
                "Stripe's page is open in your browser. This window updates once you are done."
            )
        save(account, out, f"account-{name}")
        account.close()
    password = ChangePasswordDialog()
    password.show_error("The password is not right.")
    save(password, out, "change-password")
    delete = DeleteAccountDialog(email=EMAIL)
    save(delete, out, "delete-account")
    facts = LocalFacts(
        span=StoredSpan(128, BASE - timedelta(days=60), BASE + timedelta(days=14)),
        feed_stored=True,
        key_location="the Secret Service (GNOME Keyring or KDE Wallet)",
        last_sync=BASE - timedelta(hours=2),
        database=Path.home() / ".local/share/SessionClock/sessionclock.db",
    )
    privacy = PrivacyDialog(facts, tz=TZ)
    privacy.set_service_facts(
        [
            ("E-mail address", EMAIL),
            ("Subscription", "Free trial · ends Thu 19 Nov"),
            ("Devices signed in", "Front-Desk-PC (this computer), Treatment room tablet"),
            ("Client data", "Only sealed records for your other devices, which it cannot open"),
        ]
    )
    save(privacy, out, "privacy")


def render_window(out: Path, folder: Path) -> None:
    """The main window with its subscription line, in each state and when signed out."""
    clock = FixedClock(BASE)
    local = LocalData(Database.open(folder / "sessionclock.db"), MemoryKeyStore())
    link = ServiceLink("https://accounts.sessionclock.app", EMAIL)
    account_id = local.tie(link)
    for session in demo_day(BASE):
        local.repository(account_id).add(session)
    desktop = Desktop.system(data_dir=folder)
    prompts = MessageBoxPrompts()
    application = build(local.profile(account_id), clock=clock, desktop=desktop, prompts=prompts)
    flow = AccountFlow(
        local=local,
        address=ServiceAddress(link.service_url, AddressSource.BUILT_IN),
        make_client=make_service_client,
        clock=clock,
        desktop=desktop,
        prompts=prompts,
        window=application.window,
        parent=application,
    )
    application.attach_accounts(flow, local)
    flow.current = LocalAccount(account_id, link, signed_in=True)
    window = application.window
    for name in ("trial", "offline", "reconnect"):
        flow.access_changed.emit(STATES[name])
        for width, height in WINDOW_SIZES:
            window.resize(width, height)
            save(window, out, f"window-{name}-{width}x{height}", dialog=False)
    flow.current = None
    flow.locked.emit()
    window.resize(1366, 768)
    save(window, out, "window-signed-out-1366x768", dialog=False)
    application.shutdown()


def main() -> int:
    """Render every account screen and print where the PNGs went."""
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots/account")
    out.mkdir(parents=True, exist_ok=True)
    _app = QApplication.instance() or QApplication([])
    render_dialogs(out)
    with tempfile.TemporaryDirectory(prefix="sessionclock-render-") as folder:
        render_window(out, Path(folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
