"""Colour themes for the clock, per phase, with the WCAG contrast arithmetic that checks them.

Colours are plain ``#rrggbb`` strings so this module stays free of Qt; the widgets turn them into
``QColor``. Every theme gives each phase its own calm colour for the digits and the ring, and the
digits keep a contrast ratio of at least 7:1 (WCAG AAA) against their background in every phase,
so the clock stays readable from the treatment table.

- ``day``: light, quiet tints; for the front desk and bright rooms.
- ``night``: warm and dim: near-black warm backgrounds, amber digits, no large white areas, so a
  client lying in a dark room is not dazzled.
- ``high-contrast``: black background and pure, saturated digits for low vision.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from sessionclock.core.countdown import Phase
from sessionclock.core.preferences import ThemeName

AAA_CONTRAST = 7.0
"""The contrast ratio the digits must reach against their background (WCAG 2 level AAA)."""

AA_TEXT_CONTRAST = 4.5
"""The contrast ratio ordinary text must reach against its background (WCAG 2 level AA)."""

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def _channels(colour: str) -> tuple[int, int, int]:
    if not _HEX.match(colour):
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def relative_luminance(colour: str) -> float:
    """Return the WCAG 2 relative luminance of a ``#rrggbb`` colour (0.0 black to 1.0 white)."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = _channels(colour)
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def contrast_ratio(first: str, second: str) -> float:
    """Return the WCAG 2 contrast ratio of two colours, from 1.0 (same) to 21.0 (black/white)."""
    a, b = relative_luminance(first), relative_luminance(second)
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


def mix(first: str, second: str, amount: float) -> str:
    """Return *first* blended towards *second* by *amount* (0.0 keeps *first*, 1.0 is *second*)."""
    amount = min(1.0, max(0.0, amount))
    pairs = zip(_channels(first), _channels(second), strict=True)
    r, g, b = (round(x + (y - x) * amount) for x, y in pairs)
    return f"#{r:02x}{g:02x}{b:02x}"


@dataclass(frozen=True, slots=True)
class PhaseColours:
    """The colours of the clock in one phase.

    Attributes:
        background: the clock face.
        digits: the large countdown; at least 7:1 against ``background``.
        ring: the elapsed part of the progress ring.
        track: the not-yet-elapsed part of the ring, a faint line.
        text: client name, phase label and the next client.
        muted: secondary text (times, hints).
        cue: the gentle visual cue a reminder shows (a soft glow over the background).
    """

    background: str
    digits: str
    ring: str
    track: str
    text: str
    muted: str
    cue: str

    def __post_init__(self) -> None:
        for name in ("background", "digits", "ring", "track", "text", "muted", "cue"):
            _channels(getattr(self, name))


@dataclass(frozen=True, slots=True)
class Theme:
    """A colour theme: the clock's colours for every phase.

    Attributes:
        name: which theme this is.
        label: its name as the settings dialog shows it.
        phases: colours per phase; every ``Phase`` has an entry.
    """

    name: ThemeName
    label: str
    phases: Mapping[Phase, PhaseColours]

    def __post_init__(self) -> None:
        missing = set(Phase) - set(self.phases)
        if missing:
            raise ValueError(f"theme {self.name} lacks colours for {sorted(missing)}")

    def colours(self, phase: Phase) -> PhaseColours:
        """Return the colours for *phase*."""
        return self.phases[phase]


def _phase(
    background: str,
    digits: str,
    ring: str,
    *,
    text: str,
    muted: str,
    cue: str,
    track_amount: float = 0.18,
) -> PhaseColours:
    return PhaseColours(
        background=background,
        digits=digits,
        ring=ring,
        track=mix(background, text, track_amount),
        text=text,
        muted=muted,
        cue=cue,
    )


_DAY = Theme(
    name=ThemeName.DAY,
    label="Day",
    phases=MappingProxyType(
        {
            Phase.BEFORE_FIRST: _phase(
                "#f3f5f7", "#1f2a36", "#5b7a99", text="#26313d", muted="#52606e", cue="#dfe8f1"
            ),
            Phase.HANDS_ON: _phase(
                "#eef4ef", "#173826", "#3f8a5c", text="#1f3a2b", muted="#4b6354", cue="#d6eadb"
            ),
            Phase.WRAP_UP: _phase(
                "#f8f1e3", "#4a3000", "#b7812a", text="#45300a", muted="#6d5630", cue="#f1dfba"
            ),
            Phase.TURNOVER: _phase(
                "#eef1f8", "#1b2c52", "#5571b0", text="#1f2e4f", muted="#4d5b7a", cue="#d9e1f3"
            ),
            Phase.OVERTIME: _phase(
                "#f8ecea", "#5a1b12", "#b8553f", text="#51201a", muted="#7a4a42", cue="#f0d4ce"
            ),
            Phase.DAY_DONE: _phase(
                "#f2f2f0", "#2b2b29", "#8a8a84", text="#30302e", muted="#5e5e58", cue="#e4e4e0"
            ),
        }
    ),
)

