"""One interview's audio: PCM chunks in, transcript rows with speaker and cue flags out."""

from __future__ import annotations

import dataclasses
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from interview_monitor.detectors.audio.batching import MAX_BATCH_AUDIO_S, Piece, TranscriptBatcher
from interview_monitor.detectors.audio.config import AudioConfig
from interview_monitor.detectors.audio.cues import CueMatcher
from interview_monitor.detectors.audio.models import AudioModels, load_audio_models
from interview_monitor.detectors.audio.speakers import (
    OtherVoiceEpisode,
    SpeakerTracker,
    SpeakerVerdict,
)
from interview_monitor.detectors.audio.transcriber import TimedWord
from interview_monitor.detectors.audio.vad import (
    SAMPLE_RATE,
    WINDOW,
    NoiseFloor,
    SileroStream,
    SpeechSegmenter,
    SpeechSpan,
)
from interview_monitor.media.audio import pcm_to_float
from interview_monitor.signals import DetectedEvent

# Gaps up to this long between batched segments stay in the audio Whisper hears.
KEPT_GAP_S = 1.0


@dataclass(frozen=True, slots=True)
class _Stretch:
    """Contiguous stream audio holding one or more pending segments."""

    spans: tuple[SpeechSpan, ...]
    start: int
    end: int


