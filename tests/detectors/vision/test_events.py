from __future__ import annotations

import cv2
import numpy as np
import pytest

from interview_monitor.detectors.episodes import Episode
from interview_monitor.detectors.vision import VisionConfig
from interview_monitor.detectors.vision.events import (
    FrameEvidence,
    severity,
    snapshot_jpeg,
    to_event,
)


@pytest.mark.parametrize(
    ("kind", "duration_s", "peak", "expected"),
    [
        ("looking_away", 1.0, 1.2, 1),
        ("looking_away", 4.7, 1.2, 2),
        ("looking_away", 7.0, 2.5, 4),
        ("head_turned", 45.0, 3.0, 5),
        ("multiple_faces", 0.0, 1.0, 2),
        ("multiple_faces", 120.0, 5.0, 5),
    ],
)
def test_severity_grows_with_duration_strength_and_kind(
    kind: str, duration_s: float, peak: float, expected: int
) -> None:
    assert severity(kind, duration_s, peak) == expected


def test_snapshots_are_shrunk_to_the_configured_size() -> None:
    frame = np.zeros((1080, 1920, 3), dtype=np.uint8)
    jpeg = snapshot_jpeg(FrameEvidence(0.0, 1.0, {}, frame=frame), VisionConfig())
    assert jpeg is not None
    assert cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR).shape == (360, 640, 3)
    assert (
        snapshot_jpeg(FrameEvidence(0.0, 1.0, {}, jpeg=b"\xff\xd8original"), VisionConfig())
        == b"\xff\xd8original"
    )


def test_an_object_episode_becomes_an_object_detection_event() -> None:
    evidence = FrameEvidence(3.0, 0.62, {"objects": []}, jpeg=b"\xff\xd8")
    episode = Episode("cell phone", 2.0, 6.5, 1.7, 3.0, evidence, active_samples=4, level_sum=5.0)
    event = to_event(episode, VisionConfig())
    assert event.table == "object_detection_events"
    assert event.columns == {
        "object_detected": "cell phone",
        "confidence_score": 62.0,
        "duration_ms": 4500,
    }
    assert event.confidence == 62.0
    assert event.details["frames"] == 4
    assert event.to_json()["object_detected"] == "cell phone"
