"""The committed icons and chimes are what their sources make today.

``scripts/build_resources.py`` regenerates everything into a temporary folder; each committed file
must match: icon images pixel for pixel (within a small tolerance, so a Qt update that moves
anti-aliasing by a shade does not fail the build), chimes sample for sample (within one step).
The ICO and ICNS files are read back through Qt's own readers, which also checks the two
hand-written container writers against an independent implementation.
"""

from __future__ import annotations

import wave
from array import array
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from scripts.build_resources import ICNS_TYPES, ICO_SIZES, RESOURCES, generate
from sessionclock.core.resources import APP_ICON_PNG_SIZES
from tests.support.images import channel_differences, read_images

PIXEL_TOLERANCE = 6
"""Largest difference allowed in one colour channel (0-255) between committed and regenerated."""


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory, qapp: QApplication) -> Path:
    out = tmp_path_factory.mktemp("resources")
    generate(out)
    return out


def generated_files(root: Path) -> set[Path]:
    return {p.relative_to(root) for p in root.rglob("*") if p.is_file()}


def images(path: Path) -> list[QImage]:
    return read_images(path)


def largest_channel_difference(first: QImage, second: QImage) -> int:
    return max(channel_differences(first, second))


def samples(path: Path) -> tuple[wave._wave_params, array[int]]:
    with wave.open(str(path), "rb") as wav:
        params = wav.getparams()
        pcm = array("h")
        pcm.frombytes(wav.readframes(params.nframes))
    return params, pcm


def test_every_generated_file_is_committed_and_nothing_else(regenerated: Path) -> None:
    committed = generated_files(RESOURCES) - {Path("icons/sessionclock.svg")}
    assert committed == generated_files(regenerated)


@pytest.mark.parametrize("name", ["sessionclock.ico", "sessionclock.icns"])
def test_icon_containers_match_their_source(regenerated: Path, name: str) -> None:
    committed = images(RESOURCES / "icons" / name)
    fresh = images(regenerated / "icons" / name)
    assert [i.width() for i in committed] == [i.width() for i in fresh]
    for old, new in zip(committed, fresh, strict=True):
        assert largest_channel_difference(old, new) <= PIXEL_TOLERANCE, (name, old.width())


def test_containers_hold_every_size_each_platform_asks_for() -> None:
    ico = [image.width() for image in images(RESOURCES / "icons" / "sessionclock.ico")]
    icns = [image.width() for image in images(RESOURCES / "icons" / "sessionclock.icns")]
    assert sorted(ico) == sorted(ICO_SIZES)
    assert sorted(icns) == sorted(size for _, size in ICNS_TYPES)
    for name in ("sessionclock.ico", "sessionclock.icns"):
        assert all(i.width() == i.height() for i in images(RESOURCES / "icons" / name)), name


@pytest.mark.parametrize("size", APP_ICON_PNG_SIZES)
def test_png_icons_match_their_source(regenerated: Path, size: int) -> None:
    name = f"sessionclock-{size}.png"
    [old] = images(RESOURCES / "icons" / name)
    [new] = images(regenerated / "icons" / name)
    assert (old.width(), old.height()) == (size, size)
    assert old.hasAlphaChannel()
    assert largest_channel_difference(old, new) <= PIXEL_TOLERANCE


@pytest.mark.parametrize("name", ["reminder.wav", "hands-on-end.wav", "next-client.wav"])
def test_chimes_match_the_synthesiser(regenerated: Path, name: str) -> None:
    old_params, old = samples(RESOURCES / "chimes" / name)
    new_params, new = samples(regenerated / "chimes" / name)
    assert old_params == new_params
    assert max(abs(x - y) for x, y in zip(old, new, strict=True)) <= 1


def test_a_changed_source_is_noticed(tmp_path: Path, qapp: QApplication) -> None:
    # The comparison above can fail: the same mark in another colour is told apart.
    svg = (RESOURCES / "icons" / "sessionclock.svg").read_text(encoding="utf-8")
    changed = tmp_path / "changed.svg"
    changed.write_text(svg.replace("#1f4a37", "#4a1f37"), encoding="utf-8")
    generate(tmp_path / "out", svg=changed)
    [old] = images(RESOURCES / "icons" / "sessionclock-32.png")
    [new] = images(tmp_path / "out" / "icons" / "sessionclock-32.png")
    assert largest_channel_difference(old, new) > PIXEL_TOLERANCE
