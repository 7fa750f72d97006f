"""The live pipeline without any network: real worker processes, real models, a recording sink."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from interview_monitor.live.pipeline import LivePipeline, Stream
from interview_monitor.media.audio import decode_audio
from interview_monitor.signals import DetectedEvent
from tests.live.harness import jpeg_frames

pytestmark = pytest.mark.anyio


@dataclass
class Recorder:
    batches: list[tuple[int, datetime, list[DetectedEvent], float, float]] = field(
        default_factory=list
    )
    # (loop time, session id, status)
    statuses: list[tuple[float, int, dict[str, object]]] = field(default_factory=list)
    status_changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(
        self, session_id: int, origin: datetime, events: list[DetectedEvent], received_at: float
    ) -> None:
        self.batches.append((session_id, origin, events, received_at, time.time()))

    def status(self, session_id: int, status: dict[str, object]) -> None:
        self.statuses.append((asyncio.get_running_loop().time(), session_id, status))
        self.status_changed.set()

    async def closed(self, session_id: int, kind: str, timeout_s: float = 30.0) -> float:
        """The loop time of the first status of the session without a stream of this kind."""
        async with asyncio.timeout(timeout_s):
            while True:
                for at, reported, status in self.statuses:
                    if reported == session_id and kind not in status:
                        return at
                self.status_changed.clear()
                await self.status_changed.wait()

    def events(self, session_id: int) -> list[DetectedEvent]:
        return [e for batch in self.batches if batch[0] == session_id for e in batch[2]]


async def until(condition: Callable[[], bool], what: str, timeout_s: float = 120.0) -> None:
    """Until the condition holds: the worker processes answer in their own time."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.02)


async def settled(stream: Stream, timeout_s: float = 30.0) -> None:
    """Until the worker has answered every frame sent so far."""
    await until(lambda: not stream.in_flight, "the worker did not answer", timeout_s)


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
async def running() -> AsyncIterator[tuple[LivePipeline, Recorder]]:
    recorder = Recorder()
    pipeline = LivePipeline(
        {"video": 1, "audio": 1},
        recorder,
        on_status=recorder.status,
        resume_grace_s=0.5,
    )
    await pipeline.start()
    yield pipeline, recorder
    await pipeline.stop()


@pytest.fixture(scope="module")
def frames(test_data: Path) -> list[bytes]:
    return jpeg_frames(test_data / "video" / "center_left_center.mp4", 2.0)


@pytest.fixture(scope="module")
def speech(test_data: Path) -> bytes:
    return decode_audio(test_data / "audio" / "librispeech_116-288045-0000.flac")[0]


async def test_a_burst_of_frames_keeps_only_the_newest(
    running: tuple[LivePipeline, Recorder], frames: list[bytes]
) -> None:
    pipeline, _ = running
    origin = datetime.now(UTC)
    pipeline.connect(101, "video", origin, time.time())
    for index, frame in enumerate(frames[:12]):
        pipeline.feed_video(101, frame, origin.timestamp() + index * 0.5)
    stream = pipeline.stream(101, "video")
    assert stream is not None
    # One frame went to the worker at once, one waits, ten newer ones replaced the waiting one.
    assert (stream.received, stream.skipped, stream.in_flight) == (12, 10, 1)
    await pipeline.disconnect(101, "video", finished=True)
    assert stream.processed == 2
    assert pipeline.stream(101, "video") is None


async def test_paced_frames_are_all_processed_and_close_their_episodes(
    running: tuple[LivePipeline, Recorder], frames: list[bytes]
) -> None:
    pipeline, recorder = running
    origin = datetime.now(UTC) - timedelta(seconds=len(frames) / 2)
    stream = pipeline.connect(102, "video", origin, time.time())
    for index, frame in enumerate(frames):
        pipeline.feed_video(102, frame, origin.timestamp() + index * 0.5)
        await settled(stream)
    assert stream.skipped == 0 and stream.processed == len(frames)
    await pipeline.disconnect(102, "video", finished=True)
    await pipeline.drain()
    events = recorder.events(102)
    assert {e.table for e in events} <= {"face_pose_events", "object_detection_events"}
    assert all(0 <= e.start_s <= e.end_s <= len(frames) / 2 + 1 for e in events)


async def test_every_audio_chunk_reaches_the_detector_and_speech_is_transcribed(
    running: tuple[LivePipeline, Recorder], speech: bytes
) -> None:
    pipeline, recorder = running
    origin = datetime.now(UTC)
    stream = pipeline.connect(103, "audio", origin, time.time())
    chunks = [speech[i : i + 8000] for i in range(0, len(speech), 8000)]
    for chunk in chunks:  # all at once: nothing may be dropped however far ahead we are
        pipeline.feed_audio(103, chunk, time.time())
    await pipeline.disconnect(103, "audio", finished=True)
    await pipeline.drain()
    assert stream.processed == len(chunks) and stream.rejected == 0
    text = " ".join(e.columns["text_content"] for e in recorder.events(103)).lower()
    assert "approached the city" in text and "family groups" in text


async def test_a_dropped_stream_resumes_within_the_grace_time_and_closes_after_it(
    running: tuple[LivePipeline, Recorder], speech: bytes
) -> None:
    pipeline, recorder = running
    origin = datetime.now(UTC) - timedelta(seconds=3)
    first = pipeline.connect(104, "audio", origin, time.time())
    pipeline.feed_audio(104, speech[:16000], time.time())
    await pipeline.disconnect(104, "audio", finished=False)
    grace = first.grace
    resumed = pipeline.connect(104, "audio", origin, time.time() + 0.2)
    assert resumed is first and grace is not None and grace.cancelled()
    # The gap is filled with silence to keep transcript times on the clock, at most the grace time.
    assert resumed.samples_sent == 8000 + int(0.5 * 16000)
    await pipeline.disconnect(104, "audio", finished=False)
    left_at = asyncio.get_running_loop().time()
    closed_at = await recorder.closed(104, "audio")
    assert pipeline.stream(104, "audio") is None
    # asyncio runs a timer up to its clock resolution early, never more.
    resolution = time.get_clock_info("monotonic").resolution
    assert closed_at - left_at >= 0.5 - resolution, "closed before the grace time ran out"


async def test_an_undecodable_frame_is_counted_not_fatal(
    running: tuple[LivePipeline, Recorder], frames: list[bytes]
) -> None:
    pipeline, _ = running
    origin = datetime.now(UTC)
    stream = pipeline.connect(105, "video", origin, time.time())
    pipeline.feed_video(105, b"\xff\xd8\xff garbage \xff\xd9", time.time())
    await settled(stream)
    pipeline.feed_video(105, frames[0], time.time())
    await settled(stream)
    assert (stream.rejected, stream.processed) == (1, 1)
    await pipeline.disconnect(105, "video", finished=True)


async def test_face_check_uses_the_video_worker(
    running: tuple[LivePipeline, Recorder], frames: list[bytes]
) -> None:
    pipeline, _ = running
    assert await pipeline.count_faces(7, frames[0]) == 1
    with pytest.raises(ValueError):
        await pipeline.count_faces(7, b"not an image")
