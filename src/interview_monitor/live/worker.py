"""A detector worker process: models loaded once, detector state for the sessions routed to it.

Talks only in the messages of `live/protocol.py`: a model never sees a socket. Each stream's detector object lives in exactly one worker, because the
pool routes a session to a worker by its id.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import queue
import uuid
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

from interview_monitor.live.protocol import (
    AudioChunk,
    Close,
    Closed,
    Done,
    EnrolVoice,
    FaceReference,
    Failed,
    Kind,
    Open,
    Opened,
    Probe,
    Probed,
    Queued,
    Ready,
    Reply,
    Request,
    Stop,
    Transcripts,
    VideoFrame,
    VoiceEnrolled,
    Wake,
)

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.queues import Queue

    from interview_monitor.detectors.audio.batching import (
        Batch,
        Transcribed,
        TranscribedBatch,
        TranscriptBatcher,
        TranscriptOwner,
    )
    from interview_monitor.live.transcription import WhisperThread
    from interview_monitor.signals import DetectedEvent

log = logging.getLogger(__name__)


class Detector(Protocol):
    def feed(self, payload: bytes, t_s: float, received_at: float) -> list[DetectedEvent]: ...

    def close(self, t_s: float) -> tuple[list[DetectedEvent], dict[str, Any]]: ...


class _VideoDetector:
    def __init__(self, reference: FaceReference | None = None) -> None:
        # numpy and the models load here, in the worker, after it limited their threads.
        import numpy as np

        from interview_monitor.detectors.vision import VisionConfig, VisionSession
        from interview_monitor.detectors.vision.identity import ReferenceFace, unit

        self._session = VisionSession(VisionConfig())
        if reference is not None:
            vector = unit(np.frombuffer(reference.vector, dtype=np.float32))
            self._session.set_reference_face(
                ReferenceFace(vector, reference.jpeg, reference.source)
            )

    def report_camera_label(self, label: str) -> None:
        self._session.report_camera_label(label)

    def feed(self, payload: bytes, t_s: float, received_at: float) -> list[DetectedEvent]:
        return self._session.feed_jpeg(payload, t_s)

    @property
    def mouth_opening(self) -> float | None:
        """Of the last frame fed."""
        return self._session.mouth_opening

    def close(self, t_s: float) -> tuple[list[DetectedEvent], dict[str, Any]]:
        return self._session.close(t_s), dict(self._session.stats)


class _AudioDetector:
    """An AudioSession that hands its speech to the worker's shared batcher. Its events carry
    idempotency keys unique to this stream, so an early other-voice row and the transcript
    that follows it are one row."""

    def __init__(
        self,
        batcher: TranscriptBatcher,
        offset_s: float = 0.0,
        voice_print: tuple[float, ...] | None = None,
    ) -> None:
        """`offset_s`: where this detector's first sample is in the stream (a stream whose
        worker was restarted goes on in a fresh detector, with times kept on the clock).
        `voice_print`: the candidate's read-aloud enrolment, if the session has one."""
        import numpy as np

        from interview_monitor.detectors.audio import AudioConfig, AudioSession

        self.session = AudioSession(
            AudioConfig(),
            batcher=batcher,
            event_key=f"live-audio-{uuid.uuid4().hex[:16]}",
            voice_print=None if voice_print is None else np.array(voice_print, np.float32),
        )
        self.offset_s = offset_s
        self._speech_reported = 0

    def new_speech(self) -> tuple[tuple[float, float], ...]:
        """VAD segments closed since the last call, in the stream's times."""
        segments = self.session.speech_segments[self._speech_reported :]
        self._speech_reported += len(segments)
        return tuple((start + self.offset_s, end + self.offset_s) for start, end in segments)

    def feed(self, payload: bytes, t_s: float, received_at: float) -> list[DetectedEvent]:
        return self.placed(self.session.feed_pcm(payload, received_at))

    def close(self, t_s: float) -> tuple[list[DetectedEvent], dict[str, Any]]:
        events = self.placed(self.session.close())
        return events, {
            **self.session.stats,
            "speaker_verdict": str(self.session.speaker_verdict),
        }

    def placed(self, events: list[DetectedEvent]) -> list[DetectedEvent]:
        """The session's events with their times in the stream's."""
        if not self.offset_s:
            return events
        return [_shifted(event, self.offset_s) for event in events]


