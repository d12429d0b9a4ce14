"""Deleting an account from the app: offline, this computer's part happens at once and the
service's part when it can be reached; "Delete the data on this computer only" stays."""

from __future__ import annotations

import base64
import json
from datetime import UTC, timedelta

import pytest
from pytestqt.qtbot import QtBot

from sessionclock.core.account.client import AccountApi, make_service_client
from sessionclock.core.clock import SystemClock
from sessionclock.core.errors import SignInFailedError
from sessionclock.core.models import Session
from sessionclock.ui.account.sign_in_dialog import Page
from tests.support.account_ui import (
    WAIT_MS,
    AccountsApp,
    press,
    sign_up,
    type_into,
    wait_for_page,
)
from tests.support.fake_resend import FakeResend
from tests.support.keyrings import InMemoryKeyring
from tests.support.live_service import RunningService
from tests.support.service import PASSWORD, new_email
from tests.test_privacy import scan

CLOCK = SystemClock(UTC)


@pytest.fixture
def accounts_service(own_service: RunningService) -> RunningService:
    """A service of each test's own: it is stopped and started again."""
    return own_service


def can_sign_in(service: RunningService, email: str) -> bool:
    with make_service_client(service.base_url) as client:
        try:
            AccountApi(client).sign_in(email=email, password=PASSWORD, device_name="check")
        except SignInFailedError:
            return False
    return True


def secrets_of(keyring: InMemoryKeyring) -> dict[str, bytes]:
    return {name: base64.b64decode(value) for (_s, name), value in keyring.passwords.items()}


def test_deleting_offline_deletes_here_at_once_and_at_the_service_once_it_is_back(
    qtbot: QtBot,
    accounts_app: AccountsApp,
    resend: FakeResend,
    own_service: RunningService,
    memory_keyring: InMemoryKeyring,
) -> None:
    app = accounts_app
    email = new_email()
    sign_up(qtbot, app, resend, email)
    now = CLOCK.now()
    app.application.controller.add_session(
        Session("QZXGONE Client", now + timedelta(hours=1), now + timedelta(hours=2))
    )
    assert app.flow.current is not None
    account_id = app.flow.current.account_id
    own_service.stop()

    page = app.flow.open_account_page()
    assert page is not None
    press(qtbot, page.delete_button)
    delete = app.flow.delete_dialog
    assert delete is not None
    type_into(qtbot, delete.password_edit, PASSWORD)
    delete.understood_check.setChecked(True)
    press(qtbot, delete.delete_button)
    wait_for_page(qtbot, app, Page.WELCOME)
    title, message, _serious = app.prompts.reports[-1]
    assert title == "Account deleted on this computer"
    assert "as soon as it can reach it" in message

    secrets = secrets_of(memory_keyring)
    assert not any(account_id in name for name in secrets), "its key and token are gone"
    [pending] = [name for name in secrets if name.startswith("pending-deletion/")]
    assert json.loads(secrets[pending])["password"] == PASSWORD
    assert scan(app.data, "QZXGONE") == []
    assert app.application.profile is None

    own_service.restart()
    assert can_sign_in(own_service, email), "the account still exists at the service"
    app.flow.finish_pending_deletions()
    qtbot.waitUntil(lambda: not memory_keyring.passwords, timeout=WAIT_MS)
    assert not can_sign_in(own_service, email)
    assert app.application.banner.title_label.text() == "Account deleted"


def test_delete_the_data_on_this_computer_only_keeps_the_account_at_the_service(
    qtbot: QtBot,
    accounts_app: AccountsApp,
    resend: FakeResend,
    own_service: RunningService,
    memory_keyring: InMemoryKeyring,
) -> None:
    app = accounts_app
    email = new_email()
    sign_up(qtbot, app, resend, email)
    app.prompts.answers = [True]
    with qtbot.waitSignal(app.application.finished, timeout=WAIT_MS):
        app.application.window.delete_data_requested.emit()
    assert secrets_of(memory_keyring) == {}, "key and sign-in token are gone from the key store"
    assert can_sign_in(own_service, email)
