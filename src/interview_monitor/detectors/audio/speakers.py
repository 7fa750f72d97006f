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
    EMBEDDING_SIZE,
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


@dataclass
class _Segment:
    span: SpeechSpan
    window_centres_s: list[float]
    # Emptied once the segment is judged: only the judgement is kept after that.
    embeddings: FloatArray
    judged: list[VoiceWindow] = field(default_factory=list)
    # Where its windows are in the tracker's rows of judged windows.
    first_row: int = 0

    @property
    def rows(self) -> slice:
        return slice(self.first_row, self.first_row + len(self.judged))


class _Rows:
    """A matrix that grows by whole rows, in amortised constant time per row."""

    def __init__(self, width: int, dtype: type[np.generic]) -> None:
        self._data: np.ndarray[Any, Any] = np.zeros((64, width), dtype)
        self.count = 0

    def extend(self, rows: np.ndarray[Any, Any]) -> None:
        needed = self.count + len(rows)
        if needed > len(self._data):
            grown = np.zeros(
                (max(needed, 2 * len(self._data)), self._data.shape[1]), self._data.dtype
            )
            grown[: self.count] = self._data[: self.count]
            self._data = grown
        self._data[self.count : needed] = rows
        self.count = needed

    @property
    def view(self) -> np.ndarray[Any, Any]:
        return self._data[: self.count]


class SpeakerTracker:
    """A segment's close costs the same in the third hour of an interview as in its first
    minutes: the evidence is kept as running totals, and the judged windows' smoothed
    embeddings as one matrix, so attributing every window again is one matrix product."""

    def __init__(self, encoder: VoiceEncoder, config: AudioConfig) -> None:
        self._encoder = encoder
        self._config = config
        self._segments: dict[SpeechSpan, _Segment] = {}
        self._unjudged: list[_Segment] = []  # with windows, waiting for a voice to enrol
        self._judged: list[_Segment] = []  # in stream order, as their rows
        # Per judged window: its embedding averaged with its neighbours in the segment, and
        # whether that fails to match the candidate's voice.
        self._smoothed = _Rows(EMBEDDING_SIZE, np.float32)
        self._unmatched = _Rows(1, np.bool_)
        self._unmatched_sum = np.zeros(EMBEDDING_SIZE, np.float64)
        self._unmatched_s = 0.0  # other-voice audio by the threshold alone, over all segments
        self._voice: FloatArray | None = None
        self.enrolled_at_s: float | None = None
        self.speech_s = 0.0
        # Asked for several times per segment; only a new segment can change it.
        self._other_voice_spans: dict[SpeechSpan, None] | None = None

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
        self._other_voice_spans = None
        starts = [
            start
            for start in self._window_starts(span, audio_start, len(audio))
            if self._loud_enough(audio[start : start + WINDOW_SAMPLES], noise_rms)
        ]
        embeddings = self._encoder.embed_windows(audio, starts)
        centres = [(audio_start + start) / SAMPLE_RATE + WINDOW_S / 2 for start in starts]
        segment = _Segment(span, centres, embeddings)
        self._segments[span] = segment
        if not len(embeddings):
            return
        self._unjudged.append(segment)
        if self._voice is None:
            self._try_enrol(segment)
        if self._voice is not None:
            for pending in self._unjudged:
                self._judge(pending, self._voice)
            self._unjudged = []

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

    def _judge(self, segment: _Segment, voice: FloatArray) -> None:
        run = self._config.smoothing_windows
        before, after = (run - 1) // 2, run // 2 + 1
        count = len(segment.embeddings)
        smoothed = np.stack(
            [
                _unit(segment.embeddings[max(0, i - before) : i + after].mean(axis=0))
                for i in range(count)
            ]
        )
        similarities = (smoothed @ voice).tolist()
        threshold = self._config.same_speaker_similarity
        segment.judged = [
            VoiceWindow(centre, similarity, similarity < threshold)
            for centre, similarity in zip(segment.window_centres_s, similarities, strict=True)
        ]
        unmatched = np.array([[window.is_other_voice] for window in segment.judged])
        segment.first_row = self._smoothed.count
        segment.embeddings = np.empty((0, EMBEDDING_SIZE), np.float32)
        self._judged.append(segment)
        self._smoothed.extend(smoothed)
        self._unmatched.extend(unmatched)
        self._unmatched_sum += smoothed[unmatched[:, 0]].sum(axis=0)
        self._unmatched_s += self._seconds(segment.span, int(unmatched.sum()))

    def _seconds(self, span: SpeechSpan, windows: int) -> float:
        return min(span.duration_s, windows * self._config.speaker_window_step_s)

    def _attributions(self) -> np.ndarray[Any, np.dtype[np.bool_]]:
        """Per judged window (rows in stream order), whether it is the other voice's. Once the
        session has two voices, a window goes to whichever it is nearer, the candidate's print
        or the mean of the windows that failed to match it: this places the change between two
        people more exactly than the fixed threshold (73% -> 78% of the reference
        conversation's speech on the right side of a change)."""
        unmatched = self._unmatched.view[:, 0]
        if self.verdict != "multiple_speakers" or self._voice is None:
            return unmatched
        other_voice = _unit(self._unmatched_sum.astype(np.float32))
        # Nearer the other voice than the candidate's: s.other > s.voice, in one product.
        return np.asarray(self._smoothed.view @ (other_voice - self._voice) > 0.0)

    def windows_in(self, span: SpeechSpan) -> list[VoiceWindow]:
        segment = self._segments.get(span)
        return segment.judged if segment is not None else []

    def other_voice_s(self, span: SpeechSpan) -> float:
        return self._seconds(span, sum(window.is_other_voice for window in self.windows_in(span)))

    @property
    def verdict(self) -> SpeakerVerdict:
        if self._voice is None or self.speech_s < self._config.min_speech_for_verdict_s:
            return "not_enough_speech"
        if self._unmatched_s >= self._config.min_session_other_voice_s:
            return "multiple_speakers"
        return "one_speaker"

    def is_multiple_speakers(self, span: SpeechSpan) -> bool:
        """Other voices in this segment, once the session as a whole has enough evidence."""
        return span in self._spans_with_other_voices()

    def spans_with_other_voices(self) -> list[SpeechSpan]:
        return list(self._spans_with_other_voices())

    def _spans_with_other_voices(self) -> dict[SpeechSpan, None]:
        """In stream order (a dict: ordered, and quick to look a span up in)."""
        if self._other_voice_spans is None:
            self._other_voice_spans = {}
            if self.verdict == "multiple_speakers" and self._judged:
                attributions = self._attributions().astype(np.int64)
                starts = [segment.first_row for segment in self._judged]
                other_windows = np.add.reduceat(attributions, starts).tolist()
                self._other_voice_spans = {
                    segment.span: None
                    for segment, windows in zip(self._judged, other_windows, strict=True)
                    if self._seconds(segment.span, windows) >= self._config.min_other_voice_s
                }
        return self._other_voice_spans

    def turns(self) -> list[tuple[float, float, bool]]:
        """(start_s, end_s, is_other_voice) for every judged window, each covering the part of
        its segment nearest its centre; consecutive windows of one voice are merged."""
        half_step = self._config.speaker_window_step_s / 2
        attributions = self._attributions().tolist()
        turns: list[tuple[float, float, bool]] = []
        for segment in self._judged:
            for window, is_other in zip(segment.judged, attributions[segment.rows], strict=True):
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
        attributions = self._attributions().tolist()
        episodes = []
        for segment in self._judged:
            flags = attributions[segment.rows]
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
