"""The worker's request handling, in this process, with the real models."""

from __future__ import annotations

from pathlib import Path

from interview_monitor.live.worker import Detector, _handle
from tests.live.harness import jpeg_frames


def test_open_feed_probe_close(test_data: Path) -> None:
    frames = jpeg_frames(test_data / "video" / "center_focus.mp4", 1.0, limit=3)
    detectors: dict[int, Detector] = {}
    assert _handle("video", detectors, ("open", 2)) == ("opened", 2)
    for index, frame in enumerate(frames):
        kind, stream_id, events, received_at, error = _handle(
            "video", detectors, ("video", 2, float(index), frame, 5.0)
        )
        assert (kind, stream_id, received_at, error) == ("done", 2, 5.0, None)
        assert isinstance(events, list)
    assert _handle("video", detectors, ("probe", 4, frames[0])) == ("probed", 4, 1, None)
    broken = _handle("video", detectors, ("video", 2, 3.0, b"\xff\xd8\xffjunk\xff\xd9", 6.0))
    assert broken[0] == "done" and broken[4] is not None
    closed = _handle("video", detectors, ("close", 2, 3.0))
    assert closed[0] == "closed" and closed[3]["frames"] == len(frames)
    assert 2 not in detectors


def test_data_for_a_stream_that_is_not_open_is_refused() -> None:
    reply = _handle("audio", {}, ("audio", 3, b"\x00\x00", 1.0))
    assert reply == ("done", 3, [], 1.0, "stream is not open")
    assert _handle("audio", {}, ("close", 3, 0.0)) == ("closed", 3, [], {})
