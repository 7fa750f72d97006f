from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from interview_monitor.detectors.audio import AudioModels, load_audio_models
from interview_monitor.media.audio import float_to_pcm

SAMPLE_RATE = 16_000


@pytest.fixture(scope="session")
def audio_models() -> AudioModels:
    return load_audio_models()


@pytest.fixture(scope="session")
def conversation_turns(ground_truth: dict[str, Any]) -> list[dict[str, Any]]:
    turns: list[dict[str, Any]] = ground_truth["audio/pyannote_sample.wav"]["segments"]
    return turns


@pytest.fixture(scope="session")
def white_noise_pcm() -> bytes:
    """12 s of steady white noise at -30 dBFS (a fan, a noisy preamp)."""
    samples = np.random.default_rng(0).standard_normal(12 * SAMPLE_RATE)
    return float_to_pcm(samples * 10 ** (-30 / 20))


@pytest.fixture(scope="session")
def hum_pcm() -> bytes:
    """12 s of 50 Hz mains hum with harmonics at -20 dBFS, as a badly earthed microphone."""
    t = np.arange(12 * SAMPLE_RATE) / SAMPLE_RATE
    wave = sum(math.pow(0.5, k) * np.sin(2 * np.pi * 50 * (k + 1) * t) for k in range(4))
    return float_to_pcm(wave / np.max(np.abs(wave)) * 10 ** (-20 / 20))


@pytest.fixture(scope="session")
def silence_pcm() -> bytes:
    return bytes(2 * 12 * SAMPLE_RATE)