def _shifted(event: DetectedEvent, offset_s: float) -> DetectedEvent:
    words = [
        {
            **word,
            "start_s": round(word["start_s"] + offset_s, 3),
            "end_s": round(word["end_s"] + offset_s, 3),
        }
        for word in event.details.get("words", [])
    ]
    details = {**event.details, "words": words} if "words" in event.details else event.details
    return dataclasses.replace(
        event, start_s=event.start_s + offset_s, end_s=event.end_s + offset_s, details=details
    )


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


def _enrol(stream_id: int, jpeg: bytes) -> Probed:
    """The camera check's or an uploaded photo's reference face, or why there is none."""
    from interview_monitor.detectors.vision import VisionConfig
    from interview_monitor.detectors.vision.identity import ReferenceFaceError, reference_from_image
    from interview_monitor.media.video import decode_image

    try:
        bgr = decode_image(jpeg)
    except Exception as error:
        return Probed(stream_id, None, f"{type(error).__name__}: {error}")
    try:
        face = reference_from_image(bgr, "", VisionConfig().face_min_score)
    except ReferenceFaceError as refused:
        faces = {"no_face": 0, "several_faces": 2}.get(refused.reason, 1)
        return Probed(stream_id, faces, None, refusal=f"{refused.reason}: {refused}")
    reference = FaceReference(face.vector.tobytes(), face.jpeg, "")
    return Probed(stream_id, 1, None, reference)


