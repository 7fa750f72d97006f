"""One interview's audio: PCM chunks in, transcript rows with speaker and cue flags out."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from interview_monitor.detectors.audio.config import AudioConfig
from interview_monitor.detectors.audio.cues import CueMatcher
from interview_monitor.detectors.audio.models import AudioModels, load_audio_models
from interview_monitor.detectors.audio.speakers import (
    OtherVoiceEpisode,
    SpeakerTracker,
    SpeakerVerdict,
)
from interview_monitor.detectors.audio.transcriber import TimedWord, transcribe_segment
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

# Whisper reads 30 s at a time: one call costs about the same for 2 s or 28 s of audio, so
# finished segments are transcribed together, at most this much audio per call.
MAX_BATCH_AUDIO_S = 28.0
# Gaps up to this long between batched segments stay in the audio Whisper hears.
KEPT_GAP_S = 1.0


@dataclass(frozen=True, slots=True)
class _Piece:
    """A stretch of stream audio holding one or more segments, and where it sits in the
    audio sent to Whisper."""

    spans: tuple[SpeechSpan, ...]
    stream_start: int
    stream_end: int
    batch_start: int


class AudioSession:
    """Streaming audio analysis for one interview session.

    `feed_pcm` accepts 16 kHz mono s16le PCM in chunks of any size and returns the transcript
    events finished so far; `close` flushes the rest. Not thread-safe: one session per stream.
    """

    def __init__(self, config: AudioConfig | None = None, models: AudioModels | None = None):
        self.config = config or AudioConfig()
        self._models = models or load_audio_models()
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

    def feed_pcm(self, pcm: bytes) -> list[DetectedEvent]:
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
        events = self._accept(spans)
        if self._transcription_due():
            events += self._transcribe_pending()
        self._trim_buffer()
        return events

    def _track_noise(self, probabilities: np.ndarray[Any, np.dtype[np.float32]]) -> None:
        first = self._vad_windows_done * WINDOW
        self._vad_windows_done += len(probabilities)
        windows = self._audio(first, self._vad_windows_done * WINDOW).reshape(-1, WINDOW)
        self._noise_floor.update(windows, probabilities)

    def close(self) -> list[DetectedEvent]:
        """End of stream: finish the open segment and transcribe everything still waiting."""
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
        return self._accept(spans) + self._transcribe_pending()

    def _accept(self, spans: list[SpeechSpan]) -> list[DetectedEvent]:
        events: list[DetectedEvent] = []
        for span in spans:
            start, end = self._padded(span)
            with self._timed("speaker_embedding"):
                audio = self._audio(start, end)
                self._speakers.add_segment(span, audio, start, self._noise_floor.rms)
            if (
                self._pending
                and _audio_s(self._batch_pieces([*self._pending, span])) > MAX_BATCH_AUDIO_S
            ):
                events += self._transcribe_pending()
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

    def _batch_pieces(self, spans: list[SpeechSpan]) -> list[_Piece]:
        """Contiguous stretches of stream audio holding the pending segments. A short gap
        between segments stays in (cutting it out changed what Whisper heard); a long one goes."""
        max_gap = round(KEPT_GAP_S * SAMPLE_RATE)
        stretches: list[tuple[int, int, list[SpeechSpan]]] = []
        for span in spans:
            start, end = self._padded(span)
            if stretches and start - stretches[-1][1] <= max_gap:
                stretches[-1] = (stretches[-1][0], end, [*stretches[-1][2], span])
            else:
                stretches.append((start, end, [span]))
        pieces, batch_length = [], 0
        for start, end, spans in stretches:
            pieces.append(_Piece(tuple(spans), start, end, batch_length))
            batch_length += end - start
        return pieces

    def _transcribe_pending(self) -> list[DetectedEvent]:
        if not self._pending:
            return []
        pieces = self._batch_pieces(self._pending)
        audio = np.concatenate([self._audio(p.stream_start, p.stream_end) for p in pieces])
        spans = self._pending
        self._pending = []
        with self._timed("transcription"):
            transcript = transcribe_segment(self._models.whisper, audio, 0.0, self.config)
        words_by_span: dict[SpeechSpan, list[TimedWord]] = {span: [] for span in spans}
        for word in transcript.words:
            span, stream_word = _to_stream_time(word, pieces)
            words_by_span[span].append(stream_word)
        return [
            event for span in spans if (event := self._event(span, words_by_span[span])) is not None
        ]

    def _event(self, span: SpeechSpan, words: list[TimedWord]) -> DetectedEvent | None:
        if not words:
            return None
        text = "".join(word.text for word in words).strip()
        windows = self._speakers.windows_in(span)
        similarities = [window.similarity for window in windows]
        return DetectedEvent(
            table="audio_transcripts",
            start_s=span.start_s,
            end_s=span.end_s,
            columns={
                "text_content": text,
                "is_multiple_speakers": self._speakers.is_multiple_speakers(span),
                "flagged_phrases": self._cues.find(text),
            },
            confidence=_confidence(words),
            details={
                "words": [word.to_json() for word in words],
                "speaker_judged": bool(windows),
                "speaker_similarity": round(float(np.mean(similarities)), 3) if windows else None,
                "min_speaker_similarity": round(min(similarities), 3) if windows else None,
                "other_voice_s": round(self._speakers.other_voice_s(span), 2),
                "speaker_verdict": self._speakers.verdict,
            },
        )


def _audio_s(pieces: list[_Piece]) -> float:
    return sum(piece.stream_end - piece.stream_start for piece in pieces) / SAMPLE_RATE


def _to_stream_time(word: TimedWord, pieces: list[_Piece]) -> tuple[SpeechSpan, TimedWord]:
    """The segment a word (timed within the batch) belongs to, and the word in stream time."""
    middle = (word.start_s + word.end_s) / 2 * SAMPLE_RATE
    piece = pieces[0]
    for candidate in pieces:
        if candidate.batch_start <= middle:
            piece = candidate
    shift = (piece.stream_start - piece.batch_start) / SAMPLE_RATE
    stream_middle = middle / SAMPLE_RATE + shift
    span = min(
        piece.spans,
        key=lambda s: max(s.start_s - stream_middle, stream_middle - s.end_s, 0.0),
    )
    return span, TimedWord(word.text, word.start_s + shift, word.end_s + shift, word.probability)


def _confidence(words: list[TimedWord]) -> float | None:
    known = [word.probability for word in words if word.probability is not None]
    return round(100.0 * float(np.mean(known)), 2) if known else None


def analyze_pcm(pcm: bytes, config: AudioConfig | None = None) -> list[DetectedEvent]:
    """Transcript events of a whole recording (16 kHz mono s16le PCM), fed as a stream in
    10 s chunks so memory stays bounded and results match live streaming."""
    session = AudioSession(config)
    chunk = 10 * SAMPLE_RATE * 2
    events: list[DetectedEvent] = []
    for offset in range(0, len(pcm), chunk):
        events += session.feed_pcm(pcm[offset : offset + chunk])
    return events + session.close()
