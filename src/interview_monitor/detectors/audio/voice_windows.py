"""Speaker windows taken while a segment is still open, for the voice room.

Judging voices only when a segment closes decided nothing about the two-person conversation
before 22 s (Silero holds one segment from 7.7 to 21.7 s). Here every `voice_window_step_s` of
new speech in the open segment gives a 1.6 s window as soon as its audio has arrived.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from interview_monitor.detectors.audio.config import AudioConfig
from interview_monitor.detectors.audio.vad import SAMPLE_RATE, SpeechSpan
from interview_monitor.detectors.audio.voice_encoder import WINDOW_SAMPLES, VoiceEncoder
from interview_monitor.detectors.audio.voice_room import FloatArray, VoiceRoom

AudioBetween = Callable[[int, int], FloatArray]


class OpenSegmentWindows:
    def __init__(self, encoder: VoiceEncoder, config: AudioConfig, room: VoiceRoom) -> None:
        self._encoder = encoder
        self._config = config
        self._room = room
        self._segment: int | None = None  # start sample of the segment being covered
        self._next_start = 0

    def push(
        self,
        closed: list[SpeechSpan],
        open_since: int | None,
        heard_until: int,
        audio: AudioBetween,
        noise_rms: float | None,
    ) -> None:
        """Windows of the segments that just closed (up to their end), then of the open one
        (up to `heard_until`, the last sample the VAD has judged)."""
        for span in closed:
            self._cover(span.start, span.end, audio, noise_rms, closed=True)
        if open_since is not None:
            self._cover(open_since, heard_until, audio, noise_rms, closed=False)

    def _cover(
        self,
        segment: int,
        until: int,
        audio: AudioBetween,
        noise_rms: float | None,
        closed: bool,
    ) -> None:
        """Windows of the segment up to `until`, embedded `voice_windows_per_call` at a time
        (one window alone cost 13.9 ms on one core, three together 19.3 ms), the rest when
        the segment closes."""
        if segment != self._segment:
            self._segment, self._next_start = segment, segment
        step = round(self._config.voice_window_step_s * SAMPLE_RATE)
        ready = max(0, (until - WINDOW_SAMPLES - self._next_start) // step + 1)
        if ready == 0 or (not closed and ready < self._config.voice_windows_per_call):
            return
        starts = [self._next_start + index * step for index in range(ready)]
        self._next_start += ready * step
        stretch = audio(starts[0], starts[-1] + WINDOW_SAMPLES)
        offsets = [
            start - starts[0]
            for start in starts
            if self._loud_enough(
                stretch[start - starts[0] : start - starts[0] + WINDOW_SAMPLES], noise_rms
            )
        ]
        embeddings = self._encoder.embed_windows(stretch, offsets)
        for offset, embedding in zip(offsets, embeddings, strict=True):
            centre_s = (starts[0] + offset + WINDOW_SAMPLES / 2) / SAMPLE_RATE
            self._room.add_window(centre_s, embedding, segment)

    def _loud_enough(self, window: FloatArray, noise_rms: float | None) -> bool:
        """A window barely above the room's noise has the noise's print (it looked like another
        person at about 6 dB SNR)."""
        if noise_rms is None:
            return True
        rms = float(np.sqrt(np.mean(np.square(window, dtype=np.float64))))
        return 20 * math.log10(max(rms, 1e-9) / noise_rms) >= self._config.min_window_snr_db