_NIGHT = Theme(
    name=ThemeName.NIGHT,
    label="Night (dim, warm)",
    phases=MappingProxyType(
        {
            Phase.BEFORE_FIRST: _phase(
                "#0f0b08", "#c9a27a", "#6e5842", text="#b89878", muted="#9c8670", cue="#251c14"
            ),
            Phase.HANDS_ON: _phase(
                "#0e0a07", "#d9a86b", "#8a6a3f", text="#c49a6a", muted="#a0835f", cue="#2d2113"
            ),
            Phase.WRAP_UP: _phase(
                "#110b06", "#e6b25e", "#9c7336", text="#cf9f5c", muted="#a88557", cue="#33240f"
            ),
            Phase.TURNOVER: _phase(
                "#0d0b08", "#c2b08a", "#6f6550", text="#b0a080", muted="#9a8e74", cue="#26221a"
            ),
            Phase.OVERTIME: _phase(
                "#120a08", "#e39a7c", "#99563f", text="#d08c72", muted="#a97b66", cue="#2e1710"
            ),
            Phase.DAY_DONE: _phase(
                "#0c0a09", "#b3a596", "#5e564e", text="#a39687", muted="#948a7e", cue="#1d1a17"
            ),
        }
    ),
)

_HIGH_CONTRAST = Theme(
    name=ThemeName.HIGH_CONTRAST,
    label="High contrast",
    phases=MappingProxyType(
        {
            Phase.BEFORE_FIRST: _phase(
                "#000000",
                "#ffffff",
                "#ffffff",
                text="#ffffff",
                muted="#d0d0d0",
                cue="#303030",
                track_amount=0.3,
            ),
            Phase.HANDS_ON: _phase(
                "#000000",
                "#7dff9b",
                "#7dff9b",
                text="#ffffff",
                muted="#d0d0d0",
                cue="#0f3a1a",
                track_amount=0.3,
            ),
            Phase.WRAP_UP: _phase(
                "#000000",
                "#ffe14d",
                "#ffe14d",
                text="#ffffff",
                muted="#d0d0d0",
                cue="#3d3300",
                track_amount=0.3,
            ),
            Phase.TURNOVER: _phase(
                "#000000",
                "#8fd3ff",
                "#8fd3ff",
                text="#ffffff",
                muted="#d0d0d0",
                cue="#0b2a3d",
                track_amount=0.3,
            ),
            Phase.OVERTIME: _phase(
                "#000000",
                "#ff9e8a",
                "#ff9e8a",
                text="#ffffff",
                muted="#d0d0d0",
                cue="#3d130b",
                track_amount=0.3,
            ),
            Phase.DAY_DONE: _phase(
                "#000000",
                "#ffffff",
                "#bdbdbd",
                text="#ffffff",
                muted="#d0d0d0",
                cue="#303030",
                track_amount=0.3,
            ),
        }
    ),
)

THEMES: Mapping[ThemeName, Theme] = MappingProxyType(
    {theme.name: theme for theme in (_DAY, _NIGHT, _HIGH_CONTRAST)}
)
"""Every theme, by name."""


def theme(name: ThemeName) -> Theme:
    """Return the theme called *name*."""
    return THEMES[name]


@dataclass(frozen=True, slots=True)
class ChromeColours:
    """The colours of the window around the clock: messages in dialogs and the notice banner.

    The chrome follows the system's light palette; these colours are for text on it.

    Attributes:
        error: text saying something was refused or failed.
        caution: text asking for a second look (an overlap, an import warning).
        notice_background: the in-window notice banner.
        notice_border: its outline.
        notice_text: its text; at least 7:1 against ``notice_background``.
    """

    error: str
    caution: str
    notice_background: str
    notice_border: str
    notice_text: str

    def __post_init__(self) -> None:
        for name in ("error", "caution", "notice_background", "notice_border", "notice_text"):
            _channels(getattr(self, name))


CHROME = ChromeColours(
    error="#a3271d",
    caution="#8a5300",
    notice_background="#fbf3e4",
    notice_border="#b7812a",
    notice_text="#45300a",
)
"""The chrome's colours (the same in every theme: the chrome follows the system palette)."""
