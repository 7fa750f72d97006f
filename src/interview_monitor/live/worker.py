"""A detector worker process: models loaded once, detector state for the sessions routed to it.

Talks only in plain tuples over multiprocessing queues (see `Request` and `Reply`): a model
never sees a socket. Each stream's detector object lives in exactly one worker, because the
pool routes a session to a worker by its id.
"""

from __future__ import annotations

import logging
import os
import queue
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from multiprocessing.queues import Queue

    from interview_monitor.detectors.audio.batching import (
        Transcribed,
        TranscriptBatcher,
        TranscriptOwner,
    )
    from interview_monitor.signals import DetectedEvent

Kind = Literal["video", "audio"]

# Requests: ("open", stream_id) | ("probe", stream_id, jpeg) | ("video", stream_id, t_s, jpeg, received_at)
#           | ("audio", stream_id, pcm, received_at) | ("close", stream_id, t_s) | None (stop)
Request = tuple[Any, ...] | None
# Replies: ("ready", kind, index) | ("opened", stream_id) | ("probed", stream_id, faces, error)
#          | ("done", stream_id, events, received_at, error)
#          | ("events", stream_id, events, received_at): transcripts from a Whisper call that
#            served several streams, not the answer to one request; received_at is when the
#            input that made the earliest of these segments due for transcription arrived
#          | ("closed", stream_id, events, stats) | ("failed", kind, index, message)
Reply = tuple[Any, ...]

log = logging.getLogger(__name__)


class Detector(Protocol):
    def feed(self, payload: bytes, t_s: float, received_at: float) -> list[DetectedEvent]: ...

    def close(self, t_s: float) -> tuple[list[DetectedEvent], dict[str, Any]]: ...


class _VideoDetector:
    def __init__(self) -> None:
        from interview_monitor.detectors.vision import VisionConfig, VisionSession

        self._session = VisionSession(VisionConfig())

    def feed(self, payload: bytes, t_s: float, received_at: float) -> list[DetectedEvent]:
        return self._session.feed_jpeg(payload, t_s)

    def close(self, t_s: float) -> tuple[list[DetectedEvent], dict[str, Any]]:
        return self._session.close(t_s), dict(self._session.stats)


class _AudioDetector:
    """An AudioSession that hands its speech to the worker's shared batcher. Its events carry
    idempotency keys unique to this stream, so an early other-voice row and the transcript
    that follows it are one row."""

    def __init__(self, batcher: TranscriptBatcher) -> None:
        from interview_monitor.detectors.audio import AudioConfig, AudioSession

        self.session = AudioSession(
            AudioConfig(), batcher=batcher, event_key=f"live-audio-{uuid.uuid4().hex[:16]}"
        )

    def feed(self, payload: bytes, t_s: float, received_at: float) -> list[DetectedEvent]:
        return self.session.feed_pcm(payload, received_at)

    def close(self, t_s: float) -> tuple[list[DetectedEvent], dict[str, Any]]:
        events = self.session.close()
        return events, {
            **self.session.stats,
            "speaker_verdict": str(self.session.speaker_verdict),
        }


def _load_models(kind: Kind) -> None:
    if kind == "video":
        from interview_monitor.detectors.vision import load_vision_models

        load_vision_models()
    else:
        from interview_monitor.detectors.audio import load_audio_models

        load_audio_models()


def _count_faces(jpeg: bytes) -> tuple[int | None, str | None]:
    """For the candidate's camera check before the interview: is a face in view?"""
    from interview_monitor.detectors.vision import VisionConfig, load_vision_models
    from interview_monitor.detectors.vision.faces import detect_faces, to_rgb
    from interview_monitor.media.video import decode_image

    try:
        rgb = to_rgb(decode_image(jpeg))
    except Exception as error:
        return None, f"{type(error).__name__}: {error}"
    return len(detect_faces(load_vision_models(), rgb, VisionConfig().face_min_score)), None


