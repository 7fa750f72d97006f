"""Every voice check of one session, and what they say about a stretch of the stream.

Three checks run side by side, because each sees what the others miss (measured on the shared
recordings, `docs/audio.md`):

* `SpeakerTracker`, at segment close: the two-person conversation (its people's window
  clusters are too alike, 0.77-0.85 centroid cosine, for the room's clustering to split);
* `VoiceRoom`, window by window while a segment is open: a second voice over the candidate
  (0 dB) from 2.4 s in, and someone else answering (voice mismatch);
* `QuietVoiceInPauses`: a voice 15 dB under the candidate's, in their pauses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from interview_monitor.detectors.audio.config import AudioConfig
from interview_monitor.detectors.audio.quiet_voice import QuietVoiceInPauses
from interview_monitor.detectors.audio.speakers import SpeakerTracker
from interview_monitor.detectors.audio.vad import SAMPLE_RATE, FloatArray, SpeechSpan
from interview_monitor.detectors.audio.voice_encoder import VoiceEncoder
from interview_monitor.detectors.audio.voice_room import VoiceRoom
from interview_monitor.detectors.audio.voice_windows import AudioBetween, OpenSegmentWindows

Interval = tuple[float, float]


@dataclass(frozen=True, slots=True)
class VoiceFinding:
    """A stretch judged to hold another voice, by the check named in `kind`."""

    kind: str  # "multiple_speakers" (tracker), "other_voice", "voice_mismatch", "quiet_voice"
    start_s: float
    end_s: float

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "start_s": round(self.start_s, 3), "end_s": round(self.end_s, 3)}


def _overlap_s(intervals: list[Interval], start_s: float, end_s: float) -> float:
    return sum(max(0.0, min(b, end_s) - max(a, start_s)) for a, b in intervals)


class SessionVoices:
    def __init__(
        self, encoder: VoiceEncoder, config: AudioConfig, enrolled_print: FloatArray | None
    ) -> None:
        self._config = config
        self.tracker = SpeakerTracker(encoder, config)
        self.room = VoiceRoom(config, enrolled_print)
        self._room_windows = OpenSegmentWindows(encoder, config, self.room)
        self._quiet = QuietVoiceInPauses(config)

    def hear(self, windows: FloatArray, probabilities: FloatArray) -> None:
        """Every VAD window, for the quiet-voice check."""
        self._quiet.push(windows, probabilities)

    def judge_open_speech(
        self,
        closed: list[SpeechSpan],
        open_since: int | None,
        heard_until: int,
        audio: AudioBetween,
        noise_rms: float | None,
    ) -> None:
        self._room_windows.push(closed, open_since, heard_until, audio, noise_rms)

    def close(self) -> None:
        self._quiet.flush()

    def findings(self) -> list[VoiceFinding]:
        """Every check's episodes, in stream order."""
        found = [
            VoiceFinding("multiple_speakers", e.start_s, e.end_s) for e in self.tracker.episodes()
        ]
        found += [VoiceFinding(e.kind, e.start_s, e.end_s) for e in self.room.episodes()]
        found += [VoiceFinding("quiet_voice", e.start_s, e.end_s) for e in self._quiet.episodes]
        return sorted(found, key=lambda finding: (finding.start_s, finding.kind))

    @property
    def multiple_voices(self) -> bool:
        return bool(self.findings())

    def holds_other_voice(self, start: int, end: int) -> bool:
        """Whether samples start..end hold another voice: the tracker's judgement of a closed
        segment, `min_other_voice_s` of the room's other-voice episodes, or a quiet voice."""
        span = SpeechSpan(start, end)
        if self.tracker.is_multiple_speakers(span):
            return True
        start_s, end_s = start / SAMPLE_RATE, end / SAMPLE_RATE
        room = [(e.start_s, e.end_s) for e in self.room.episodes() if e.kind == "other_voice"]
        quiet = [(e.start_s, e.end_s) for e in self._quiet.episodes]
        return (
            _overlap_s(room, start_s, end_s) >= self._config.min_other_voice_s
            or _overlap_s(quiet, start_s, end_s) > 0
        )

    def holds_voice_mismatch(self, start: int, end: int) -> bool:
        mismatch = [
            (e.start_s, e.end_s) for e in self.room.episodes() if e.kind == "voice_mismatch"
        ]
        overlap = _overlap_s(mismatch, start / SAMPLE_RATE, end / SAMPLE_RATE)
        return overlap >= self._config.min_other_voice_s

    def mean_print_similarity(self, start: int, end: int) -> float | None:
        """The room's smoothed similarity to the print over the windows centred in start..end."""
        similarities = [
            d.similarity
            for d in self.room.decisions
            if d.similarity is not None and start / SAMPLE_RATE <= d.centre_s <= end / SAMPLE_RATE
        ]
        return round(float(np.mean(similarities)), 3) if similarities else None
