"""Whisper calls on full windows: finished speech of one or many streams packed into one call.

Whisper always encodes 30 s, so a call costs about the same for 2 s as for 28 s of audio. A
`TranscriptBatcher` collects the pieces of speech that sessions hand it, packs the oldest into
one window of at most `MAX_BATCH_AUDIO_S` per call, and maps each word back, by its time in
the window, to the stream and segment it came from. One batcher per audio worker serves all
its sessions; a standalone `AudioSession` keeps a private one and runs it at once.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from faster_whisper import WhisperModel

from interview_monitor.detectors.audio.config import AudioConfig
from interview_monitor.detectors.audio.transcriber import (
    TimedWord,
    Transcript,
    transcribe_segment,
)
from interview_monitor.detectors.audio.vad import SAMPLE_RATE, SpeechSpan
from interview_monitor.signals import DetectedEvent

# At most this much audio per Whisper call (its window is 30 s).
MAX_BATCH_AUDIO_S = 28.0
# Silence between the pieces of different streams. Whisper decodes a window as one text, so
# one stream's words steer the next stream's: a reading packed after a conversation scored
# 15-18% WER abutted and 9-12% with this gap (12.1% alone).
STREAM_GAP = 16_000


@dataclass(frozen=True, slots=True, eq=False)
class Piece:
    """A stretch of one stream's audio holding one or more of its speech segments."""

    spans: tuple[SpeechSpan, ...]
    stream_start: int
    audio: np.ndarray[Any, np.dtype[np.float32]]
    # Wall-clock arrival of the input that made it due for transcription (None: not tracked).
    received_at: float | None = None
    handed_at: float = field(default_factory=time.monotonic)  # to a batcher (monotonic)

    @property
    def duration_s(self) -> float:
        return len(self.audio) / SAMPLE_RATE


class TranscriptOwner(Protocol):
    def events_for(self, words: dict[SpeechSpan, list[TimedWord]]) -> list[DetectedEvent]:
        """Transcript events of these segments, from the words heard in each."""
        ...


@dataclass
class Transcribed:
    """What one owner got back from a run: its events, and when their input arrived."""

    events: list[DetectedEvent] = field(default_factory=list)
    received_at: float | None = None

    def add(self, events: list[DetectedEvent], received_at: float | None) -> None:
        self.events += events
        if received_at is not None:
            known = [t for t in (self.received_at, received_at) if t is not None]
            self.received_at = min(known)


@dataclass(frozen=True, eq=False)
class Batch:
    """Pieces taken for one Whisper call, packed: piece i starts at sample `starts[i]`."""

    pieces: tuple[tuple[TranscriptOwner, Piece], ...]
    starts: tuple[int, ...]
    audio: np.ndarray[Any, np.dtype[np.float32]]
    audio_s: float


@dataclass(frozen=True)
class TranscribedBatch:
    transcript: Transcript
    # Wall time: CTranslate2 computes on a thread of its own, so no CPU clock of the
    # calling thread sees the work, and the process clock also counts the other threads.
    seconds: float


def transcribe_batch(model: WhisperModel, batch: Batch, config: AudioConfig) -> TranscribedBatch:
    """The Whisper call alone: reads only the batch's own audio, so it may run on any thread
    (CTranslate2 releases the GIL while it computes)."""
    started = time.perf_counter()
    transcript = transcribe_segment(model, batch.audio, 0.0, config)
    return TranscribedBatch(transcript, time.perf_counter() - started)


