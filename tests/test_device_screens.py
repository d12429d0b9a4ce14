"""The devices screens in two whole apps (each its own data folder and key store) against the real
service on loopback: the first device shows the recovery code once; a new device joins by the
code shown on both screens, or is denied and asks again; the recovery code lets a device in
without another one; starting over asks first; the account page lists the devices and removes
one, changing the key; with the service down, Remove says so and changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from sessionclock.core.account.client import make_service_client
from sessionclock.core.account.credentials import load_token
from sessionclock.core.clock import SystemClock
from sessionclock.core.devices.api import DevicesApi
from sessionclock.core.devices.membership import MSG_WRONG_CODE
from sessionclock.core.devices.recovery import RecoveryCode
from sessionclock.core.keystore import KeyringKeyStore
from sessionclock.ui.account.account_dialog import AccountDialog
from sessionclock.ui.devices.devices_flow import MSG_EMPTY_DAY, MSG_EXPIRED
from sessionclock.ui.devices.devices_panel import DevicesPanel
from sessionclock.ui.devices.joining import MSG_DENIED
from tests.support.account_ui import AccountsApp, press, sign_in, sign_up, start_app, type_into
from tests.support.device_screens import (
    PAIR_MS,
    approve_dialog,
    join_dialog,
    keep_recovery_code,
    keys_of,
    pair_with_code,
    recovery_code_dialog,
    screens,
)
from tests.support.fake_resend import FakeResend
from tests.support.keyrings import InMemoryKeyring
from tests.support.live_service import RunningService
from tests.support.service import new_email

CLOCK = SystemClock(UTC)


@pytest.fixture
def two_apps(
    qtbot: QtBot, tmp_path: Path, own_service: RunningService
) -> Iterator[tuple[AccountsApp, AccountsApp]]:
    """The clinic computer and the room tablet, not signed in yet."""
    apps = [
        start_app(
            qtbot,
            service_url=own_service.base_url,
            data=tmp_path / name,
            clock=CLOCK,
            keystore=KeyringKeyStore(backend=InMemoryKeyring()),
        )
        for name in ("desk", "tablet")
    ]
    yield apps[0], apps[1]
    for app in apps:
        app.application.shutdown()


def _signed_in_pair(
    qtbot: QtBot, apps: tuple[AccountsApp, AccountsApp], resend: FakeResend
) -> tuple[AccountsApp, AccountsApp, str]:
    desk, tablet = apps
    email = new_email()
    sign_up(qtbot, desk, resend, email)
    code = keep_recovery_code(qtbot, desk)
    sign_in(qtbot, tablet, email)
    return desk, tablet, code


def test_a_new_device_joins_by_the_code_shown_on_both_screens(
    qtbot: QtBot,
    two_apps: tuple[AccountsApp, AccountsApp],
    resend: FakeResend,
    tmp_path: Path,
) -> None:
    desk, tablet = two_apps
    email = new_email()
    sign_up(qtbot, desk, resend, email)
    shown = recovery_code_dialog(qtbot, desk)
    assert len(shown.code_label.text().split()) == 7
    qtbot.keyClick(shown, Qt.Key.Key_Escape)
    assert screens(desk).code_dialog is shown, "the code stays until it was kept"
    nowhere = tmp_path / "no such folder" / "code.txt"
    saved = tmp_path / "code.txt"
    desk.prompts.save_paths = [nowhere, saved]
    press(qtbot, shown.save_button)
    assert "could not be saved" in shown.copied_label.text() and not nowhere.exists()
    press(qtbot, shown.save_button)
    assert " ".join(shown.code_label.text().split()) in saved.read_text(encoding="utf-8")
    assert shown.copied_label.text().startswith("Saved as code.txt")
    keep_recovery_code(qtbot, desk)
    desk_keys = keys_of(desk)
    assert desk_keys is not None and desk_keys.epoch == 1

    sign_in(qtbot, tablet, email)
    waiting = join_dialog(qtbot, tablet)
    assert waiting.code() == "" and "Waiting" in waiting.status_label.text()
    asked = approve_dialog(qtbot, desk)
    assert "wants to join" in asked.heading.text()
    with qtbot.waitSignal(screens(tablet).joined, timeout=PAIR_MS):
        code = pair_with_code(qtbot, desk, tablet)
    assert len(code.replace(" ", "")) == 6 and code[3] == " "
    assert keys_of(tablet) == desk_keys
    assert screens(desk).approve_dialog is None


def test_a_denied_device_is_told_and_may_ask_again(
    qtbot: QtBot, two_apps: tuple[AccountsApp, AccountsApp], resend: FakeResend
) -> None:
    desk, tablet, _code = _signed_in_pair(qtbot, two_apps, resend)
    waiting = join_dialog(qtbot, tablet)
    asked = approve_dialog(qtbot, desk)
    qtbot.keyClick(asked, Qt.Key.Key_Escape)  # deny
    qtbot.waitUntil(lambda: waiting.error_label.text() == MSG_DENIED, timeout=PAIR_MS)
    assert waiting.retry_button.isVisible() and keys_of(tablet) is None
    press(qtbot, waiting.retry_button)
    pair_with_code(qtbot, desk, tablet)
    assert keys_of(tablet) == keys_of(desk)


def test_the_recovery_code_lets_a_device_in_and_a_wrong_one_is_refused(
    qtbot: QtBot, two_apps: tuple[AccountsApp, AccountsApp], resend: FakeResend
) -> None:
    desk, tablet, code = _signed_in_pair(qtbot, two_apps, resend)
    waiting = join_dialog(qtbot, tablet)
    press(qtbot, waiting.recovery_button)
    entry = screens(tablet).entry_dialog
    assert entry is not None
    type_into(qtbot, entry.code_field, RecoveryCode.generate().text())
    press(qtbot, entry.open_button)
    qtbot.waitUntil(lambda: entry.error_label.text() == MSG_WRONG_CODE, timeout=PAIR_MS)
    assert entry.open_button.isEnabled() and keys_of(tablet) is None
    type_into(qtbot, entry.code_field, code.lower())
    press(qtbot, entry.open_button)
    qtbot.waitUntil(lambda: keys_of(tablet) is not None, timeout=PAIR_MS)
    assert keys_of(tablet) == keys_of(desk)
    qtbot.waitUntil(lambda: screens(tablet).join_dialog is None, timeout=PAIR_MS)


def test_starting_over_asks_first_and_makes_a_new_key_history(
    qtbot: QtBot, two_apps: tuple[AccountsApp, AccountsApp], resend: FakeResend
) -> None:
    desk, tablet, _code = _signed_in_pair(qtbot, two_apps, resend)
    waiting = join_dialog(qtbot, tablet)
    tablet.prompts.answers = [False]
    press(qtbot, waiting.empty_button)
    assert tablet.prompts.asked == [("Start with an empty day?", MSG_EMPTY_DAY, True)]
    assert keys_of(tablet) is None and screens(tablet).join_dialog is waiting
    tablet.prompts.answers = [True]
    press(qtbot, waiting.empty_button)
    keep_recovery_code(qtbot, tablet)
    tablet_keys, desk_keys = keys_of(tablet), keys_of(desk)
    assert tablet_keys is not None and desk_keys is not None
    assert tablet_keys.epoch == 2 and tablet_keys.data_key != desk_keys.data_key


def _account_page(qtbot: QtBot, app: AccountsApp) -> tuple[AccountDialog, DevicesPanel]:
    page = app.flow.open_account_page()
    assert page is not None

    def shown() -> bool:
        panel = screens(app).panel
        return panel is not None and panel.isVisible()

    qtbot.waitUntil(shown, timeout=PAIR_MS)
    panel = screens(app).panel
    assert panel is not None
    return page, panel


def test_removing_a_device_changes_the_key_and_a_failure_changes_nothing(
    qtbot: QtBot,
    two_apps: tuple[AccountsApp, AccountsApp],
    resend: FakeResend,
    own_service: RunningService,
) -> None:
    desk, tablet, _code = _signed_in_pair(qtbot, two_apps, resend)
    pair_with_code(qtbot, desk, tablet)
    page, panel = _account_page(qtbot, desk)
    assert not page.devices_group.isVisible()
    lines = [panel.device_list.item(i).text() for i in range(panel.device_list.count())]
    assert len(lines) == 2 and "(this device)" in lines[0]
    checked = screens(tablet).checked
    assert checked is not None
    tablet_id = checked.member.device.id
    panel.select(tablet_id)

    own_service.stop()
    desk.prompts.answers = [True]
    press(qtbot, panel.remove_button)
    qtbot.waitUntil(lambda: panel.error_label.isVisible(), timeout=PAIR_MS)
    assert "could not be reached" in panel.error_label.text()
    keys = keys_of(desk)
    assert keys is not None and keys.epoch == 1

    own_service.restart()
    panel.select(tablet_id)
    desk.prompts.answers = [True]
    press(qtbot, panel.remove_button)
    qtbot.waitUntil(lambda: "is removed" in panel.status_label.text(), timeout=PAIR_MS)
    assert desk.prompts.asked[-1][0] == "Remove this device?" and desk.prompts.asked[-1][2]
    assert panel.device_list.count() == 1
    keys = keys_of(desk)
    assert keys is not None and keys.epoch == 2


def test_a_request_withdrawn_after_the_code_cannot_be_approved(
    qtbot: QtBot, two_apps: tuple[AccountsApp, AccountsApp], resend: FakeResend
) -> None:
    desk, tablet, _code = _signed_in_pair(qtbot, two_apps, resend)
    waiting = join_dialog(qtbot, tablet)
    asked = approve_dialog(qtbot, desk)
    qtbot.waitUntil(lambda: waiting.code() != "", timeout=PAIR_MS)
    press(qtbot, waiting.later_button)  # the tablet withdraws its request
    qtbot.waitUntil(lambda: not screens(tablet).is_busy(), timeout=PAIR_MS)
    press(qtbot, asked.approve_button)
    qtbot.waitUntil(lambda: asked.error_label.isVisible(), timeout=PAIR_MS)
    assert "Start the pairing again" in asked.error_label.text()
    assert not asked.approve_button.isEnabled()
    assert keys_of(tablet) is None


def test_a_request_gone_at_the_service_says_so_and_signing_out_closes_the_screen(
    qtbot: QtBot,
    two_apps: tuple[AccountsApp, AccountsApp],
    resend: FakeResend,
    own_service: RunningService,
) -> None:
    _desk, tablet, _code = _signed_in_pair(qtbot, two_apps, resend)
    waiting = join_dialog(qtbot, tablet)
    qtbot.waitUntil(lambda: screens(tablet).asking is not None, timeout=PAIR_MS)
    checked = screens(tablet).checked
    profile = tablet.application.profile
    assert checked is not None and profile is not None
    token = load_token(profile.keystore, profile.account_id)
    assert token is not None
    # A new request from the same device replaces the one the screen follows (as after 10
    # minutes, when a request expires): the service answers that it is gone.
    with make_service_client(own_service.base_url) as client:
        DevicesApi(client).ask_to_pair(
            token=token, public_key=checked.member.key.public, commitment=bytes(32)
        )
    qtbot.waitUntil(lambda: waiting.error_label.text() == MSG_EXPIRED, timeout=PAIR_MS)
    assert waiting.retry_button.isVisible() and keys_of(tablet) is None

    tablet.flow.sign_out()
    assert screens(tablet).join_dialog is None and not waiting.isVisible()
    assert screens(tablet).here is None