class Worker:
    """One worker's detector state: a detector per open stream and, for audio, one
    transcript batcher shared by all of them."""

    def __init__(self, kind: Kind) -> None:
        self.kind = kind
        self.detectors: dict[int, Detector] = {}
        self.batcher: TranscriptBatcher | None = None
        if kind == "audio":
            from interview_monitor.detectors.audio import AudioConfig, load_audio_models
            from interview_monitor.detectors.audio.batching import TranscriptBatcher

            self.batcher = TranscriptBatcher(load_audio_models().whisper, AudioConfig())

    @property
    def transcription_waiting(self) -> bool:
        return self.batcher is not None and self.batcher.waiting

    def transcribe(self) -> list[Reply]:
        """One Whisper call on the oldest waiting speech; an "events" reply per stream."""
        if self.batcher is None or not self.batcher.waiting:
            return []
        try:
            results = self.batcher.run()
        except Exception:
            log.exception("transcribing a batch failed")
            return []
        return self._event_replies(results)

    def _event_replies(self, results: dict[TranscriptOwner, Transcribed]) -> list[Reply]:
        stream_of = {
            detector.session: stream_id
            for stream_id, detector in self.detectors.items()
            if isinstance(detector, _AudioDetector)
        }
        return [
            ("events", stream_of[owner], done.events, done.received_at)
            for owner, done in results.items()
            if done.events and owner in stream_of
        ]

    def handle(self, request: tuple[Any, ...]) -> list[Reply]:
        action, stream_id = request[0], request[1]
        if action == "open":
            self.detectors[stream_id] = (
                _AudioDetector(self.batcher) if self.batcher is not None else _VideoDetector()
            )
            return [("opened", stream_id)]
        if action == "probe":
            return [("probed", stream_id, *_count_faces(request[2]))]
        if action == "close":
            return self._close(stream_id, request[2])
        if action == "video":
            _, _, t_s, payload, received_at = request
        else:
            _, _, payload, received_at = request
            t_s = 0.0
        detector = self.detectors.get(stream_id)
        if detector is None:
            return [("done", stream_id, [], received_at, "stream is not open")]
        try:
            events = detector.feed(payload, t_s, received_at)
        except Exception as error:
            # An undecodable frame is the client's fault; the detector state stays usable.
            return [("done", stream_id, [], received_at, f"{type(error).__name__}: {error}")]
        return [("done", stream_id, events, received_at, None)]

    def _close(self, stream_id: int, t_s: float) -> list[Reply]:
        detector = self.detectors.get(stream_id)
        if detector is None:
            return [("closed", stream_id, [], {})]
        replies: list[Reply] = []
        try:
            events, stats = detector.close(t_s)
            if isinstance(detector, _AudioDetector) and self.batcher is not None:
                # Its last speech is transcribed now, with whatever waited before it.
                results = self.batcher.run_until_done(detector.session)
                own = results.pop(detector.session, None)
                events += own.events if own else []
                replies += self._event_replies(results)
                stats |= self.batcher.stats
        except Exception as error:
            log.exception("closing stream %s failed", stream_id)
            if isinstance(detector, _AudioDetector) and self.batcher is not None:
                self.batcher.forget(detector.session)
            events, stats = [], {"error": str(error)}
        del self.detectors[stream_id]
        return [*replies, ("closed", stream_id, events, stats)]


def run_worker(
    kind: Kind, index: int, requests: Queue[Request], replies: Queue[Reply | None]
) -> None:
    """The worker's main loop; returns when it receives None.

    Every request already queued is handled before the next Whisper call, so voice activity
    and speaker checks of all streams stay current, and a call packs the speech of every
    stream that is due: when the worker is busy, calls run on full windows.
    """
    # BLAS thread pools fight over 2 cores and made the encoders up to 6x slower.
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = "1"
    try:
        _load_models(kind)
        worker = Worker(kind)
    except Exception as error:
        replies.put(("failed", kind, index, f"{type(error).__name__}: {error}"))
        return
    replies.put(("ready", kind, index))
    while True:
        for request in _queued(requests, block=not worker.transcription_waiting):
            if request is None:
                return
            for reply in worker.handle(request):
                replies.put(reply)
        for reply in worker.transcribe():
            replies.put(reply)


def _queued(requests: Queue[Request], block: bool) -> Iterator[Request]:
    """Every request already queued; with `block`, wait for the first one."""
    if block:
        yield requests.get()
    while True:
        try:
            yield requests.get_nowait()
        except queue.Empty:
            return
