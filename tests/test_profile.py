"""Opening the practitioner's profile: the demo day, a real profile kept between starts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sessionclock.core.clock import FixedClock, SystemClock
from sessionclock.core.errors import SessionClockError
from sessionclock.core.models import Session
from sessionclock.core.preferences import Preferences, ThemeName
from sessionclock.profile import open_profile
from tests.support.keyrings import no_key_store


def test_the_demo_profile_has_a_day_and_leaves_nothing_behind() -> None:
    clock = FixedClock(datetime(2026, 11, 10, 11, tzinfo=UTC))
    profile = open_profile(data_dir=None, demo=True, clock=clock)
    folder = profile.database.path.parent
    try:
        day = profile.repository.sessions_between(clock.now().replace(hour=0), clock.now())
        assert len(day) >= 2
    finally:
        profile.close()
    assert not folder.exists()


def test_a_real_profile_keeps_sessions_between_starts(
    tmp_path: Path, memory_keyring: object
) -> None:
    clock = FixedClock(datetime(2026, 11, 10, 9, tzinfo=UTC))
    first = open_profile(data_dir=tmp_path, demo=False, clock=clock)
    first.repository.add(Session("Ann", clock.now(), clock.now().replace(hour=10)))
    first.close()
    second = open_profile(data_dir=tmp_path, demo=False, clock=clock)
    try:
        assert second.account_id == first.account_id
        sessions = second.repository.sessions_between(clock.now(), clock.now().replace(hour=11))
        assert [s.client_name for s in sessions] == ["Ann"]
    finally:
        second.close()


def test_without_a_key_store_nothing_is_opened_or_stored(tmp_path: Path) -> None:
    with no_key_store(), pytest.raises(SessionClockError, match="key store"):
        open_profile(data_dir=tmp_path, demo=False, clock=SystemClock(UTC))
    assert not (tmp_path / "sessionclock.db").exists()


def test_preferences_are_kept_with_the_account() -> None:
    profile = open_profile(data_dir=None, demo=True, clock=SystemClock(UTC))
    try:
        assert profile.repository.preferences() == Preferences()
        preferences = replace(
            Preferences(), display=replace(Preferences().display, theme=ThemeName.NIGHT)
        )
        profile.repository.save_preferences(preferences)
        assert profile.repository.preferences().display.theme is ThemeName.NIGHT
    finally:
        profile.close()
