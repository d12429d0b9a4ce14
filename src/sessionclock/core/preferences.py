"""Everything the practitioner can set, with defaults, and its JSON form for the store.

One frozen dataclass per concern, gathered in ``Preferences``. ``from_json`` never fails on what an
older or newer version wrote: unknown keys are ignored and bad values fall back to the default,
so a damaged settings row cannot stop the clock from starting.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sessionclock.core.settings import DEFAULT_REMINDER_LEADS, ClockSettings, LateStartPolicy

_T = TypeVar("_T")

PREFERENCES_KEY = "preferences"
"""The account setting that holds the practitioner's ``Preferences`` as JSON."""


class ThemeName(enum.StrEnum):
    """The colour themes."""

    DAY = "day"
    NIGHT = "night"
    HIGH_CONTRAST = "high-contrast"


@dataclass(frozen=True, slots=True)
class DisplayPreferences:
    """How the clock looks.

    Attributes:
        theme: colour theme of the main window.
        room_theme: colour theme of room mode (dim night theme by default).
        use_24h: 24-hour times instead of AM/PM.
        show_seconds: seconds on the big countdown.
        room_initials_only: in room mode, the next client is shown by initials only.
        flashing: overtime may pulse (off by default: a calm room).
    """

    theme: ThemeName = ThemeName.DAY
    room_theme: ThemeName = ThemeName.NIGHT
    use_24h: bool = True
    show_seconds: bool = True
    room_initials_only: bool = True
    flashing: bool = False


@dataclass(frozen=True, slots=True)
class ReminderPreferences:
    """How reminders cue the practitioner.

    Attributes:
        sound_leads: lead times (minutes) whose reminder plays a chime; others cue visually.
        volume: chime volume from 0.0 to 1.0.
        silent: cue by a gentle visual change only, never a sound.
        next_client_minutes: say "next client in N minutes" this long before a turnover ends
            (0: never).
    """

    sound_leads: tuple[int, ...] = (5, 0)
    volume: float = 0.6
    silent: bool = False
    next_client_minutes: int = 5


@dataclass(frozen=True, slots=True)
class SyncPreferences:
    """How the calendar feed is imported.

    Attributes:
        window_days: days ahead of today that a sync imports (yesterday is always included).
        retention_days: sessions that ended longer ago than this are deleted.
        background_check_minutes: check the feed this often and say when it changed (0: off).
    """

    window_days: int = 14
    retention_days: int = 30
    background_check_minutes: int = 0


@dataclass(frozen=True, slots=True)
class Preferences:
    """All of the practitioner's settings.

    Attributes:
        clock: what shapes the phases and reminders.
        display: how the clock looks.
        reminders: how reminders cue.
        sync: how the calendar is imported.
        start_at_login: start Session Clock when the practitioner logs in.
    """

    clock: ClockSettings = field(default_factory=ClockSettings)
    display: DisplayPreferences = field(default_factory=DisplayPreferences)
    reminders: ReminderPreferences = field(default_factory=ReminderPreferences)
    sync: SyncPreferences = field(default_factory=SyncPreferences)
    start_at_login: bool = False

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-compatible dict."""
        return _to_json(self)  # type: ignore[no-any-return]

    @classmethod
    def from_json(cls, data: object) -> Preferences:
        """Read preferences written by ``to_json``; anything unreadable takes its default."""
        return _from_json(cls, data, cls())


def _to_json(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple):
        return [_to_json(v) for v in value]
    return value


def _from_json(cls: type[_T], data: object, default: _T) -> _T:
    if not isinstance(data, dict):
        return default
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        current = getattr(default, f.name)
        if f.name not in data:
            values[f.name] = current
            continue
        values[f.name] = _coerce(current, data[f.name])
    try:
        return cls(**values)
    except (TypeError, ValueError):
        return default


def _coerce(current: Any, raw: object) -> Any:
    if dataclasses.is_dataclass(current) and not isinstance(current, type):
        return _from_json(type(current), raw, current)
    if isinstance(current, enum.Enum):
        try:
            return type(current)(raw)
        except ValueError:
            return current
    if isinstance(current, bool):
        return raw if isinstance(raw, bool) else current
    if isinstance(current, int):
        return raw if isinstance(raw, int) and not isinstance(raw, bool) else current
    if isinstance(current, float):
        ok = isinstance(raw, int | float) and not isinstance(raw, bool)
        return float(raw) if ok else current  # type: ignore[arg-type]
    if isinstance(current, tuple):
        if isinstance(raw, list) and all(
            isinstance(v, int) and not isinstance(v, bool) for v in raw
        ):
            return tuple(raw)
        return current
    return current


__all__ = [
    "DEFAULT_REMINDER_LEADS",
    "ClockSettings",
    "DisplayPreferences",
    "LateStartPolicy",
    "Preferences",
    "ReminderPreferences",
    "SyncPreferences",
    "ThemeName",
]
