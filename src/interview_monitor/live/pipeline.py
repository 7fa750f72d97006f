"""Per-session stream state between the WebSocket handlers and the detector workers.

Video keeps at most one frame in flight and one waiting per session: a newer frame replaces
the waiting one (counted as skipped), so a slow detector skips frames instead of falling
behind. Audio chunks are all queued, in order: none is lost while the pipeline runs.
Fed with plain bytes and timestamps, so tests can drive it without any network.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from interview_monitor.live.lips import LiveLipChecks
from interview_monitor.live.pool import WorkerPool, kind_of, session_of, stream_id_for
from interview_monitor.live.protocol import (
    AudioChunk,
    Close,
    Closed,
    Done,
    EnrolVoice,
    FaceReference,
    Kind,
    Open,
    Probe,
    Probed,
    Reply,
    Request,
    Transcripts,
    VideoFrame,
    VoiceEnrolled,
)
from interview_monitor.signals import DetectedEvent

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
BYTES_PER_SAMPLE = 2
StatusListener = Callable[[int, dict[str, Any]], None]
# (session_id, origin of the stream's offsets, closed episodes, wall time the input arrived)
CLOSE_TIMEOUT_S = 120.0
PROBE_SEGMENT = 0  # stream segments count from 1; 0 names a session's one-off face checks
EventSink = Callable[[int, datetime, list[DetectedEvent], float], Awaitable[None]]


PROBE_TIMEOUT_S = 30.0
# Arrival times kept per video stream for the telemetry checks: ten minutes at 2 frames a second.
ARRIVALS_KEPT = 1200


class ProbeTimeoutError(Exception):
    pass


class NoReferenceFaceError(Exception):
    """The image shows no single measurable face; `reason` says which in a word."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(eq=False)
class _Probe:
    answer: asyncio.Future[Probed]
    jpeg: bytes
    enrol: bool = False
    resent: bool = False


@dataclass
class Stream:
    stream_id: int
    session_id: int
    kind: Kind
    origin: datetime
    connections: int = 0
    received: int = 0
    processed: int = 0
    skipped: int = 0
    rejected: int = 0
    bytes_in: int = 0
    samples_sent: int = 0
    in_flight: int = 0
    waiting: tuple[float, bytes, float] | None = None
    grace: asyncio.TimerHandle | None = None
    closed: asyncio.Future[None] | None = None
    last_error: str | None = None
    reference: FaceReference | None = None  # video: who the candidate is, if known
    camera_label: str | None = None  # video: the device label the page last reported
    label_unsent: bool = False
    # The session's read-aloud voice print, sent with every Open of an audio stream.
    voice_print: tuple[float, ...] | None = None
    arrivals: deque[float] = field(default_factory=lambda: deque(maxlen=ARRIVALS_KEPT))

    def counts(self) -> dict[str, Any]:
        return {
            "connected": self.connections > 0,
            "received": self.received,
            "processed": self.processed,
            "skipped": self.skipped,
            "rejected": self.rejected,
            "queued": self.in_flight + (1 if self.waiting else 0),
        }