def _enrol_voice(stream_id: int, pcm: bytes) -> VoiceEnrolled:
    """For the candidate's system check: is the sentence read aloud a usable voice print?"""
    from interview_monitor.detectors.audio import (
        EnrolmentRejected,
        enrol_read_aloud,
        load_audio_models,
    )
    from interview_monitor.media.audio import pcm_to_float

    try:
        enrolment = enrol_read_aloud(pcm_to_float(pcm[: len(pcm) // 2 * 2]), load_audio_models())
    except EnrolmentRejected as refused:
        return VoiceEnrolled(stream_id, None, {}, str(refused))
    measures = enrolment.to_json()
    return VoiceEnrolled(stream_id, tuple(enrolment.voice_print.tolist()), measures, None)


class Worker:
    """One worker's detector state: a detector per open stream and, for audio, one
    transcript batcher shared by all of them.

    Whisper runs either here, when asked (`transcribe`: in-process use and tests), or on a
    `WhisperThread` (`run_whisper_in_thread`: the worker process); then `dispatch` hands it
    the next batch and `collect` maps a finished one back into the sessions.
    """

    def __init__(self, kind: Kind) -> None:
        self.kind = kind
        self.detectors: dict[int, Detector] = {}
        self.batcher: TranscriptBatcher | None = None
        self.whisper: WhisperThread | None = None
        # Audio streams closed whose last speech is still being transcribed: (events, stats).
        self._closing: dict[int, tuple[list[DetectedEvent], dict[str, Any]]] = {}
        if kind == "audio":
            from interview_monitor.detectors.audio import AudioConfig, load_audio_models
            from interview_monitor.detectors.audio.batching import TranscriptBatcher

            self.batcher = TranscriptBatcher(load_audio_models().whisper, AudioConfig())

    def run_whisper_in_thread(self, wake: Callable[[], None]) -> None:
        from interview_monitor.live.transcription import WhisperThread

        if self.batcher is not None:
            self.whisper = WhisperThread(self.batcher, wake)

    @property
    def transcription_waiting(self) -> bool:
        return self.batcher is not None and self.batcher.waiting

    def transcribe(self) -> list[Reply]:
        """One Whisper call on the oldest waiting speech, here; a Transcripts reply per stream."""
        if self.batcher is None or (batch := self.batcher.take()) is None:
            return []
        outcome: TranscribedBatch | Exception
        try:
            outcome = self.batcher.transcribe(batch)
        except Exception as error:
            log.exception("transcribing a batch failed")
            outcome = error
        return self._finish(batch, outcome)

    def dispatch(self) -> float | None:
        """Hand the oldest waiting speech to the Whisper thread, if it is idle and the call
        is worth it: a call costs the same for 2 s as for 28 s of audio, so a few seconds of
        speech wait up to `PACK_WAIT_S` for more (a closing stream's do not wait).
        Returns in how many seconds to try again (None: when the next request comes)."""
        if self.whisper is None or self.whisper.busy or self.batcher is None:
            return None
        if not self.batcher.waiting:
            return None
        wait_s = PACK_WAIT_S - self.batcher.oldest_wait_s()
        closing = any(
            isinstance(detector, _AudioDetector) and self.batcher.waiting_for(detector.session)
            for stream_id, detector in self.detectors.items()
            if stream_id in self._closing
        )
        if wait_s > 0 and not closing and self.batcher.waiting_audio_s() < PACK_FULL_S:
            return wait_s
        if (batch := self.batcher.take()) is not None:
            self.whisper.hand(batch)
        return None

    def collect(self) -> list[Reply]:
        """Events of the Whisper thread's finished call, if any (and the streams it closed)."""
        if self.whisper is None or (done := self.whisper.finished()) is None:
            return []
        return self._finish(*done)

    def _finish(self, batch: Batch, outcome: TranscribedBatch | Exception) -> list[Reply]:
        assert self.batcher is not None
        if isinstance(outcome, Exception):
            from interview_monitor.detectors.audio.batching import TranscribedBatch
            from interview_monitor.detectors.audio.transcriber import Transcript

            # Its segments get no transcript (as before: a failed call lost its batch); the
            # pieces are finished so that closing streams do not wait for them forever.
            outcome = TranscribedBatch(Transcript("", (), None), 0.0)
        replies = self._event_replies(self.batcher.finish(batch, outcome))
        return replies + self._closed_replies()

    def _event_replies(self, results: dict[TranscriptOwner, Transcribed]) -> list[Reply]:
        audio_detectors = {
            detector.session: (stream_id, detector)
            for stream_id, detector in self.detectors.items()
            if isinstance(detector, _AudioDetector)
        }
        return [
            Transcripts(stream_id, detector.placed(done.events), done.received_at)
            for owner, done in results.items()
            if done.events and owner in audio_detectors
            for stream_id, detector in [audio_detectors[owner]]
        ]

    def handle(self, request: Request) -> list[Reply]:
        match request:
            case Open(stream_id, offset_s, reference, voice_print):
                self.detectors[stream_id] = (
                    _AudioDetector(self.batcher, offset_s, voice_print)
                    if self.batcher is not None
                    else _VideoDetector(reference)
                )
                return [Opened(stream_id)]
            case Probe(stream_id, jpeg, enrol):
                return [
                    _enrol(stream_id, jpeg) if enrol else Probed(stream_id, *_count_faces(jpeg))
                ]
            case EnrolVoice(stream_id, pcm):
                return [_enrol_voice(stream_id, pcm)]
            case Close(stream_id, t_s):
                return self._close(stream_id, t_s)
            case VideoFrame(stream_id, t_s, payload, received_at, camera_label):
                detector = self.detectors.get(stream_id)
                if camera_label is not None and isinstance(detector, _VideoDetector):
                    detector.report_camera_label(camera_label)
                return self._feed(stream_id, payload, t_s, received_at)
            case AudioChunk(stream_id, payload, received_at):
                return self._feed(stream_id, payload, 0.0, received_at)

    def _feed(self, stream_id: int, payload: bytes, t_s: float, received_at: float) -> list[Reply]:
        detector = self.detectors.get(stream_id)
        if detector is None or stream_id in self._closing:
            return [Done(stream_id, [], received_at, "stream is not open")]
        try:
            events = detector.feed(payload, t_s, received_at)
        except Exception as error:
            # An undecodable frame is the client's fault; the detector state stays usable.
            return [Done(stream_id, [], received_at, f"{type(error).__name__}: {error}")]
        if isinstance(detector, _VideoDetector):
            return [Done(stream_id, events, received_at, None, (t_s, detector.mouth_opening))]
        if isinstance(detector, _AudioDetector):
            return [Done(stream_id, events, received_at, None, speech=detector.new_speech())]
        return [Done(stream_id, events, received_at, None)]

    def _close(self, stream_id: int, t_s: float) -> list[Reply]:
        detector = self.detectors.get(stream_id)
        if detector is None or stream_id in self._closing:
            return [Closed(stream_id, [], {})] if detector is None else []
        try:
            events, stats = detector.close(t_s)
        except Exception as error:
            log.exception("closing stream %s failed", stream_id)
            if isinstance(detector, _AudioDetector) and self.batcher is not None:
                self.batcher.forget(detector.session)
            del self.detectors[stream_id]
            return [Closed(stream_id, [], {"error": str(error)})]
        # Its last speech is transcribed with whatever waited before it; the stream is
        # answered Closed once nothing of it is left (its Transcripts go first).
        self._closing[stream_id] = (events, stats)
        if self.whisper is not None:
            return self._closed_replies()
        replies: list[Reply] = []
        while self._closing.get(stream_id) and self.transcription_waiting:
            replies += self.transcribe()
        return replies + self._closed_replies()

    def _closed_replies(self) -> list[Reply]:
        replies: list[Reply] = []
        for stream_id, (events, stats) in list(self._closing.items()):
            detector = self.detectors[stream_id]
            if isinstance(detector, _AudioDetector) and self.batcher is not None:
                if self.batcher.unfinished_for(detector.session):
                    continue
                stats = stats | self.batcher.stats
            # The segment the close ended goes to the lip check too.
            speech = detector.new_speech() if isinstance(detector, _AudioDetector) else ()
            del self._closing[stream_id], self.detectors[stream_id]
            replies.append(Closed(stream_id, events, stats, speech))
        return replies


# Speech due for transcription waits at most this long for more to share its Whisper call,
# unless this much audio is already waiting.
PACK_WAIT_S = 1.5
PACK_FULL_S = 14.0


def run_worker(kind: Kind, index: int, requests: Queue[Queued], replies: Connection) -> None:
    """The worker's main loop; returns when it receives Stop.

    An audio worker runs Whisper on a thread of its own (`live/transcription.py`): the loop
    keeps handling requests (voice activity, speaker checks, early other-voice flags) while a
    call runs. It hands the next call over once it has handled every request already queued,
    so a call packs the speech of every stream that is due: when busy, calls run on full windows.
    """
    # BLAS thread pools fight over 2 cores and made the encoders up to 6x slower.
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = "1"
    try:
        _load_models(kind)
        worker = Worker(kind)
        worker.run_whisper_in_thread(lambda: requests.put(Wake()))
        if worker.whisper is not None:
            from interview_monitor.live.transcription import lower_other_threads

            log.info("audio worker %d: %d threads lowered", index, lower_other_threads())
    except Exception as error:
        replies.send(Failed(kind, index, f"{type(error).__name__}: {error}"))
        return
    replies.send(Ready(kind, index))
    retry_s: float | None = None
    while True:
        for request in _queued(requests, block_s=retry_s):
            if isinstance(request, Stop):
                if worker.whisper is not None:
                    worker.whisper.stop()
                return
            if not isinstance(request, Wake):
                for reply in worker.handle(request):
                    replies.send(reply)
            for reply in worker.collect():
                replies.send(reply)
        retry_s = worker.dispatch()


def _queued(requests: Queue[Queued], block_s: float | None) -> Iterator[Queued]:
    """Every request already queued, after waiting for the first one (at most `block_s`)."""
    try:
        yield requests.get(timeout=block_s)
    except queue.Empty:
        return
    while True:
        try:
            yield requests.get_nowait()
        except queue.Empty:
            return