class TranscriptBatcher:
    """Not thread-safe: one per process (used by the worker's request loop only) or per
    standalone session. Only `transcribe_batch` on a taken batch may run elsewhere."""

    def __init__(
        self, model: WhisperModel, config: AudioConfig, max_audio_s: float = MAX_BATCH_AUDIO_S
    ) -> None:
        self._model = model
        self._config = config
        self._max_audio_s = max_audio_s
        self._waiting: deque[tuple[TranscriptOwner, Piece]] = deque()
        self._in_flight: list[TranscriptOwner] = []  # one entry per piece taken, not finished
        self.calls = 0
        self.audio_s = 0.0
        self.seconds = 0.0

    def submit(self, owner: TranscriptOwner, pieces: list[Piece]) -> None:
        self._waiting.extend((owner, piece) for piece in pieces)

    @property
    def waiting(self) -> bool:
        return bool(self._waiting)

    def waiting_for(self, owner: TranscriptOwner) -> bool:
        return any(waiting is owner for waiting, _ in self._waiting)

    def unfinished_for(self, owner: TranscriptOwner) -> bool:
        """Pieces of `owner` wait, or are in a batch taken and not yet finished."""
        return self.waiting_for(owner) or any(taken is owner for taken in self._in_flight)

    def waiting_audio_s(self) -> float:
        return sum(piece.duration_s for _, piece in self._waiting)

    def oldest_wait_s(self) -> float:
        """How long the oldest waiting piece has waited (0 if none waits)."""
        return time.monotonic() - self._waiting[0][1].handed_at if self._waiting else 0.0

    def run(self) -> dict[TranscriptOwner, Transcribed]:
        """One Whisper call on the oldest waiting pieces (at most `max_audio_s` of audio)."""
        batch = self.take()
        if batch is None:
            return {}
        return self.finish(batch, transcribe_batch(self._model, batch, self._config))

    def take(self) -> Batch | None:
        """The oldest waiting pieces (at most `max_audio_s` of audio), packed into one window.
        `transcribe_batch` may then run on another thread: it touches only the batch."""
        batch: list[tuple[TranscriptOwner, Piece]] = []
        length_s = 0.0
        while self._waiting and (
            not batch or length_s + self._waiting[0][1].duration_s <= self._max_audio_s
        ):
            owner, piece = self._waiting.popleft()
            batch.append((owner, piece))
            length_s += piece.duration_s
        if not batch:
            return None
        starts, parts, length = [], [], 0
        for index, (owner, piece) in enumerate(batch):
            if index and owner is not batch[index - 1][0]:
                parts.append(np.zeros(STREAM_GAP, np.float32))
                length += STREAM_GAP
            starts.append(length)
            parts.append(piece.audio)
            length += len(piece.audio)
        self._in_flight.extend(owner for owner, _ in batch)
        return Batch(tuple(batch), tuple(starts), np.concatenate(parts), length_s)

    def transcribe(self, batch: Batch) -> TranscribedBatch:
        """`transcribe_batch` with this batcher's model and settings; safe on another thread."""
        return transcribe_batch(self._model, batch, self._config)

    def finish(
        self, batch: Batch, transcribed: TranscribedBatch
    ) -> dict[TranscriptOwner, Transcribed]:
        """Each owner's events from the words of its pieces (`events_for` runs here, on the
        caller's thread: the owners' state is theirs)."""
        for owner, _ in batch.pieces:
            self._in_flight.remove(owner)
        self.seconds += transcribed.seconds
        self.calls += 1
        self.audio_s += batch.audio_s
        pieces = [piece for _, piece in batch.pieces]
        words = _words_by_piece(transcribed.transcript.words, pieces, list(batch.starts))
        results: dict[TranscriptOwner, Transcribed] = {}
        for index, (owner, piece) in enumerate(batch.pieces):
            events = owner.events_for(words[index])
            results.setdefault(owner, Transcribed()).add(events, piece.received_at)
        return results

    def run_until_done(self, owner: TranscriptOwner) -> dict[TranscriptOwner, Transcribed]:
        """Run until nothing of `owner` waits (older pieces of other owners go first)."""
        results: dict[TranscriptOwner, Transcribed] = {}
        while self.waiting_for(owner):
            for done_owner, transcribed in self.run().items():
                results.setdefault(done_owner, Transcribed()).add(
                    transcribed.events, transcribed.received_at
                )
        return results

    def forget(self, owner: TranscriptOwner) -> None:
        self._waiting = deque(item for item in self._waiting if item[0] is not owner)

    @property
    def stats(self) -> dict[str, float]:
        return {
            "whisper_calls": self.calls,
            "whisper_audio_s": round(self.audio_s, 2),
            "whisper_s": round(self.seconds, 3),
        }


def _words_by_piece(
    words: tuple[TimedWord, ...], pieces: list[Piece], starts: list[int]
) -> list[dict[SpeechSpan, list[TimedWord]]]:
    """Each word (timed within the packed window, where piece i starts at sample `starts[i]`)
    in stream time, under the piece and segment its middle falls in (the nearest piece before
    it, for a word in a gap); every segment of every piece is listed, with or without words."""
    by_piece: list[dict[SpeechSpan, list[TimedWord]]] = [
        {span: [] for span in piece.spans} for piece in pieces
    ]
    for word in words:
        middle = (word.start_s + word.end_s) / 2 * SAMPLE_RATE
        index = max(0, int(np.searchsorted(starts, middle, side="right")) - 1)
        piece = pieces[index]
        shift = (piece.stream_start - starts[index]) / SAMPLE_RATE
        stream_middle = middle / SAMPLE_RATE + shift
        span = min(
            piece.spans,
            key=lambda s: max(s.start_s - stream_middle, stream_middle - s.end_s, 0.0),
        )
        by_piece[index][span].append(
            TimedWord(word.text, word.start_s + shift, word.end_s + shift, word.probability)
        )
    return by_piece