@dataclass
class LivePipeline:
    counts: dict[Kind, int]
    sink: EventSink
    on_status: StatusListener = lambda _session_id, _status: None
    resume_grace_s: float = 30.0
    _streams: dict[tuple[int, Kind], Stream] = field(default_factory=dict)
    _by_id: dict[int, Stream] = field(default_factory=dict)
    _segments: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _pool: WorkerPool | None = None
    # Face checks waiting for their answer, with their JPEG (sent again if the worker dies).
    _probes: dict[int, list[_Probe]] = field(default_factory=dict)
    # Voice checks waiting for their answer (a dead worker's are not sent again: they time out).
    _voice_checks: dict[int, list[asyncio.Future[VoiceEnrolled]]] = field(default_factory=dict)
    _lips: LiveLipChecks = field(default_factory=LiveLipChecks)

    async def start(self, timeout_s: float = 180.0) -> None:
        self._pool = WorkerPool(self.counts, self._on_reply, self._restarted)
        await asyncio.to_thread(self._pool.start, asyncio.get_running_loop(), timeout_s)

    async def stop(self, timeout_s: float = 30.0) -> None:
        """Flush every open stream (its last episodes are stored), then stop the workers."""
        for stream in self._by_id.values():
            if stream.grace is not None:
                stream.grace.cancel()
        closing = [self._close(stream) for stream in list(self._by_id.values())]
        if closing:
            await asyncio.wait_for(asyncio.gather(*closing), timeout_s)
        await self.drain()
        if self._pool is not None:
            await asyncio.to_thread(self._pool.stop)
            self._pool = None

    async def drain(self) -> None:
        """Wait until every event handed to the sink so far is stored."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # --- connections --------------------------------------------------------------------
    def connect(
        self,
        session_id: int,
        kind: Kind,
        origin: datetime,
        now: float,
        reference: FaceReference | None = None,
        voice_print: tuple[float, ...] | None = None,
    ) -> Stream:
        """Open (or resume, within the grace time) the session's stream of this kind; video
        judges faces against `reference` (else against the stream's first stable face), audio
        voices against `voice_print`, the candidate's read-aloud enrolment, if there is one."""
        stream = self._streams.get((session_id, kind))
        resumed = stream is not None and stream.closed is None
        if stream is None or stream.closed is not None:
            stream_id = stream_id_for(session_id, kind, next(self._segments))
            stream = Stream(
                stream_id, session_id, kind, origin, reference=reference, voice_print=voice_print
            )
            self._streams[(session_id, kind)] = self._by_id[stream_id] = stream
            self._submit(stream, Open(stream_id, reference=reference, voice_print=voice_print))
        if stream.grace is not None:
            stream.grace.cancel()
            stream.grace = None
        if resumed and kind == "audio":
            self._pad_gap(stream, now)
        stream.connections += 1
        self._report(session_id)
        return stream

    async def disconnect(self, session_id: int, kind: Kind, finished: bool) -> None:
        """A connection ended. `finished`: the candidate is done, flush now; else wait for them."""
        stream = self._streams.get((session_id, kind))
        if stream is None:
            return
        stream.connections = max(0, stream.connections - 1)
        self._report(session_id)
        if stream.connections:
            return
        if finished or self.resume_grace_s == 0:
            await self._close(stream)
        else:
            loop = asyncio.get_running_loop()
            stream.grace = loop.call_later(self.resume_grace_s, self._close_later, stream)

    def _close_later(self, stream: Stream) -> None:
        self._track(self._close(stream))

    async def _close(self, stream: Stream) -> None:
        if stream.closed is None:
            stream.closed = asyncio.get_running_loop().create_future()
            if stream.waiting is not None:  # queued ahead of the close: the last frame counts
                t_s, jpeg, received_at = stream.waiting
                stream.waiting = None
                self._send_frame(stream, t_s, jpeg, received_at)
            end_s = max(0.0, time.time() - stream.origin.timestamp())
            self._submit(stream, Close(stream.stream_id, end_s))
        try:
            await asyncio.wait_for(asyncio.shield(stream.closed), CLOSE_TIMEOUT_S)
        except TimeoutError:
            # A worker that died never answers; the handler must not hang on it.
            log.error("stream %s of session %s did not close", stream.kind, stream.session_id)

    async def count_faces(self, session_id: int, jpeg: bytes) -> int:
        """Faces in one JPEG, by the session's own video worker. ValueError if undecodable."""
        faces = (await self._probe(session_id, jpeg, enrol=False)).faces
        assert faces is not None
        return faces

    async def reference_face(self, session_id: int, jpeg: bytes, source: str) -> FaceReference:
        """The reference face in one JPEG (a camera check's frame, an ID photo).

        ValueError if undecodable, NoReferenceFaceError without exactly one measurable face.
        """
        probed = await self._probe(session_id, jpeg, enrol=True)
        if probed.reference is None:
            reason, _, message = (probed.refusal or "face_not_measurable: ").partition(": ")
            raise NoReferenceFaceError(reason, message)
        return dataclasses.replace(probed.reference, source=source)

    async def _probe(self, session_id: int, jpeg: bytes, enrol: bool) -> Probed:
        if self._pool is None:
            raise RuntimeError("the live pipeline is not running")
        probe_id = stream_id_for(session_id, "video", PROBE_SEGMENT)
        probe = _Probe(asyncio.get_running_loop().create_future(), jpeg, enrol)
        self._probes.setdefault(probe_id, []).append(probe)
        self._pool.submit("video", Probe(probe_id, jpeg, enrol))
        try:
            return await asyncio.wait_for(probe.answer, PROBE_TIMEOUT_S)
        except TimeoutError:
            raise ProbeTimeoutError("the face check took too long; try again") from None

    def report_camera_label(self, session_id: int, label: str) -> None:
        """The candidate's camera device label (stream start, device change); it goes to the
        worker with the next frame."""
        stream = self._streams[(session_id, "video")]
        if label != stream.camera_label:
            stream.camera_label, stream.label_unsent = label, True

    async def check_voice(self, owner_id: int, pcm: bytes) -> VoiceEnrolled:
        """Is this sentence read aloud (16 kHz s16le PCM) a usable voice print? Answered by
        an audio worker (`owner_id` picks which, as a session id picks a stream's)."""
        if self._pool is None:
            raise RuntimeError("the live pipeline is not running")
        check_id = stream_id_for(owner_id, "audio", PROBE_SEGMENT)
        answer: asyncio.Future[VoiceEnrolled] = asyncio.get_running_loop().create_future()
        self._voice_checks.setdefault(check_id, []).append(answer)
        self._pool.submit("audio", EnrolVoice(check_id, pcm))
        try:
            return await asyncio.wait_for(answer, PROBE_TIMEOUT_S)
        except TimeoutError:
            raise ProbeTimeoutError("the voice check took too long; try again") from None

    # --- data ---------------------------------------------------------------------------
    def feed_video(self, session_id: int, jpeg: bytes, received_at: float) -> Stream:
        stream = self._streams[(session_id, "video")]
        stream.received += 1
        stream.bytes_in += len(jpeg)
        stream.arrivals.append(received_at)
        t_s = max(0.0, received_at - stream.origin.timestamp())
        if stream.in_flight:
            if stream.waiting is not None:
                stream.skipped += 1
            stream.waiting = (t_s, jpeg, received_at)
        else:
            self._send_frame(stream, t_s, jpeg, received_at)
        return stream

    def feed_audio(self, session_id: int, pcm: bytes, received_at: float) -> Stream:
        stream = self._streams[(session_id, "audio")]
        stream.received += 1
        stream.bytes_in += len(pcm)
        self._send_audio(stream, pcm, received_at)
        return stream

    def stream(self, session_id: int, kind: Kind) -> Stream | None:
        return self._streams.get((session_id, kind))

    def status(self, session_id: int) -> dict[str, Any]:
        return {
            kind: stream.counts()
            for kind in ("video", "audio")
            if (stream := self._streams.get((session_id, kind))) is not None
        }

    def live_sessions(self) -> dict[int, dict[str, Any]]:
        return {session_id: self.status(session_id) for session_id, _ in self._streams}

    def video_arrivals(self) -> dict[int, list[float]]:
        """When the frames of each connected video stream arrived (wall-clock seconds)."""
        return {
            session_id: list(stream.arrivals)
            for (session_id, kind), stream in self._streams.items()
            if kind == "video" and stream.connections > 0
        }

    def backlog(self) -> dict[str, list[int]]:
        return self._pool.backlog() if self._pool else {}

    def _send_frame(self, stream: Stream, t_s: float, jpeg: bytes, received_at: float) -> None:
        stream.in_flight += 1
        label = stream.camera_label if stream.label_unsent else None
        stream.label_unsent = False
        self._submit(stream, VideoFrame(stream.stream_id, t_s, jpeg, received_at, label))

    def _send_audio(self, stream: Stream, pcm: bytes, received_at: float) -> None:
        stream.in_flight += 1
        stream.samples_sent += len(pcm) // BYTES_PER_SAMPLE
        self._submit(stream, AudioChunk(stream.stream_id, pcm, received_at))

    def _pad_gap(self, stream: Stream, now: float) -> None:
        """Silence for the time the connection was down keeps transcript times on the clock."""
        expected = int((now - stream.origin.timestamp()) * SAMPLE_RATE)
        missing = min(expected - stream.samples_sent, int(self.resume_grace_s * SAMPLE_RATE))
        if missing > 0:
            self._send_audio(stream, bytes(missing * BYTES_PER_SAMPLE), now)

    def _submit(self, stream: Stream, request: Request) -> None:
        if self._pool is None:
            raise RuntimeError("the live pipeline is not running")
        self._pool.submit(stream.kind, request)

    # --- replies ------------------------------------------------------------------------
    def _on_reply(self, reply: Reply) -> None:
        if isinstance(reply, Probed):
            self._answer_probe(reply)
            return
        if isinstance(reply, VoiceEnrolled):
            waiting = self._voice_checks.get(reply.stream_id)
            if waiting:
                answer = waiting.pop(0)
                if not waiting:
                    del self._voice_checks[reply.stream_id]
                if not answer.done():
                    answer.set_result(reply)
            return
        if not isinstance(reply, Done | Transcripts | Closed):
            return
        stream = self._by_id.get(reply.stream_id)
        if stream is None:
            log.warning(
                "reply for unknown stream %s (%s)", reply.stream_id, kind_of(reply.stream_id)
            )
            return
        if isinstance(reply, Transcripts):  # of a batch: no request of this stream answered
            self._track(
                self.sink(
                    stream.session_id, stream.origin, reply.events, reply.received_at or time.time()
                )
            )
            return
        if isinstance(reply, Closed):
            self._check_lips(stream, reply)
            self._finish(stream, reply.events, reply.stats)
            return
        stream.in_flight = max(0, stream.in_flight - 1)
        if reply.error is not None:
            stream.rejected += 1
            stream.last_error = reply.error
        else:
            stream.processed += 1
        if reply.events:
            self._track(
                self.sink(stream.session_id, stream.origin, reply.events, reply.received_at)
            )
        self._check_lips(stream, reply)
        if stream.kind == "video" and stream.waiting is not None and not stream.in_flight:
            t_s, jpeg, waited_since = stream.waiting
            stream.waiting = None
            self._send_frame(stream, t_s, jpeg, waited_since)

    def _check_lips(self, stream: Stream, reply: Done | Closed) -> None:
        """Speech with no moving lips needs both streams: fused here (live/lips.py)."""
        if isinstance(reply, Done) and reply.mouth is not None:
            events = self._lips.frame(stream.session_id, stream.origin, *reply.mouth)
        elif reply.speech:
            events = self._lips.speech(stream.session_id, stream.origin, reply.speech)
        else:
            return
        video = self._streams.get((stream.session_id, "video"))
        if events and video is not None:  # the findings are on the video stream's clock
            received_at = reply.received_at if isinstance(reply, Done) else time.time()
            self._track(self.sink(stream.session_id, video.origin, events, received_at))

    def _answer_probe(self, reply: Probed) -> None:
        waiting = self._probes.get(reply.stream_id)
        if not waiting:
            return
        answer = waiting.pop(0).answer
        if not waiting:
            del self._probes[reply.stream_id]
        if answer.done():
            return
        if reply.faces is None:
            answer.set_exception(ValueError(reply.error))
        else:
            answer.set_result(reply)

    def _restarted(self, kind: Kind, index: int) -> None:
        """The worker `index` of this kind died and a new one took its place: every stream
        routed to it goes on in fresh detector state there. What was in flight is lost and
        counted as rejected (so nothing waits for it); a stream whose close was lost is closed."""
        assert self._pool is not None
        pool = self._pool
        for stream in list(self._by_id.values()):
            if stream.kind != kind or pool.worker_of(kind, stream.stream_id) != index:
                continue
            if stream.in_flight:
                stream.rejected += stream.in_flight
                stream.in_flight = 0
                stream.last_error = "detector worker restarted"
            if stream.closed is not None:
                self._finish(stream, [], {"error": "detector worker restarted"})
                continue
            # Audio times go on from the samples sent so far, so transcripts stay on the clock.
            offset_s = stream.samples_sent / SAMPLE_RATE if kind == "audio" else 0.0
            self._submit(
                stream, Open(stream.stream_id, offset_s, stream.reference, stream.voice_print)
            )
            stream.label_unsent = stream.camera_label is not None  # the new worker knows none
            if stream.waiting is not None:
                t_s, jpeg, received_at = stream.waiting
                stream.waiting = None
                self._send_frame(stream, t_s, jpeg, received_at)
            self._report(stream.session_id)
        for probe_id, waiting in list(self._probes.items()):
            if kind != "video" or pool.worker_of(kind, probe_id) != index:
                continue
            # Sent again once: an image that was at the worker through two deaths may be
            # what kills it, and must not restart it for ever.
            for probe in waiting:
                if probe.answer.done():
                    continue
                if probe.resent:
                    probe.answer.set_exception(ValueError("the image could not be checked"))
                else:
                    probe.resent = True
                    pool.submit("video", Probe(probe_id, probe.jpeg, probe.enrol))
            self._probes[probe_id] = [probe for probe in waiting if not probe.answer.done()]

    def restarts(self) -> int:
        """Detector workers replaced since the start (each after its process died)."""
        return self._pool.restarts if self._pool else 0

    def _finish(self, stream: Stream, events: list[DetectedEvent], stats: dict[str, Any]) -> None:
        log.info("stream %s of session %s closed: %s", stream.kind, stream.session_id, stats)
        if events:
            self._track(self.sink(stream.session_id, stream.origin, events, time.time()))
        self._by_id.pop(stream.stream_id, None)
        if self._streams.get((stream.session_id, stream.kind)) is stream:
            del self._streams[(stream.session_id, stream.kind)]
        if not self.status(stream.session_id):
            self._lips.forget(stream.session_id)
        if stream.closed is not None and not stream.closed.done():
            stream.closed.set_result(None)
        self._report(session_of(stream.stream_id))

    def _track(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _report(self, session_id: int) -> None:
        self.on_status(session_id, self.status(session_id))
