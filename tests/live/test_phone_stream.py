"""Issue 12 live path: a phone held up for 5 s of a 25 s webcam stream, through the real worker."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
import pytest

from interview_monitor.live.pipeline import LivePipeline
from interview_monitor.media.video import read_image
from interview_monitor.signals import DetectedEvent

pytestmark = pytest.mark.anyio

PHONE_FROM_S, PHONE_UNTIL_S, LENGTH_S = 10, 15, 25


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


def webcam_jpeg(path: Path) -> bytes:
    """A still fitted into a 640x480 webcam frame (letterboxed), as a browser would send it."""
    photo = read_image(path)
    scale = min(640 / photo.shape[1], 480 / photo.shape[0])
    fitted = cv2.resize(photo, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    frame = np.zeros((480, 640, 3), np.uint8)
    top, left = (480 - fitted.shape[0]) // 2, (640 - fitted.shape[1]) // 2
    frame[top : top + fitted.shape[0], left : left + fitted.shape[1]] = fitted
    return bytes(cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 80])[1].tobytes())


@pytest.fixture(scope="module")
async def stream_events(test_data: Path) -> AsyncIterator[tuple[list[DetectedEvent], bytes]]:
    """No phone for 10 s, the phone photo for 5 s, no phone for 10 s, at 1 frame/s."""
    webcam = test_data / "images/webcam"
    without = webcam_jpeg(webcam / "N05_desk_webcam_person.jpg")
    holding = webcam_jpeg(webcam / "P07_outdoor_phone_in_hand.jpg")
    frames = [
        holding if PHONE_FROM_S <= t_s < PHONE_UNTIL_S else without for t_s in range(LENGTH_S)
    ]
    batches: list[DetectedEvent] = []

    async def record(
        session_id: int, origin: datetime, events: list[DetectedEvent], received_at: float
    ) -> None:
        batches.extend(events)

    pipeline = LivePipeline({"video": 1, "audio": 1}, record, resume_grace_s=0.5)
    await pipeline.start()
    try:
        origin = datetime.now(UTC) - timedelta(seconds=LENGTH_S)
        stream = pipeline.connect(1201, "video", origin, time.time())
        for t_s, jpeg in enumerate(frames):
            pipeline.feed_video(1201, jpeg, origin.timestamp() + t_s)
            answered_by = time.monotonic() + 60.0
            while stream.in_flight:  # one frame at a time, so none is skipped
                assert time.monotonic() < answered_by, "the worker did not answer"
                await asyncio.sleep(0.02)
        assert stream.skipped == 0 and stream.processed == LENGTH_S
        await pipeline.disconnect(1201, "video", finished=True)
        await pipeline.drain()
        yield batches, holding
    finally:
        await pipeline.stop()


async def test_one_phone_episode_over_the_phone_span_and_none_elsewhere(
    stream_events: tuple[list[DetectedEvent], bytes],
) -> None:
    events, holding = stream_events
    phones = [e for e in events if e.columns.get("object_detected") == "cell phone"]
    (phone,) = phones
    assert phone.start_s < PHONE_UNTIL_S and phone.end_s > PHONE_FROM_S  # overlaps the span
    assert phone.start_s >= PHONE_FROM_S - 1 and phone.end_s <= PHONE_UNTIL_S + 1  # nowhere else
    assert phone.table == "object_detection_events"
    assert 0 < phone.columns["confidence_score"] <= 100
    assert phone.details["found_by"] == "hand crops"
    assert phone.snapshot_jpeg == holding  # the strongest frame, as the browser sent it
