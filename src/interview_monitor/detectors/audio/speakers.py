"""Other voices: enrol the candidate's voice, then find speech that is not theirs.

Each speech segment is covered by 1.6 s windows every `speaker_window_step_s`; each window gets
a d-vector. The candidate's voice is the mean of the first run of `smoothing_windows`
consecutive windows that all agree with each other (so a first exchange between two people is
not enrolled as one voice). Later windows, averaged with their neighbours in the same segment
(about 3 s of audio, since single 1.6 s windows are noisy), are compared with it: below
`same_speaker_similarity` they are another voice. Segments shorter than one second, and
windows barely above the room's noise, carry too little voice to judge and are left unjudged.
Once the session has enough other-voice evidence, each window is attributed to the nearer of the
two voices, which places the changes between people more exactly than the threshold alone.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from interview_monitor.detectors.audio.config import AudioConfig
from interview_monitor.detectors.audio.vad import SpeechSpan
from interview_monitor.detectors.audio.voice_encoder import (
    SAMPLE_RATE,
    WINDOW_SAMPLES,
    VoiceEncoder,
)

SpeakerVerdict = Literal["not_enough_speech", "one_speaker", "multiple_speakers"]
MIN_JUDGED_SEGMENT_S = 1.0
WINDOW_S = WINDOW_SAMPLES / SAMPLE_RATE
FloatArray = np.ndarray[Any, np.dtype[np.float32]]


def _unit(vector: FloatArray) -> FloatArray:
    return (vector / max(float(np.linalg.norm(vector)), 1e-9)).astype(np.float32)


@dataclass(frozen=True, slots=True)
class VoiceWindow:
    """One judged window: its centre in stream seconds and its likeness to the candidate."""

    centre_s: float
    similarity: float
    is_other_voice: bool


@dataclass(frozen=True, slots=True)
class OtherVoiceEpisode:
    """A stretch of speech by someone other than the enrolled candidate."""

    start_s: float
    end_s: float
    mean_similarity: float
    confidence: float  # 0-100

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": "multiple_speakers",
            "start_s": round(self.start_s, 3),
            "end_s": round(self.end_s, 3),
            "mean_similarity": round(self.mean_similarity, 3),
            "confidence": round(self.confidence, 1),
        }


@dataclass
class _Segment:
    span: SpeechSpan
    window_centres_s: list[float]
    embeddings: FloatArray
    judged: list[VoiceWindow] = field(default_factory=list)
    # Each window's embedding averaged with its neighbours, as compared with the voices.
    smoothed: FloatArray | None = None


class SpeakerTracker:
    def __init__(self, encoder: VoiceEncoder, config: AudioConfig) -> None:
        self._encoder = encoder
        self._config = config
        self._segments: list[_Segment] = []
        self._voice: FloatArray | None = None
        self.enrolled_at_s: float | None = None
        self.speech_s = 0.0

    def _window_starts(self, span: SpeechSpan, audio_start: int, audio_len: int) -> list[int]:
        step = round(self._config.speaker_window_step_s * SAMPLE_RATE)
        if span.duration_s < MIN_JUDGED_SEGMENT_S:
            return []
        if span.end - span.start <= WINDOW_SAMPLES:
            centred = (span.start + span.end - WINDOW_SAMPLES) // 2 - audio_start
            return [min(max(0, centred), max(0, audio_len - WINDOW_SAMPLES))]
        last = span.end - WINDOW_SAMPLES - audio_start
        return list(range(span.start - audio_start, last + 1, step)) or [last]

    def _loud_enough(self, window: FloatArray, noise_rms: float | None) -> bool:
        if noise_rms is None:
            return True
        rms = float(np.sqrt(np.mean(np.square(window, dtype=np.float64))))
        snr_db = 20 * math.log10(max(rms, 1e-9) / noise_rms)
        return snr_db >= self._config.min_window_snr_db

    def add_segment(
        self, span: SpeechSpan, audio: FloatArray, audio_start: int, noise_rms: float | None
    ) -> None:
        """Embed the windows of `span`; `audio` starts at sample `audio_start` of the stream
        and covers the span (with any padding around it). Windows that stand less than
        `min_window_snr_db` above the room's noise (`noise_rms`, if known) are not judged: their
        voice print is mostly the noise's, and would look like someone else."""
        self.speech_s += span.duration_s
        starts = [
            start
            for start in self._window_starts(span, audio_start, len(audio))
            if self._loud_enough(audio[start : start + WINDOW_SAMPLES], noise_rms)
        ]
        embeddings = self._encoder.embed_windows(audio, starts)
        centres = [(audio_start + start) / SAMPLE_RATE + WINDOW_S / 2 for start in starts]
        segment = _Segment(span, centres, embeddings)
        self._segments.append(segment)
        if self._voice is None:
            self._try_enrol(segment)
        if self._voice is not None:
            for pending in self._segments:
                if not pending.judged and len(pending.embeddings):
                    pending.judged = self._judge(pending, self._voice)

    def _try_enrol(self, segment: _Segment) -> None:
        run = self._config.smoothing_windows
        for first in range(len(segment.embeddings) - run + 1):
            block = segment.embeddings[first : first + run]
            if float((block @ block.T).min()) >= self._config.enrolment_consistency:
                # Every window of the segment that agrees with the run joins it: a voice
                # print from more audio is steadier.
                agreeing = segment.embeddings @ _unit(block.mean(axis=0))
                chosen = segment.embeddings[agreeing >= self._config.enrolment_join_similarity]
                self._voice = _unit(chosen.mean(axis=0))
                self.enrolled_at_s = segment.window_centres_s[first]
                return

    def _judge(self, segment: _Segment, voice: FloatArray) -> list[VoiceWindow]:
        run = self._config.smoothing_windows
        before, after = (run - 1) // 2, run // 2 + 1
        count = len(segment.embeddings)
        segment.smoothed = np.stack(
            [
                _unit(segment.embeddings[max(0, i - before) : i + after].mean(axis=0))
                for i in range(count)
            ]
        )
        similarities = (segment.smoothed @ voice).tolist()
        threshold = self._config.same_speaker_similarity
        return [
            VoiceWindow(centre, similarity, similarity < threshold)
            for centre, similarity in zip(segment.window_centres_s, similarities, strict=True)
        ]

    def _attributions(self) -> dict[int, list[bool]]:
        """Per segment, whether each window is the other voice's. Once the session has two
        voices, a window goes to whichever it is nearer, the candidate's print or the mean of
        the windows that failed to match it: this places the change between two people more
        exactly than the fixed threshold (73% -> 78% of the reference conversation's speech on
        the right side of a change)."""
        judged = [segment for segment in self._segments if segment.smoothed is not None]
        plain = {id(seg): [w.is_other_voice for w in seg.judged] for seg in judged}
        if self.verdict != "multiple_speakers" or self._voice is None:
            return plain
        other = [
            seg.smoothed[index]
            for seg in judged
            if seg.smoothed is not None
            for index, is_other in enumerate(plain[id(seg)])
            if is_other
        ]
        other_voice = _unit(np.mean(other, axis=0))
        return {
            id(seg): (seg.smoothed @ other_voice > seg.smoothed @ self._voice).tolist()
            for seg in judged
            if seg.smoothed is not None
        }

    def windows_in(self, span: SpeechSpan) -> list[VoiceWindow]:
        return next((s.judged for s in self._segments if s.span == span), [])

    def other_voice_s(self, span: SpeechSpan) -> float:
        other = sum(window.is_other_voice for window in self.windows_in(span))
        return min(span.duration_s, other * self._config.speaker_window_step_s)

    def _total_other_voice_s(self) -> float:
        return sum(self.other_voice_s(segment.span) for segment in self._segments)

    @property
    def verdict(self) -> SpeakerVerdict:
        if self._voice is None or self.speech_s < self._config.min_speech_for_verdict_s:
            return "not_enough_speech"
        if self._total_other_voice_s() >= self._config.min_session_other_voice_s:
            return "multiple_speakers"
        return "one_speaker"

    def is_multiple_speakers(self, span: SpeechSpan) -> bool:
        """Other voices in this segment, once the session as a whole has enough evidence."""
        return span in self.spans_with_other_voices()

    def spans_with_other_voices(self) -> list[SpeechSpan]:
        if self.verdict != "multiple_speakers":
            return []
        attributions = self._attributions()
        step_s = self._config.speaker_window_step_s
        return [
            segment.span
            for segment in self._segments
            if min(segment.span.duration_s, sum(attributions.get(id(segment), [])) * step_s)
            >= self._config.min_other_voice_s
        ]

    def turns(self) -> list[tuple[float, float, bool]]:
        """(start_s, end_s, is_other_voice) for every judged window, each covering the part of
        its segment nearest its centre; consecutive windows of one voice are merged."""
        half_step = self._config.speaker_window_step_s / 2
        attributions = self._attributions()
        turns: list[tuple[float, float, bool]] = []
        for segment in self._segments:
            for window, is_other in zip(
                segment.judged, attributions.get(id(segment), []), strict=True
            ):
                start = max(segment.span.start_s, window.centre_s - half_step)
                end = min(segment.span.end_s, window.centre_s + half_step)
                joins_previous = (
                    bool(turns) and turns[-1][2] == is_other and start - turns[-1][1] < 1e-6
                )
                if joins_previous:
                    turns[-1] = (turns[-1][0], end, is_other)
                    continue
                turns.append((start, end, is_other))
        return turns

    def episodes(self) -> list[OtherVoiceEpisode]:
        """Runs of other-voice windows, once the session is judged to have several voices.
        A run that reaches the edge of its segment extends to that edge."""
        if self.verdict != "multiple_speakers":
            return []
        half_step = self._config.speaker_window_step_s / 2
        attributions = self._attributions()
        episodes = []
        for segment in self._segments:
            flags = attributions.get(id(segment), [])
            position = 0
            for is_other, group in itertools.groupby(
                zip(segment.judged, flags, strict=True), key=lambda pair: pair[1]
            ):
                run = [window for window, _ in group]
                first_index, position = position, position + len(run)
                if not is_other:
                    continue
                mean_similarity = float(np.mean([window.similarity for window in run]))
                margin = self._config.same_speaker_similarity - mean_similarity
                starts_segment, ends_segment = first_index == 0, position == len(flags)
                episodes.append(
                    OtherVoiceEpisode(
                        start_s=segment.span.start_s
                        if starts_segment
                        else run[0].centre_s - half_step,
                        end_s=segment.span.end_s if ends_segment else run[-1].centre_s + half_step,
                        mean_similarity=mean_similarity,
                        confidence=50.0 + 50.0 * min(1.0, max(0.0, margin / 0.1)),
                    )
                )
        return episodes
