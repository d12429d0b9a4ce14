"""Preferences survive a round trip and never fail on damaged data."""

from __future__ import annotations

import pytest

from sessionclock.core.preferences import Preferences, ThemeName
from sessionclock.core.settings import ClockSettings, LateStartPolicy


def test_round_trip() -> None:
    prefs = Preferences(
        clock=ClockSettings(
            wrap_up_minutes=3, late_start=LateStartPolicy.FULL_LENGTH, reminder_leads=(15, 2)
        ),
    )
    assert Preferences.from_json(prefs.to_json()) == prefs


@pytest.mark.parametrize(
    "damaged",
    [
        None,
        "text",
        [],
        {"clock": {"wrap_up_minutes": 500}},
        {"clock": {"reminder_leads": [5, 5]}},
        {"clock": {"reminder_leads": ["x"]}},
        {"display": {"theme": "purple"}},
        {"display": {"show_seconds": "yes"}},
        {"reminders": {"volume": True}},
        {"clock": "nope"},
    ],
)
def test_damaged_values_fall_back_to_defaults(damaged: object) -> None:
    prefs = Preferences.from_json(damaged)
    assert prefs == Preferences()


def test_unknown_keys_are_ignored_and_known_ones_kept() -> None:
    prefs = Preferences.from_json({"future": 1, "display": {"theme": "night", "extra": 2}})
    assert prefs.display.theme is ThemeName.NIGHT


def test_settings_validation() -> None:
    with pytest.raises(ValueError, match="wrap_up"):
        ClockSettings(wrap_up_minutes=-1)
    with pytest.raises(ValueError, match="distinct"):
        ClockSettings(reminder_leads=(5, 5))
