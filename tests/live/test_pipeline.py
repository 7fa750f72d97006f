"""The live pipeline without any network: real worker processes, real models, a recording sink."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from interview_monitor.detectors.lips import KIND as LIPS
from interview_monitor.live.pipeline import LivePipeline, NoReferenceFaceError, Stream
from interview_monitor.media.audio import decode_audio
from interview_monitor.signals import DetectedEvent
from tests.lips_media import chained_grid, voice_over
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


async def test_a_person_switch_in_a_live_stream_is_one_identity_mismatch(
    running: tuple[LivePipeline, Recorder], test_data: Path
) -> None:
    """Through the real worker process: the camera check's face is the reference, the man
    streams, then a woman takes the seat; the page reports a virtual camera."""
    pipeline, recorder = running
    man = jpeg_frames(test_data / "video/head-pose-face-detection-male.mp4", 100.0)
    woman = jpeg_frames(test_data / "video/head-pose-face-detection-female.mp4", 100.0)
    reference = await pipeline.reference_face(31, man[0], "system check")
    assert reference.source == "system check" and len(reference.vector) == 128 * 4
    origin = datetime.now(UTC) - timedelta(minutes=5)
    stream = pipeline.connect(31, "video", origin, time.time(), reference)
    pipeline.report_camera_label(31, "OBS Virtual Camera")
    for index, jpeg in enumerate(man + woman + woman):  # 0.5 s apart, as the page sends them
        pipeline.feed_video(31, jpeg, origin.timestamp() + index * 0.5)
        await settled(stream)
    assert stream.processed == len(man) + 2 * len(woman)
    await pipeline.disconnect(31, "video", finished=True)
    await recorder.closed(31, "video")
    by_kind: dict[str, list[DetectedEvent]] = {}
    for event in recorder.events(31):
        by_kind.setdefault(event.columns.get("event_type", ""), []).append(event)
    [mismatch] = by_kind["identity_mismatch"]
    assert mismatch.start_s > len(man) * 0.5
    assert mismatch.details["reference"] == "system check"
    [virtual] = by_kind["virtual_camera"]
    assert virtual.details["camera_label"] == "OBS Virtual Camera"


async def test_a_reference_face_needs_exactly_one_face(
    running: tuple[LivePipeline, Recorder], test_data: Path
) -> None:
    pipeline, _ = running
    group = jpeg_frames(test_data / "images/faces/group_selfie_4_faces.jpg", 1.0)[0]
    empty = jpeg_frames(test_data / "images/faces/dogs.jpg", 1.0)[0]
    with pytest.raises(NoReferenceFaceError) as several:
        await pipeline.reference_face(32, group, "uploaded photo")
    with pytest.raises(NoReferenceFaceError) as none:
        await pipeline.reference_face(32, empty, "uploaded photo")
    assert (several.value.reason, none.value.reason) == ("several_faces", "no_face")
    with pytest.raises(ValueError):  # unreadable: not a NoReferenceFaceError
        await pipeline.reference_face(32, b"not an image", "uploaded photo")


async def stream_both(
    pipeline: LivePipeline, session_id: int, clip: Path, audio_until_s: float | None = None
) -> tuple[Stream, Stream]:
    """The clip's frames (2 a second, each answered before the next) and its sound, paced
    together on one origin as the candidate's page sends them; with `audio_until_s`, the audio
    stream is finished there while the video goes on."""
    origin = datetime.now(UTC)
    video = pipeline.connect(session_id, "video", origin, time.time())
    audio = pipeline.connect(session_id, "audio", origin, time.time())
    pcm = decode_audio(clip)[0]
    if audio_until_s is not None:
        pcm = pcm[: int(audio_until_s * 16000) * 2]
    sent = 0
    for index, frame in enumerate(jpeg_frames(clip, 2.0)):
        t_s = index * 0.5
        upto = min(len(pcm), int((t_s + 0.5) * 16000) * 2)
        if upto > sent:
            pipeline.feed_audio(session_id, pcm[sent:upto], origin.timestamp() + t_s)
            sent = upto
        elif audio_until_s is not None and pipeline.stream(session_id, "audio") is not None:
            await settled(audio)
            await pipeline.disconnect(session_id, "audio", finished=True)
        pipeline.feed_video(session_id, frame, origin.timestamp() + t_s)
        await settled(video)
    await settled(audio)
    return video, audio


async def test_another_voice_over_a_shut_mouth_is_flagged_live(
    running: tuple[LivePipeline, Recorder], tmp_path: Path, test_data: Path
) -> None:
    pipeline, recorder = running
    await stream_both(pipeline, 110, voice_over(tmp_path / "voice_over.mp4", test_data))
    await pipeline.disconnect(110, "video", finished=True)
    await pipeline.disconnect(110, "audio", finished=True)
    await pipeline.drain()
    [event] = [e for e in recorder.events(110) if e.columns.get("event_type") == LIPS]
    assert event.table == "face_pose_events" and 2.0 <= event.start_s <= 3.0
    assert event.details["still_frames"] >= 8


async def test_people_speaking_in_their_own_voice_are_not_flagged_live(
    running: tuple[LivePipeline, Recorder], tmp_path: Path
) -> None:
    pipeline, recorder = running
    await stream_both(pipeline, 111, chained_grid(tmp_path / "grid.mp4"))
    await pipeline.disconnect(111, "video", finished=True)
    await pipeline.disconnect(111, "audio", finished=True)
    await pipeline.drain()
    events = recorder.events(111)
    assert len([e for e in events if e.table == "audio_transcripts"]) >= 3  # speech was heard
    assert [e for e in events if e.columns.get("event_type") == LIPS] == []


async def test_speech_the_audio_close_ends_is_judged_while_the_video_goes_on(
    running: tuple[LivePipeline, Recorder], tmp_path: Path, test_data: Path
) -> None:
    # The voice runs from 2.5 s to 12.3 s with a pause at 5-5.7 s; the audio stops at 9 s, mid
    # sentence: only the segment its close ends (5.7-9 s) brings the shut-mouth speech past 4 s.
    pipeline, recorder = running
    clip = voice_over(tmp_path / "voice_over.mp4", test_data)
    await stream_both(pipeline, 112, clip, audio_until_s=9.0)
    assert pipeline.stream(112, "audio") is None
    await pipeline.disconnect(112, "video", finished=True)
    await pipeline.drain()
    [event] = [e for e in recorder.events(112) if e.columns.get("event_type") == LIPS]
    assert 2.0 <= event.start_s <= 3.0 and 8.5 <= event.end_s <= 9.5
