"""A second voice well below the candidate's (a whisper, a phone on speaker) in their pauses.

GE2E windows cannot see a voice 15 dB under the candidate's: the print barely moves. What does
change is the candidate's pauses. Alone, the reader's pauses fall to the room's floor (median
44 dB below their speech); with the conversation added 15 dB down they hold speech 16-23 dB
below it, which Silero still calls speech (median probability 0.54-0.55), while steady noise
at the same level (white, pink, 50 Hz hum at -45 dBFS, 17-19 dB below) stays at 0.03-0.20.
A pause is a run of 32 ms windows at least `quiet_voice_below_db` under the candidate's level
(the median level of the recent windows Silero is sure are speech); a pause whose median level
sits within the band, whose median probability is at least `quiet_voice_min_probability` and
whose level moves like speech (not steady noise) holds a quiet voice.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from interview_monitor.detectors.audio.config import AudioConfig
from interview_monitor.detectors.audio.vad import WINDOW_S, FloatArray

# The candidate's level: windows Silero is this sure of, the last ~10 s of them, once 1 s heard.
SURE_SPEECH_PROBABILITY = 0.8
LEVEL_HISTORY_WINDOWS = 300
MIN_LEVEL_WINDOWS = 30


@dataclass(frozen=True, slots=True)
class QuietVoiceEpisode:
    start_s: float
    end_s: float
    below_candidate_db: float  # median level of the pause under the candidate's level
    speech_probability: float  # median Silero probability over the pause


class QuietVoiceInPauses:
    def __init__(self, config: AudioConfig) -> None:
        self._config = config
        self._sure_levels: deque[float] = deque(maxlen=LEVEL_HISTORY_WINDOWS)
        self._windows_seen = 0
        # The pause in progress: (level below the candidate in dB, probability) per window.
        self._pause_start: int | None = None
        self._pause: list[tuple[float, float]] = []
        self.episodes: list[QuietVoiceEpisode] = []

    def push(self, windows: FloatArray, probabilities: FloatArray) -> None:
        """`windows` (n, 512): the samples of the n VAD `probabilities`, in stream order."""
        levels = 10 * np.log10(np.mean(np.square(windows, dtype=np.float64), axis=1) + 1e-18)
        for level, probability in zip(levels.tolist(), probabilities.tolist(), strict=True):
            index = self._windows_seen
            self._windows_seen += 1
            if probability >= SURE_SPEECH_PROBABILITY:
                self._sure_levels.append(level)
            if len(self._sure_levels) < MIN_LEVEL_WINDOWS:
                continue
            below = float(np.median(self._sure_levels)) - level
            if below >= self._config.quiet_voice_below_db:
                if self._pause_start is None:
                    self._pause_start = index
                self._pause.append((below, probability))
            else:
                self._end_pause()

    def _end_pause(self) -> None:
        config = self._config
        pause, start = self._pause, self._pause_start
        self._pause, self._pause_start = [], None
        if start is None or len(pause) * WINDOW_S < config.quiet_voice_min_pause_s:
            return
        below = np.array([b for b, _ in pause])
        probability = float(np.median([p for _, p in pause]))
        median_below = float(np.median(below))
        if (
            median_below <= config.quiet_voice_max_below_db
            and probability >= config.quiet_voice_min_probability
            and float(np.std(below)) >= config.quiet_voice_min_level_spread_db
        ):
            self.episodes.append(
                QuietVoiceEpisode(
                    start * WINDOW_S, (start + len(pause)) * WINDOW_S, median_below, probability
                )
            )

    def flush(self) -> None:
        self._end_pause()
