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
from interview_monitor.detectors.audio.cue_listener import PartialCueListener
from interview_monitor.detectors.audio.models import AudioModels, load_audio_models
from interview_monitor.detectors.audio.segment_events import SegmentEvents
from interview_monitor.detectors.audio.speakers import SpeakerVerdict
from interview_monitor.detectors.audio.transcriber import TimedWord
from interview_monitor.detectors.audio.vad import (
    SAMPLE_RATE,
    WINDOW,
    FloatArray,
    NoiseFloor,
    SileroStream,
    SpeechSegmenter,
    SpeechSpan,
)
from interview_monitor.detectors.audio.voices import SessionVoices, VoiceFinding
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
    as an event with empty text, before its transcript (which later carries the same key); so
    is a cue phrase heard in a partial transcript of the open segment. `voice_print`: the
    candidate's read-aloud enrolment (`enrol_read_aloud`), else the print is automatic.
    """

    def __init__(
        self,
        config: AudioConfig | None = None,
        models: AudioModels | None = None,
        batcher: TranscriptBatcher | None = None,
        event_key: str | None = None,
        voice_print: FloatArray | None = None,
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
        self._voices = SessionVoices(self._models.voice_encoder, self.config, voice_print)
        self._segment_events = SegmentEvents(self.config, self._voices, event_key)
        self._cue_listener = PartialCueListener(self._models.whisper, self.config)
        self._last_partial_at = 0  # sample up to which the open segment was last listened to
        self._buffer = np.zeros(0, np.float32)
        self._buffer_start = 0
        self._samples_seen = 0
        self._odd_byte = b""
        self._pending: list[SpeechSpan] = []
        self._closed_spans: list[SpeechSpan] = []
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
        """The segment-close tracker's verdict, "multiple_speakers" once any check found
        another voice."""
        return "multiple_speakers" if self._voices.multiple_voices else self._voices.tracker.verdict

    @property
    def other_voice_episodes(self) -> list[VoiceFinding]:
        """Stretches judged to hold someone other than the candidate, by every check (the
        tracker's, the voice room's other-voice and voice-mismatch runs, quiet voices)."""
        return self._voices.findings()

    @property
    def segments_with_other_voices(self) -> list[tuple[float, float]]:
        """(start_s, end_s) of every closed segment now judged to hold other voices (or a
        voice mismatch), including any whose event went out before the session had enough
        evidence (update those rows)."""
        return [(span.start_s, span.end_s) for span in self.spans_with_other_voices()]

    def spans_with_other_voices(self) -> list[SpeechSpan]:
        voices = self._voices
        return [
            span
            for span in self._closed_spans
            if voices.holds_other_voice(span.start, span.end)
            or voices.holds_voice_mismatch(span.start, span.end)
        ]

    @property
    def speech_segments(self) -> list[tuple[float, float]]:
        """(start_s, end_s) of every closed VAD speech segment, transcribed or not."""
        return [(span.start_s, span.end_s) for span in self._closed_spans]

    @property
    def speaker_turns(self) -> list[tuple[float, float, bool]]:
        """(start_s, end_s, is_other_voice) for the speech the segment-close tracker judged."""
        return self._voices.tracker.turns()

    @property
    def stats(self) -> dict[str, Any]:
        return {
            "audio_s": round(self._samples_seen / SAMPLE_RATE, 3),
            "speech_s": round(self._voices.tracker.speech_s, 3),
            "speaker_verdict": self.speaker_verdict,
            "voice_enrolled_at_s": self._voices.tracker.enrolled_at_s,
            "voice_print": self._voices.room.print_source,
            "voice_print_frozen_at_s": self._voices.room.print_frozen_at_s,
            "multiple_voices_at_s": self._voices.room.multiple_voices_at_s,
            "voice_mismatch_at_s": self._voices.room.mismatch_at_s,
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
        self._judge_voices(spans)
        events = self._accept(spans, received_at) + self._open_segment_events()
        if self._transcription_due():
            events += self._hand_over(received_at)
        self._trim_buffer()
        return events

    def _track_noise(self, probabilities: np.ndarray[Any, np.dtype[np.float32]]) -> None:
        first = self._vad_windows_done * WINDOW
        self._vad_windows_done += len(probabilities)
        windows = self._audio(first, self._vad_windows_done * WINDOW).reshape(-1, WINDOW)
        self._noise_floor.update(windows, probabilities)
        self._voices.hear(windows, probabilities)

    def _judge_voices(self, closed: list[SpeechSpan]) -> None:
        with self._timed("voice_room"):
            self._voices.judge_open_speech(
                closed,
                self._segmenter.open_since,
                self._vad_windows_done * WINDOW,
                self._audio,
                self._noise_floor.rms,
            )

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
        self._voices.close()
        self._judge_voices(spans)
        return self._accept(spans, received_at) + self._hand_over(received_at)

    def _accept(self, spans: list[SpeechSpan], received_at: float | None) -> list[DetectedEvent]:
        events: list[DetectedEvent] = []
        for span in spans:
            start, end = self._padded(span)
            with self._timed("speaker_embedding"):
                audio = self._audio(start, end)
                self._voices.tracker.add_segment(span, audio, start, self._noise_floor.rms)
            self._closed_spans.append(span)
            events += self._listen_for_cues(span.start, span.end)
            if self._event_key is not None:
                events += self._newly_judged_other_voices()
            if (
                self._pending
                and _audio_s(self._stretches([*self._pending, span])) > MAX_BATCH_AUDIO_S
            ):
                events += self._hand_over(received_at)
            self._pending.append(span)
        return events

    def _open_segment_events(self) -> list[DetectedEvent]:
        """While a segment is open: cue phrases in its last seconds, and another voice as soon
        as the voice room or the quiet-voice check finds one in it."""
        start = self._segmenter.open_since
        if start is None:
            return []
        heard = self._vad_windows_done * WINDOW
        # Less a VAD window: chunks of 250 ms reach whole windows only every 62.5 of them, so
        # "a second" would otherwise wait for a fifth chunk (every 1.25 s).
        every = round(self.config.partial_cue_every_s * SAMPLE_RATE) - WINDOW
        events: list[DetectedEvent] = []
        if every > 0 and heard - max(start, self._last_partial_at) >= every:
            events += self._listen_for_cues(start, heard)
        if self._event_key is not None and self._segment_events.judgement_changed(start, heard):
            events.append(self._segment_events.early_other_voice(start, heard))
        return events

    def _listen_for_cues(self, start: int, end: int) -> list[DetectedEvent]:
        """Partial transcript of the last `partial_cue_tail_s` of start..end, if that audio
        was not all listened to already; an event when it holds a cue not yet reported. Only
        live (with an `event_key`): a recording analysed whole gets its cues from the final
        transcripts, at no extra cost."""
        listening = self._event_key is not None and self.config.partial_cue_every_s > 0
        if not listening or end <= self._last_partial_at:
            return []
        tail = round(self.config.partial_cue_tail_s * SAMPLE_RATE)
        with self._timed("partial_cues"):
            text, phrases = self._cue_listener.cues_in(self._audio(max(start, end - tail), end))
        self._last_partial_at = end
        known = self._segment_events.partial_cues.get(start, [])
        if not [phrase for phrase in phrases if phrase not in known]:
            return []
        return [self._segment_events.partial_cue(start, end, text, phrases)]

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

    def _newly_judged_other_voices(self) -> list[DetectedEvent]:
        """An early event for every closed segment whose voice judgement changed since it was
        last reported: the one just closed, and earlier ones that only now count, because the
        session has just gathered enough evidence of a second voice (a first short whisper).
        Their transcripts may be stored already; the store then marks those rows."""
        events = self._segment_events
        return [
            events.early_other_voice(span.start, span.end)
            for span in self.spans_with_other_voices()
            if events.judgement_changed(span.start, span.end)
        ]

    def voice_columns(self, span: SpeechSpan) -> dict[str, bool]:
        """is_multiple_speakers / is_voice_mismatch of a segment, as judged now."""
        return self._segment_events.voice_columns(span.start, span.end)

    def events_for(self, words: dict[SpeechSpan, list[TimedWord]]) -> list[DetectedEvent]:
        return [
            event
            for span, heard in words.items()
            if (event := self._segment_events.transcript(span, heard))
        ]


def _audio_s(stretches: list[_Stretch]) -> float:
    return sum(stretch.end - stretch.start for stretch in stretches) / SAMPLE_RATE


@dataclass(frozen=True, slots=True)
class AudioAnalysis:
    events: list[DetectedEvent]
    speech_segments: list[tuple[float, float]]  # (start_s, end_s) of every VAD segment


def analyze_recording(
    pcm: bytes, config: AudioConfig | None = None, voice_print: FloatArray | None = None
) -> AudioAnalysis:
    """Transcript events and speech segments of a whole recording (16 kHz mono s16le PCM), fed
    as a stream in 10 s chunks so memory stays bounded and results match live streaming. With
    the whole recording heard, every segment judged to hold another voice (or a voice mismatch)
    is marked, including those transcribed before the evidence was there."""
    session = AudioSession(config, voice_print=voice_print)
    chunk = 10 * SAMPLE_RATE * 2
    events: list[DetectedEvent] = []
    for offset in range(0, len(pcm), chunk):
        events += session.feed_pcm(pcm[offset : offset + chunk])
    events += session.close()
    judged = {(span.start_s, span.end_s): span for span in session.spans_with_other_voices()}
    marked = [
        dataclasses.replace(event, columns={**event.columns, **session.voice_columns(judged[key])})
        if (key := (event.start_s, event.end_s)) in judged
        else event
        for event in events
    ]
    return AudioAnalysis(marked, session.speech_segments)


def analyze_pcm(
    pcm: bytes, config: AudioConfig | None = None, voice_print: FloatArray | None = None
) -> list[DetectedEvent]:
    """`analyze_recording`'s transcript events only."""
    return analyze_recording(pcm, config, voice_print).events
