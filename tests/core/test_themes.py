"""Tests for the colour themes and the WCAG contrast arithmetic."""

from __future__ import annotations

import dataclasses

import pytest

from sessionclock.core.countdown import Phase
from sessionclock.core.preferences import ThemeName
from sessionclock.core.themes import (
    AA_TEXT_CONTRAST,
    AAA_CONTRAST,
    CHROME,
    THEMES,
    PhaseColours,
    Theme,
    contrast_ratio,
    mix,
    relative_luminance,
    theme,
)

ALL = [(name, phase) for name in ThemeName for phase in Phase]


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("#000000", "#ffffff", 21.0),
        ("#ffffff", "#000000", 21.0),
        ("#777777", "#777777", 1.0),
        # Reference values from the WebAIM contrast checker.
        ("#767676", "#ffffff", 4.54),
        ("#595959", "#ffffff", 7.0),
        ("#0000ff", "#ffffff", 8.59),
    ],
)
def test_contrast_ratio_matches_reference_values(first: str, second: str, expected: float) -> None:
    assert contrast_ratio(first, second) == pytest.approx(expected, abs=0.01)


def test_relative_luminance_ends() -> None:
    assert relative_luminance("#000000") == 0.0
    assert relative_luminance("#FFFFFF") == pytest.approx(1.0)


@pytest.mark.parametrize("bad", ["fff", "#fff", "#gggggg", "red", "#1234567"])
def test_bad_colours_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="colour"):
        relative_luminance(bad)


@pytest.mark.parametrize(("name", "phase"), ALL)
def test_digits_reach_aaa_contrast_in_every_theme_and_phase(name: ThemeName, phase: Phase) -> None:
    colours = theme(name).colours(phase)
    assert contrast_ratio(colours.digits, colours.background) >= AAA_CONTRAST


@pytest.mark.parametrize(("name", "phase"), ALL)
def test_digits_keep_aaa_contrast_while_a_reminder_cue_shows(name: ThemeName, phase: Phase) -> None:
    colours = theme(name).colours(phase)
    assert contrast_ratio(colours.digits, colours.cue) >= AAA_CONTRAST


@pytest.mark.parametrize(("name", "phase"), ALL)
def test_text_is_readable_in_every_theme_and_phase(name: ThemeName, phase: Phase) -> None:
    colours = theme(name).colours(phase)
    assert contrast_ratio(colours.text, colours.background) >= 4.5
    assert contrast_ratio(colours.muted, colours.background) >= 4.5


@pytest.mark.parametrize("phase", list(Phase))
def test_night_theme_is_dim_and_warm(phase: Phase) -> None:
    colours = theme(ThemeName.NIGHT).colours(phase)
    # No large white areas: the face is near black...
    assert relative_luminance(colours.background) < 0.01
    # ...and nothing on it is white or cold: red is the strongest channel of the digits.
    red, green, blue = (int(colours.digits[i : i + 2], 16) for i in (1, 3, 5))
    assert red >= green >= blue
    assert relative_luminance(colours.digits) < 0.6


def test_phases_are_told_apart_by_colour() -> None:
    for t in THEMES.values():
        digits = {t.colours(phase).digits for phase in (Phase.HANDS_ON, Phase.WRAP_UP)}
        digits |= {t.colours(Phase.OVERTIME).digits}
        assert len(digits) == 3, t.name


def test_every_theme_is_registered_under_its_name() -> None:
    assert set(THEMES) == set(ThemeName)
    for name, t in THEMES.items():
        assert t.name is name


def test_a_theme_must_cover_every_phase() -> None:
    colours = theme(ThemeName.DAY).colours(Phase.HANDS_ON)
    with pytest.raises(ValueError, match="lacks colours"):
        Theme(name=ThemeName.DAY, label="x", phases={Phase.HANDS_ON: colours})


def test_phase_colours_validate_every_colour() -> None:
    with pytest.raises(ValueError, match="colour"):
        PhaseColours(
            background="#000000",
            digits="#ffffff",
            ring="#ffffff",
            track="#ffffff",
            text="#ffffff",
            muted="#ffffff",
            cue="white",
        )


def test_mix_blends_and_clamps() -> None:
    assert mix("#000000", "#ffffff", 0.0) == "#000000"
    assert mix("#000000", "#ffffff", 1.0) == "#ffffff"
    assert mix("#000000", "#ffffff", 0.5) == "#808080"
    assert mix("#102030", "#ffffff", 2.0) == "#ffffff"


@pytest.mark.parametrize("background", ["#ffffff", "#efefef"])  # light window backgrounds
def test_chrome_messages_are_readable_on_a_light_window(background: str) -> None:
    assert contrast_ratio(CHROME.error, background) >= AA_TEXT_CONTRAST
    assert contrast_ratio(CHROME.caution, background) >= AA_TEXT_CONTRAST


def test_the_notice_banner_text_reaches_aaa_contrast() -> None:
    assert contrast_ratio(CHROME.notice_text, CHROME.notice_background) >= AAA_CONTRAST


def test_chrome_colours_must_be_colours() -> None:
    with pytest.raises(ValueError, match="colour"):
        dataclasses.replace(CHROME, error="red")
