"""Streaming voice activity detection with the Silero model bundled in faster-whisper.

The ONNX graph takes a run of 512-sample windows (32 ms at 16 kHz), each prefixed by the last 64
samples of the window before it, plus the LSTM state; it returns one speech probability per
window and the new state. Carrying the state and the 64-sample context across calls gives the
same probabilities as running the whole recording at once, so audio can arrive in chunks of
any size.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np
import onnxruntime

from interview_monitor.detectors.audio.config import AudioConfig

SAMPLE_RATE = 16_000
WINDOW = 512
CONTEXT = 64
WINDOW_S = WINDOW / SAMPLE_RATE

FloatArray = np.ndarray[Any, np.dtype[np.float32]]


class SileroStream:
    """Speech probabilities for consecutive 32 ms windows of a stream."""

    def __init__(self, session: onnxruntime.InferenceSession) -> None:
        self._session = session
        self._state_h = np.zeros((1, 1, 128), np.float32)
        self._state_c = np.zeros((1, 1, 128), np.float32)
        self._context = np.zeros(CONTEXT, np.float32)
        self._pending = np.zeros(0, np.float32)

    def push(self, samples: FloatArray) -> FloatArray:
        """Probabilities of every window completed by `samples` (possibly none)."""
        self._pending = np.concatenate([self._pending, samples.astype(np.float32)])
        count = len(self._pending) // WINDOW
        if count == 0:
            return np.zeros(0, np.float32)
        windows = self._pending[: count * WINDOW].reshape(count, WINDOW)
        self._pending = self._pending[count * WINDOW :]
        contexts = np.vstack([self._context[None, :], windows[:-1, -CONTEXT:]])
        self._context = windows[-1, -CONTEXT:].copy()
        probabilities, self._state_h, self._state_c = self._session.run(
            None,
            {"input": np.hstack([contexts, windows]), "h": self._state_h, "c": self._state_c},
        )
        return np.asarray(probabilities, np.float32).reshape(-1)


@dataclass(frozen=True, slots=True)
class SpeechSpan:
    """Speech from `start` to `end`, in samples from the start of the stream."""

    start: int
    end: int

    @property
    def start_s(self) -> float:
        return self.start / SAMPLE_RATE

    @property
    def end_s(self) -> float:
        return self.end / SAMPLE_RATE

    @property
    def duration_s(self) -> float:
        return (self.end - self.start) / SAMPLE_RATE


class SpeechSegmenter:
    """Turns window probabilities into finished speech segments.

    Speech starts at a window above `speech_threshold`; it ends once the probability has stayed
    below `silence_threshold` for `min_silence_s` (the gap between the two thresholds is
    hysteresis, so a flickering probability does not chop words). A segment that reaches
    `max_segment_s` is cut at its least speech-like window in the last third, so transcripts
    keep flowing during a long monologue.
    """

    def __init__(self, config: AudioConfig) -> None:
        self._config = config
        self._window_index = 0
        self._start: int | None = None
        self._silence_since: int | None = None
        self._probabilities: list[float] = []

    @property
    def open_since(self) -> int | None:
        """Start sample of the segment in progress, if speech is going on."""
        return None if self._start is None else self._window_sample(self._start)

    def _window_sample(self, index: int) -> int:
        return index * WINDOW

    def _finish(self, end_index: int) -> list[SpeechSpan]:
        assert self._start is not None
        span = SpeechSpan(self._window_sample(self._start), self._window_sample(end_index))
        self._start, self._silence_since, self._probabilities = None, None, []
        return [span] if span.duration_s >= self._config.min_speech_s else []

    def push(self, probabilities: FloatArray) -> list[SpeechSpan]:
        finished: list[SpeechSpan] = []
        config = self._config
        silence_windows = round(config.min_silence_s / WINDOW_S)
        max_windows = round(config.max_segment_s / WINDOW_S)
        for probability in probabilities.tolist():
            index = self._window_index
            self._window_index += 1
            if self._start is None:
                if probability >= config.speech_threshold:
                    self._start, self._probabilities = index, [probability]
                continue
            self._probabilities.append(probability)
            if probability >= config.speech_threshold:
                self._silence_since = None
            elif probability < config.silence_threshold and self._silence_since is None:
                self._silence_since = index
            if self._silence_since is not None and index - self._silence_since >= silence_windows:
                finished += self._finish(self._silence_since)
            elif index + 1 - self._start >= max_windows:
                finished += self._cut_long_segment()
        return finished

    def _cut_long_segment(self) -> list[SpeechSpan]:
        assert self._start is not None
        search_from = len(self._probabilities) * 2 // 3
        cut_offset = search_from + int(np.argmin(self._probabilities[search_from:]))
        cut_index = self._start + cut_offset
        tail = self._probabilities[cut_offset + 1 :]
        finished = self._finish(cut_index)
        self._start, self._probabilities = cut_index + 1, tail
        return finished

    def flush(self) -> list[SpeechSpan]:
        """End of stream: an open segment ends where its speech last was."""
        if self._start is None:
            return []
        end = self._silence_since if self._silence_since is not None else self._window_index
        return self._finish(end)


class NoiseFloor:
    """Level of the recent non-speech audio: the median RMS of the last ~10 s of windows the
    VAD called silence. Lets later stages tell speech that stands well above the room's noise
    from speech half-buried in it.

    A stream that starts mid-speech gives Silero's first, hesitant windows (speech) to the
    "silence": the floor then sat at the speech level (-27.6 dBFS) and every window failed the
    SNR rule, so 9.4 s of another person went unjudged. The floor is therefore never above the
    10th percentile of all levels of the last minute: in a steady noisy room that percentile is
    the noise itself (no change); in a stream of speech it is the quieter speech frames."""

    HISTORY_WINDOWS = 300
    ALL_LEVELS_WINDOWS = 1875  # one minute of 32 ms windows
    MIN_WINDOWS = 15  # about half a second of silence before the level is trusted
    # Digital silence would make every sound look infinitely loud.
    LOWEST_RMS = 1e-4
    CAP_PERCENTILE = 10

    def __init__(self, silence_threshold: float) -> None:
        self._silence_threshold = silence_threshold
        self._levels: deque[float] = deque(maxlen=self.HISTORY_WINDOWS)
        self._all_levels: deque[float] = deque(maxlen=self.ALL_LEVELS_WINDOWS)

    def update(self, windows: FloatArray, probabilities: FloatArray) -> None:
        """`windows` (n, 512) are the samples the n `probabilities` were computed from."""
        levels = np.sqrt(np.mean(np.square(windows, dtype=np.float64), axis=1))
        self._levels.extend(levels[probabilities < self._silence_threshold].tolist())
        self._all_levels.extend(levels.tolist())

    @property
    def rms(self) -> float | None:
        if len(self._levels) < self.MIN_WINDOWS:
            return None
        cap = float(np.percentile(self._all_levels, self.CAP_PERCENTILE))
        return max(min(float(np.median(self._levels)), cap), self.LOWEST_RMS)