class AudioSession:
    """Streaming audio analysis for one interview session.

    `feed_pcm` accepts 16 kHz mono s16le PCM in chunks of any size and returns the transcript
    events finished so far; `close` flushes the rest. Not thread-safe: one session per stream.

    Standalone, the session transcribes its own segments. Given a shared `batcher` (an audio
    worker's), it hands them over when they are due and the batcher's owner runs Whisper on
    several sessions' speech at once; the events then come from `batcher.run` (through
    `events_for`). Given an `event_key`, every event carries a `client_event_id` of
    `{event_key}-{first sample}`, and a segment judged to hold another voice is reported at once,
    as an event with empty text, before its transcript (which later carries the same key).
    """

    def __init__(
        self,
        config: AudioConfig | None = None,
        models: AudioModels | None = None,
        batcher: TranscriptBatcher | None = None,
        event_key: str | None = None,
    ):
        self.config = config or AudioConfig()
        self._models = models or load_audio_models()
        self._owns_batcher = batcher is None
        self._batcher = batcher or TranscriptBatcher(self._models.whisper, self.config)
        self._event_key = event_key
        self._vad = SileroStream(self._models.vad)
        self._segmenter = SpeechSegmenter(self.config)
        self._noise_floor = NoiseFloor(self.config.silence_threshold)
        self._vad_windows_done = 0
        self._speakers = SpeakerTracker(self._models.voice_encoder, self.config)
        self._cues = CueMatcher(self.config.cue_phrases)
        self._buffer = np.zeros(0, np.float32)
        self._buffer_start = 0
        self._samples_seen = 0
        self._odd_byte = b""
        self._pending: list[SpeechSpan] = []
        self._reported_other_voices: set[SpeechSpan] = set()
        # Each transcribed segment's confidence, for a segment judged another voice only later.
        self._transcript_confidence: dict[SpeechSpan, float | None] = {}
        self._stage_s: defaultdict[str, float] = defaultdict(float)
        self._stage_cpu_s: defaultdict[str, float] = defaultdict(float)
        self._closed = False

    @contextmanager
    def _timed(self, stage: str) -> Iterator[None]:
        """Wall time per stage, and CPU time: on a busy machine only the latter says what the
        stage costs on one core."""
        started, started_cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self._stage_s[stage] += time.perf_counter() - started
            self._stage_cpu_s[stage] += time.process_time() - started_cpu

    @property
    def speaker_verdict(self) -> SpeakerVerdict:
        return self._speakers.verdict

    @property
    def other_voice_episodes(self) -> list[OtherVoiceEpisode]:
        """Stretches of speech by someone other than the candidate (for the risk engine)."""
        return self._speakers.episodes()

    @property
    def segments_with_other_voices(self) -> list[tuple[float, float]]:
        """(start_s, end_s) of every segment now judged to hold other voices, including any
        whose event went out before the session had enough evidence (update those rows)."""
        return [(span.start_s, span.end_s) for span in self._speakers.spans_with_other_voices()]

    @property
    def speaker_turns(self) -> list[tuple[float, float, bool]]:
        """(start_s, end_s, is_other_voice) for the judged speech so far."""
        return self._speakers.turns()

    @property
    def stats(self) -> dict[str, Any]:
        return {
            "audio_s": round(self._samples_seen / SAMPLE_RATE, 3),
            "speech_s": round(self._speakers.speech_s, 3),
            "speaker_verdict": self.speaker_verdict,
            "voice_enrolled_at_s": self._speakers.enrolled_at_s,
            "stage_s": {stage: round(seconds, 4) for stage, seconds in self._stage_s.items()},
            "stage_cpu_s": {stage: round(s, 4) for stage, s in self._stage_cpu_s.items()},
        }

    def feed_pcm(self, pcm: bytes, received_at: float | None = None) -> list[DetectedEvent]:
        """`received_at`: wall-clock arrival of this chunk; segments it hands to a shared
        batcher carry it (the input that made them due, as a transcript's latency counts)."""
        if self._closed:
            raise RuntimeError("feed_pcm after close: start a new AudioSession")
        data = self._odd_byte + pcm
        usable = len(data) - len(data) % 2
        self._odd_byte = data[usable:]
        samples = pcm_to_float(data[:usable])
        self._buffer = np.concatenate([self._buffer, samples])
        self._samples_seen += len(samples)
        with self._timed("vad"):
            probabilities = self._vad.push(samples)
            self._track_noise(probabilities)
            spans = self._segmenter.push(probabilities)
        events = self._accept(spans, received_at)
        if self._transcription_due():
            events += self._hand_over(received_at)
        self._trim_buffer()
        return events

    def _track_noise(self, probabilities: np.ndarray[Any, np.dtype[np.float32]]) -> None:
        first = self._vad_windows_done * WINDOW
        self._vad_windows_done += len(probabilities)
        windows = self._audio(first, self._vad_windows_done * WINDOW).reshape(-1, WINDOW)
        self._noise_floor.update(windows, probabilities)

    def close(self, received_at: float | None = None) -> list[DetectedEvent]:
        """End of stream: finish the open segment and transcribe everything still waiting
        (with a shared batcher: hand it over; the batcher's owner runs it)."""
        if self._closed:
            return []
        self._closed = True
        incomplete_window = (-self._samples_seen) % WINDOW
        with self._timed("vad"):
            probabilities = self._vad.push(np.zeros(incomplete_window, np.float32))
            spans = self._segmenter.push(probabilities) + self._segmenter.flush()
        spans = [
            SpeechSpan(span.start, min(span.end, self._samples_seen))
            for span in spans
            if span.start < self._samples_seen
        ]
        return self._accept(spans, received_at) + self._hand_over(received_at)

    def _accept(self, spans: list[SpeechSpan], received_at: float | None) -> list[DetectedEvent]:
        events: list[DetectedEvent] = []
        for span in spans:
            start, end = self._padded(span)
            with self._timed("speaker_embedding"):
                audio = self._audio(start, end)
                self._speakers.add_segment(span, audio, start, self._noise_floor.rms)
            if self._event_key is not None:
                events += self._newly_judged_other_voices()
            if (
                self._pending
                and _audio_s(self._stretches([*self._pending, span])) > MAX_BATCH_AUDIO_S
            ):
                events += self._hand_over(received_at)
            self._pending.append(span)
        return events

    def _padded(self, span: SpeechSpan) -> tuple[int, int]:
        padding = round(self.config.segment_padding_s * SAMPLE_RATE)
        start = max(self._buffer_start, span.start - padding)
        return start, min(self._samples_seen, span.end + padding)

    def _audio(self, start: int, end: int) -> np.ndarray[Any, np.dtype[np.float32]]:
        return self._buffer[start - self._buffer_start : end - self._buffer_start]

    def _transcription_due(self) -> bool:
        if not self._pending:
            return False
        now_s = self._samples_seen / SAMPLE_RATE
        quiet = self._segmenter.open_since is None
        return (
            quiet and now_s - self._pending[-1].end_s >= self.config.transcribe_after_pause_s
        ) or now_s - self._pending[0].end_s >= self.config.max_transcript_delay_s

    def _trim_buffer(self) -> None:
        padding = round(self.config.segment_padding_s * SAMPLE_RATE)
        keep_from = self._samples_seen - padding - WINDOW
        if self._segmenter.open_since is not None:
            keep_from = min(keep_from, self._segmenter.open_since - padding)
        if self._pending:
            keep_from = min(keep_from, self._pending[0].start - padding)
        drop = keep_from - self._buffer_start
        if drop > 0:
            self._buffer = self._buffer[drop:]
            self._buffer_start += drop

    def _stretches(self, spans: list[SpeechSpan]) -> list[_Stretch]:
        """Contiguous stretches of stream audio holding the pending segments. A short gap
        between segments stays in (cutting it out changed what Whisper heard); a long one goes."""
        max_gap = round(KEPT_GAP_S * SAMPLE_RATE)
        stretches: list[_Stretch] = []
        for span in spans:
            start, end = self._padded(span)
            if stretches and start - stretches[-1].end <= max_gap:
                last = stretches[-1]
                stretches[-1] = _Stretch((*last.spans, span), last.start, end)
            else:
                stretches.append(_Stretch((span,), start, end))
        return stretches

    def _hand_over(self, received_at: float | None) -> list[DetectedEvent]:
        """Pending segments to the batcher (their audio copied: the buffer moves on). A private
        batcher is run at once; a shared one is run by its owner, the audio worker."""
        if not self._pending:
            return []
        pieces = [
            Piece(
                stretch.spans,
                stretch.start,
                self._audio(stretch.start, stretch.end).copy(),
                received_at,
            )
            for stretch in self._stretches(self._pending)
        ]
        self._pending = []
        self._batcher.submit(self, pieces)
        if not self._owns_batcher:
            return []
        with self._timed("transcription"):
            return self._batcher.run_until_done(self)[self].events

    def events_for(self, words: dict[SpeechSpan, list[TimedWord]]) -> list[DetectedEvent]:
        return [event for span, heard in words.items() if (event := self._event(span, heard))]

    def _key(self, span: SpeechSpan) -> dict[str, str]:
        return (
            {}
            if self._event_key is None
            else {"client_event_id": f"{self._event_key}-{span.start}"}
        )

    def _speaker_details(self, span: SpeechSpan) -> dict[str, Any]:
        windows = self._speakers.windows_in(span)
        similarities = [window.similarity for window in windows]
        return {
            "speaker_judged": bool(windows),
            "speaker_similarity": round(float(np.mean(similarities)), 3) if windows else None,
            "min_speaker_similarity": round(min(similarities), 3) if windows else None,
            "other_voice_s": round(self._speakers.other_voice_s(span), 2),
            "speaker_verdict": self._speakers.verdict,
        }

    def _newly_judged_other_voices(self) -> list[DetectedEvent]:
        """An early event for every segment now judged to hold another voice and not reported
        yet: the one just closed, and earlier ones that only now count, because the session
        has just gathered enough evidence of a second voice (a first short whisper). Their
        transcripts may be stored already; the store then marks those rows."""
        spans = [
            span
            for span in self._speakers.spans_with_other_voices()
            if span not in self._reported_other_voices
        ]
        self._reported_other_voices.update(spans)
        return [self._early_other_voice_event(span) for span in spans]

    def _early_other_voice_event(self, span: SpeechSpan) -> DetectedEvent:
        """Another voice, reported when the speaker check decides; the transcript follows
        under the same key and fills in the text. A segment transcribed already carries its
        transcript's confidence, as its row would have had it been judged in time."""
        return DetectedEvent(
            table="audio_transcripts",
            start_s=span.start_s,
            end_s=span.end_s,
            columns={
                "text_content": "",
                "is_multiple_speakers": True,
                "flagged_phrases": [],
                **self._key(span),
            },
            confidence=self._transcript_confidence.get(span),
            details={"transcript_pending": True, **self._speaker_details(span)},
        )

    def _event(self, span: SpeechSpan, words: list[TimedWord]) -> DetectedEvent | None:
        if not words:
            return None
        text = "".join(word.text for word in words).strip()
        confidence = self._transcript_confidence[span] = _confidence(words)
        return DetectedEvent(
            table="audio_transcripts",
            start_s=span.start_s,
            end_s=span.end_s,
            columns={
                "text_content": text,
                "is_multiple_speakers": self._speakers.is_multiple_speakers(span),
                "flagged_phrases": self._cues.find(text),
                **self._key(span),
            },
            confidence=confidence,
            details={"words": [word.to_json() for word in words], **self._speaker_details(span)},
        )


def _audio_s(stretches: list[_Stretch]) -> float:
    return sum(stretch.end - stretch.start for stretch in stretches) / SAMPLE_RATE


def _confidence(words: list[TimedWord]) -> float | None:
    known = [word.probability for word in words if word.probability is not None]
    return round(100.0 * float(np.mean(known)), 2) if known else None


def analyze_pcm(pcm: bytes, config: AudioConfig | None = None) -> list[DetectedEvent]:
    """Transcript events of a whole recording (16 kHz mono s16le PCM), fed as a stream in
    10 s chunks so memory stays bounded and results match live streaming. With the whole
    recording heard, every segment judged to hold another voice is marked, including those
    transcribed before the second voice had enough evidence."""
    session = AudioSession(config)
    chunk = 10 * SAMPLE_RATE * 2
    events: list[DetectedEvent] = []
    for offset in range(0, len(pcm), chunk):
        events += session.feed_pcm(pcm[offset : offset + chunk])
    events += session.close()
    other_voices = set(session.segments_with_other_voices)
    return [
        dataclasses.replace(event, columns={**event.columns, "is_multiple_speakers": True})
        if (event.start_s, event.end_s) in other_voices
        and not event.columns["is_multiple_speakers"]
        else event
        for event in events
    ]
