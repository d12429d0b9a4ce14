"""What the practitioner may do: trial, paid, offline grace, lapse, and the pause's timing."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sessionclock.core.account.access import (
    GRACE,
    Access,
    EntitlementRecord,
    Standing,
    access_at,
    describe,
    explain,
    pause_reason,
    record_check,
    running_since,
    start_of_next_day,
)
from sessionclock.core.account.models import Entitlement, EntitlementSource, EntitlementState
from sessionclock.core.countdown import clock_state
from sessionclock.core.models import Session
from sessionclock.core.settings import ClockSettings

TZ = ZoneInfo("Europe/Berlin")
CHECKED = datetime(2026, 11, 10, 10, 0, tzinfo=TZ)


def entitlement(
    state: EntitlementState = EntitlementState.TRIAL,
    *,
    ends: datetime | None = CHECKED + timedelta(days=14),
    source: EntitlementSource = EntitlementSource.TRIAL,
) -> Entitlement:
    return Entitlement(
        state=state,
        entitled=state is not EntitlementState.LAPSED,
        source=source,
        ends_at=ends,
        trial_ends_at=CHECKED + timedelta(days=14),
        checked_at=CHECKED,
    )


LAPSED = entitlement(EntitlementState.LAPSED, ends=None, source=EntitlementSource.NONE)
RECORD = EntitlementRecord(entitlement(), checked_locally_at=CHECKED)


def at(record: EntitlementRecord | None, now: datetime, **kw: object) -> Access:
    options: dict[str, object] = {"reachable": True, "running_since": None} | kw
    return access_at(record, now=now, tz=TZ, **options)  # type: ignore[arg-type]


def test_online_the_service_says_what_is_shown() -> None:
    access = at(RECORD, CHECKED + timedelta(hours=1))
    assert access == Access(Standing.TRIAL, until=CHECKED + timedelta(days=14))
    assert access.can_subscribe
    paid = EntitlementRecord(
        entitlement(EntitlementState.ACTIVE, source=EntitlementSource.SUBSCRIPTION),
        checked_locally_at=CHECKED,
    )
    assert at(paid, CHECKED).standing is Standing.ACTIVE
    assert not at(paid, CHECKED).can_subscribe
    free = EntitlementRecord(
        entitlement(EntitlementState.ACTIVE, ends=None, source=EntitlementSource.COMPLIMENTARY),
        checked_locally_at=CHECKED,
    )
    assert at(free, CHECKED).complimentary
    assert describe(at(free, CHECKED), tz=TZ) == "Subscribed · complimentary access"


def test_offline_day_six_works_and_day_eight_asks_to_reconnect() -> None:
    day6 = at(RECORD, CHECKED + timedelta(days=6), reachable=False)
    assert day6.standing is Standing.OFFLINE
    assert day6.editing
    assert day6.until == CHECKED + GRACE
    assert describe(day6, tz=TZ) == "Offline · everything works until Tue 17 Nov"
    day8 = at(RECORD, CHECKED + timedelta(days=8), reachable=False)
    assert day8.standing is Standing.RECONNECT
    assert not day8.editing
    assert describe(day8, tz=TZ).startswith("Offline for over 7 days: connect")
    assert "paused" in explain(day8, tz=TZ)


def test_when_the_grace_runs_out_the_pause_waits_for_the_next_day() -> None:
    ran_out = CHECKED + GRACE  # Tue 17 Nov 10:00
    later_that_day = at(RECORD, ran_out + timedelta(hours=5), reachable=None)
    assert later_that_day.standing is Standing.RECONNECT
    assert later_that_day.editing
    assert later_that_day.paused_from == datetime(2026, 11, 18, 0, 0, tzinfo=TZ)
    assert describe(later_that_day, tz=TZ).endswith("pause from Wed 18 Nov 00:00")
    assert not at(RECORD, datetime(2026, 11, 18, 0, 0, tzinfo=TZ)).editing


def test_a_session_running_when_the_pause_begins_is_never_interrupted() -> None:
    midnight = datetime(2026, 11, 18, 0, 0, tzinfo=TZ)
    began = midnight - timedelta(minutes=30)
    during = at(RECORD, midnight + timedelta(minutes=10), running_since=began)
    assert during.editing
    assert during.after_session
    assert describe(during, tz=TZ).endswith("pause when this session ends")
    after = at(RECORD, midnight + timedelta(minutes=40), running_since=None)
    assert not after.editing
    # A session started after the pause began does not lift it.
    assert not at(RECORD, midnight + timedelta(hours=9), running_since=midnight).editing


def test_a_lapse_pauses_from_the_start_of_the_day_after_it_was_noticed() -> None:
    noticed = datetime(2026, 11, 20, 15, 0, tzinfo=TZ)
    record = record_check(RECORD, LAPSED, now=noticed)
    assert record.lapse_noticed_at == noticed
    same_day = at(record, noticed + timedelta(hours=2))
    assert same_day.standing is Standing.LAPSED
    assert same_day.editing
    assert same_day.can_subscribe
    next_day = at(record, datetime(2026, 11, 21, 0, 1, tzinfo=TZ))
    assert not next_day.editing
    assert describe(next_day, tz=TZ) == "Subscription ended · syncing and editing paused"
    assert "export your schedule" in explain(next_day, tz=TZ)
    # Later checks that still say "lapsed" keep the first notice: the pause does not move.
    again = record_check(record, LAPSED, now=noticed + timedelta(days=3))
    assert again.lapse_noticed_at == noticed
    # A lapse is a lapse offline too.
    assert at(again, noticed + timedelta(days=3), reachable=False).standing is Standing.LAPSED
    # Subscribing again ends it.
    renewed = record_check(again, entitlement(EntitlementState.ACTIVE), now=noticed)
    assert renewed.lapse_noticed_at is None


def test_without_any_check_the_app_asks_and_offline_it_pauses_at_once() -> None:
    assert at(None, CHECKED, reachable=None).standing is Standing.CHECKING
    assert at(None, CHECKED, reachable=None).editing
    lost = at(None, CHECKED, reachable=False)
    assert (lost.standing, lost.editing, lost.paused_from) == (Standing.RECONNECT, False, None)
    running = at(None, CHECKED, reachable=False, running_since=CHECKED - timedelta(minutes=5))
    assert running.editing and running.after_session


def test_the_record_round_trips_and_a_damaged_one_counts_as_never_checked() -> None:
    record = record_check(None, LAPSED, now=CHECKED)
    assert EntitlementRecord.from_json(record.to_json()) == record
    assert EntitlementRecord.from_json(RECORD.to_json()) == RECORD
    assert EntitlementRecord.from_json("{}") is None
    assert EntitlementRecord.from_json("not json") is None
    naive = RECORD.to_json().replace("+01:00", "")
    assert EntitlementRecord.from_json(naive) is None


def test_the_next_day_begins_at_local_midnight_across_a_dst_change() -> None:
    # Berlin leaves summer time on 25 Oct 2026: that day has 25 hours.
    assert start_of_next_day(datetime(2026, 10, 25, 1, tzinfo=TZ), TZ) == datetime(
        2026, 10, 26, tzinfo=TZ
    )


def test_running_since_is_the_running_sessions_start() -> None:
    session = Session("Ann Lee", CHECKED, CHECKED + timedelta(hours=1))
    state = clock_state([session], now=CHECKED + timedelta(minutes=5), settings=ClockSettings())
    assert running_since(state) == CHECKED
    between = clock_state([session], now=CHECKED - timedelta(minutes=5), settings=ClockSettings())
    assert running_since(between) is None


@pytest.mark.parametrize(
    ("access", "expected"),
    [
        (Access(Standing.CHECKING), "Checking your subscription…"),
        (Access(Standing.TRIAL, until=CHECKED), "Free trial · ends Tue 10 Nov"),
        (Access(Standing.ACTIVE, until=CHECKED), "Subscribed · paid until Tue 10 Nov"),
        (Access(Standing.PAST_DUE, until=CHECKED), "Payment failed · update it by Tue 10 Nov"),
    ],
)
def test_status_lines(access: Access, expected: str) -> None:
    assert describe(access, tz=TZ) == expected
    assert explain(access, tz=TZ)


def test_a_pause_says_what_to_do_and_that_export_remains() -> None:
    offline = pause_reason(Access(Standing.RECONNECT, editing=False))
    ended = pause_reason(Access(Standing.LAPSED, editing=False))
    assert offline.startswith("Connect to the internet")
    assert ended.startswith("Your subscription has ended: subscribe again")
    assert all("Export schedule" in text for text in (offline, ended))
