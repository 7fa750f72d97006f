"""A detector worker killed mid-stream is replaced; the streams routed to it go on."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from interview_monitor.live.pipeline import LivePipeline, ProbeTimeoutError
from interview_monitor.media.audio import decode_audio
from tests.live.harness import jpeg_frames
from tests.live.test_pipeline import Recorder, settled, until

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def pipeline() -> AsyncIterator[tuple[LivePipeline, Recorder]]:
    recorder = Recorder()
    running = LivePipeline({"video": 1, "audio": 1}, recorder, resume_grace_s=0)
    await running.start()
    yield running, recorder
    await running.stop()


def kill_worker(running: LivePipeline, kind: str) -> None:
    pool = running._pool
    assert pool is not None
    pid = pool.pid(kind, 0)  # type: ignore[arg-type]
    assert pid is not None
    os.kill(pid, signal.SIGKILL)


async def test_a_killed_video_worker_is_replaced_and_its_stream_goes_on(
    pipeline: tuple[LivePipeline, Recorder], test_data: Path
) -> None:
    running, recorder = pipeline
    frames = jpeg_frames(test_data / "video" / "center_left_center.mp4", 2.0)
    origin = datetime.now(UTC)
    stream = running.connect(301, "video", origin, time.time())
    running.feed_video(301, frames[0], origin.timestamp())
    await settled(stream)
    assert stream.processed == 1

    kill_worker(running, "video")
    running.feed_video(301, frames[1], origin.timestamp() + 0.5)  # lost with the worker
    face_check = asyncio.ensure_future(running.count_faces(302, frames[0]))
    await until(lambda: running.restarts() == 1, "the dead worker was not replaced")
    assert stream.in_flight == 0 and stream.rejected == 1, "the lost frame was not answered"
    assert await asyncio.wait_for(face_check, 120.0) == 1, "a face check sent meanwhile"

    for index, frame in enumerate(frames[2:], start=2):
        running.feed_video(301, frame, origin.timestamp() + index * 0.5)
        await settled(stream, timeout_s=120.0)
    assert stream.processed == len(frames) - 1 and stream.skipped == 0
    await running.disconnect(301, "video", finished=True)
    await running.drain()
    # The new detector saw the head turn to the left and back: a looking-away episode.
    episodes = recorder.events(301)
    assert any(e.table == "face_pose_events" for e in episodes)
    assert all(e.start_s >= 1.0 for e in episodes), "an episode from before the restart"


async def test_a_killed_audio_worker_is_replaced_and_transcripts_keep_their_times(
    pipeline: tuple[LivePipeline, Recorder], test_data: Path
) -> None:
    running, recorder = pipeline
    speech = decode_audio(test_data / "audio" / "librispeech_116-288045-0000.flac")[0]
    chunks = [speech[i : i + 8000] for i in range(0, len(speech), 8000)]
    origin = datetime.now(UTC)
    stream = running.connect(303, "audio", origin, time.time())
    for chunk in chunks[:8]:
        running.feed_audio(303, chunk, time.time())
    await settled(stream)

    kill_worker(running, "audio")
    await until(lambda: running.restarts() == 1, "the dead worker was not replaced")
    samples_before = stream.samples_sent
    for chunk in chunks:  # the whole reading again, in the new detector
        running.feed_audio(303, chunk, time.time())
    await running.disconnect(303, "audio", finished=True)
    await running.drain()
    assert stream.processed == 8 + len(chunks) and stream.rejected == 0
    events = recorder.events(303)
    text = " ".join(e.columns["text_content"] for e in events).lower()
    assert "approached the city" in text and "family groups" in text
    offset_s = samples_before / 16000
    assert all(offset_s <= e.start_s for e in events), "times restarted from zero"


async def test_a_face_check_a_stuck_worker_never_answers_times_out(
    pipeline: tuple[LivePipeline, Recorder], test_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    running, _ = pipeline
    frame = jpeg_frames(test_data / "video" / "center_left_center.mp4", 2.0)[0]
    monkeypatch.setattr("interview_monitor.live.pipeline.PROBE_TIMEOUT_S", 1.0)
    pool = running._pool
    assert pool is not None
    pid = pool.pid("video", 0)
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)
    try:
        with pytest.raises(ProbeTimeoutError):
            await running.count_faces(303, frame)
    finally:
        os.kill(pid, signal.SIGCONT)
    assert await asyncio.wait_for(running.count_faces(303, frame), 120.0) == 1
