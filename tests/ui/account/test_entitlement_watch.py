"""The subscription watch against the real service: it keeps each answer sealed, polls while
the practitioner pays, checks again on return, and hears when this computer was signed out."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from sessionclock.core.account.access import Standing
from sessionclock.core.account.client import AccountApi, make_service_client
from sessionclock.core.account.models import EntitlementState, ServiceLink
from sessionclock.core.clock import FixedClock, SystemClock
from sessionclock.core.errors import SessionClockError
from sessionclock.core.keystore import MemoryKeyStore
from sessionclock.store.database import Database
from sessionclock.store.repository import AccountRepository
from sessionclock.ui.account.entitlement_watch import FAST_POLL_FOR, EntitlementWatch
from sessionclock.ui.account.service_calls import ServiceCalls
from tests.support.fake_resend import FakeResend
from tests.support.live_service import RunningService
from tests.support.service import PASSWORD, mailed_code, new_email

WAIT_MS = 15_000


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(tmp_path / "sessionclock.db")
    yield database
    database.close()


@pytest.fixture
def repository(database: Database) -> AccountRepository:
    repository = database.repository(database.create_account(), MemoryKeyStore())
    repository.link_service(ServiceLink("http://127.0.0.1", "someone@example.org"))
    return repository


@pytest.fixture
def token(live_service: RunningService, resend: FakeResend) -> str:
    email = new_email()
    with make_service_client(live_service.base_url) as client:
        api = AccountApi(client)
        api.sign_up(email=email, password=PASSWORD)
        api.confirm_sign_up(email=email, code=mailed_code(resend, email))
        return api.sign_in(email=email, password=PASSWORD, device_name="PC").token


@pytest.fixture
def watch(live_service: RunningService) -> Iterator[tuple[EntitlementWatch, FixedClock]]:
    clock = FixedClock(SystemClock(UTC).now())
    watch = EntitlementWatch(
        make_client=make_service_client, url=live_service.base_url, clock=clock
    )
    yield watch, clock
    watch.shutdown()


def test_each_answer_is_kept_sealed_and_said(
    qtbot: QtBot,
    database: Database,
    watch: tuple[EntitlementWatch, FixedClock],
    token: str,
    repository: AccountRepository,
) -> None:
    checker, clock = watch
    with qtbot.waitSignal(checker.access_changed, timeout=WAIT_MS) as changed:
        checker.attach(repository, token=token)
    assert changed.args[0].standing is Standing.TRIAL
    record = repository.entitlement()
    assert record is not None
    assert record.checked_locally_at == clock.now()
    assert record.entitlement.state is EntitlementState.TRIAL
    with database.engine.connect() as connection:
        sealed = connection.execute(text("SELECT entitlement_sealed FROM service_links")).scalar()
    assert isinstance(sealed, bytes)
    assert b"trial" not in sealed and b"checked" not in sealed, "kept sealed, not in clear"


def test_polling_after_subscribe_stops_after_ten_minutes(
    qtbot: QtBot,
    watch: tuple[EntitlementWatch, FixedClock],
    token: str,
    repository: AccountRepository,
) -> None:
    checker, clock = watch
    checker.attach(repository, token=token)
    qtbot.waitUntil(lambda: checker.reachable is True, timeout=WAIT_MS)
    checker.watch_for_change()
    assert checker.is_fast_polling()
    clock.advance(FAST_POLL_FOR + timedelta(seconds=1))
    qtbot.waitUntil(lambda: not checker.is_fast_polling(), timeout=WAIT_MS)


def test_coming_back_checks_again_when_the_answer_is_old(
    qtbot: QtBot,
    watch: tuple[EntitlementWatch, FixedClock],
    token: str,
    repository: AccountRepository,
) -> None:
    checker, clock = watch
    checker.attach(repository, token=token)
    qtbot.waitUntil(lambda: checker.reachable is True, timeout=WAIT_MS)
    first = checker.record
    checker.on_returned()  # just checked: nothing to ask
    assert not checker.is_checking()
    clock.advance(timedelta(hours=1))
    checker.on_returned()
    assert checker.is_checking()
    qtbot.waitUntil(lambda: checker.record != first, timeout=WAIT_MS)


def test_a_sign_in_the_service_no_longer_accepts_is_heard(
    qtbot: QtBot,
    watch: tuple[EntitlementWatch, FixedClock],
    token: str,
    repository: AccountRepository,
    live_service: RunningService,
) -> None:
    checker, _clock = watch
    with make_service_client(live_service.base_url) as client:
        AccountApi(client).sign_out(token=token)
    with qtbot.waitSignal(checker.signed_out, timeout=WAIT_MS):
        checker.attach(repository, token=token)


def test_service_calls_wait_their_turn(qtbot: QtBot, live_service: RunningService) -> None:
    calls = ServiceCalls(make_service_client, live_service.base_url)
    answers: list[int] = []
    busy: list[bool] = []
    calls.busy_changed.connect(busy.append)
    failures: list[SessionClockError] = []

    def answer(number: int) -> Callable[[AccountApi], int]:
        return lambda _api: number

    for number in range(3):
        calls.run(answer(number), done=answers.append, failed=failures.append)
    assert calls.is_busy()
    qtbot.waitUntil(lambda: answers == [0, 1, 2], timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not calls.is_busy(), timeout=WAIT_MS)
    assert busy == [True, False]
    assert failures == []
    calls.shutdown()
