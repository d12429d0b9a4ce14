"""Tests for the synthesised chimes: valid WAVs, soft, never clipping, never clicking."""

from __future__ import annotations

import io
import itertools
import math
import wave
from array import array
from functools import cache

import pytest

from sessionclock.core.chimes import (
    PEAK_LEVEL,
    SAMPLE_RATE,
    ChimeKind,
    chime_wav,
    duration,
    highest_frequency,
    synthesize,
    to_wav,
)

FULL_SCALE = 32_767


@cache
def decoded(kind: ChimeKind) -> tuple[wave._wave_params, tuple[int, ...]]:
    with wave.open(io.BytesIO(chime_wav(kind)), "rb") as wav:
        params = wav.getparams()
        frames = wav.readframes(params.nframes)
    pcm = array("h")
    pcm.frombytes(frames)
    return params, tuple(pcm)


@pytest.mark.parametrize("kind", list(ChimeKind))
def test_header_is_16_bit_mono_pcm(kind: ChimeKind) -> None:
    data = chime_wav(kind)
    assert data[:4] == b"RIFF"
    assert data[8:16] == b"WAVEfmt "
    params, _ = decoded(kind)
    assert params.nchannels == 1
    assert params.sampwidth == 2
    assert params.framerate == SAMPLE_RATE
    assert params.comptype == "NONE"


@pytest.mark.parametrize("kind", list(ChimeKind))
def test_length_matches_the_chime(kind: ChimeKind) -> None:
    params, samples = decoded(kind)
    assert params.nframes == len(samples) == round(duration(kind) * SAMPLE_RATE)
    assert 1.0 <= duration(kind) <= 2.5


@pytest.mark.parametrize("kind", list(ChimeKind))
def test_peak_is_soft_and_never_clips(kind: ChimeKind) -> None:
    _, samples = decoded(kind)
    peak = max(abs(s) for s in samples)
    assert peak == pytest.approx(PEAK_LEVEL * FULL_SCALE, abs=2)
    assert peak < FULL_SCALE
    assert sum(1 for s in samples if abs(s) >= FULL_SCALE - 1) == 0


@pytest.mark.parametrize("kind", list(ChimeKind))
def test_no_clicks_at_the_edges_or_within(kind: ChimeKind) -> None:
    _, samples = decoded(kind)
    peak = max(abs(s) for s in samples)
    # Starts from silence and swells in over a few milliseconds.
    assert samples[0] == 0
    assert max(abs(s) for s in samples[: SAMPLE_RATE // 1000]) < 0.1 * peak
    # Ends in silence.
    assert max(abs(s) for s in samples[-SAMPLE_RATE // 100 :]) < 0.01 * peak
    # No jump between neighbouring samples bigger than the highest partial could make at the
    # peak level: a click is a step far steeper than any sine in the chime.
    limit = peak * 2 * math.pi * highest_frequency(kind) / SAMPLE_RATE
    steepest = max(abs(b - a) for a, b in itertools.pairwise(samples))
    assert steepest <= limit


@pytest.mark.parametrize("kind", list(ChimeKind))
def test_chime_dies_away(kind: ChimeKind) -> None:
    _, samples = decoded(kind)
    quarter = len(samples) // 4
    early = max(abs(s) for s in samples[:quarter])
    late = max(abs(s) for s in samples[-quarter:])
    assert late < 0.25 * early


def test_each_cue_sounds_different() -> None:
    assert len({chime_wav(kind) for kind in ChimeKind}) == len(ChimeKind)


def test_volume_scales_the_samples() -> None:
    samples = synthesize(ChimeKind.REMINDER)
    quiet = to_wav(samples, volume=0.5)
    with wave.open(io.BytesIO(quiet), "rb") as wav:
        pcm = array("h")
        pcm.frombytes(wav.readframes(wav.getnframes()))
    assert max(abs(s) for s in pcm) == pytest.approx(0.5 * PEAK_LEVEL * FULL_SCALE, abs=2)
    with wave.open(io.BytesIO(to_wav(samples, volume=0.0)), "rb") as wav:
        assert set(wav.readframes(wav.getnframes())) == {0}
