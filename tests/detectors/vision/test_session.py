from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from interview_monitor.detectors.vision import VisionConfig, VisionModels, VisionSession
from interview_monitor.media.video import iter_frames


def jpeg_frames(path: Path, fps: float) -> list[tuple[float, bytes]]:
    return [
        (t_s, cv2.imencode(".jpg", frame)[1].tobytes()) for t_s, frame in iter_frames(path, fps)
    ]


@pytest.fixture(scope="module")
def looking_left_clip(test_data: Path) -> list[tuple[float, bytes]]:
    return jpeg_frames(test_data / "video/center_left_center.mp4", 2.0)


def test_jpeg_stream_gives_the_episode_when_it_closes(
    vision_models: VisionModels, looking_left_clip: list[tuple[float, bytes]]
) -> None:
    session = VisionSession(VisionConfig(), vision_models)
    closed_at = {}
    for t_s, jpeg in looking_left_clip:
        for event in session.feed_jpeg(jpeg, t_s):
            closed_at[event.columns["event_type"]] = t_s
    assert session.close(looking_left_clip[-1][0]) == []
    assert 10.0 <= closed_at.pop("looking_away") <= 12.0  # closes about a second after it ends
    assert closed_at == {}
    assert session.baseline.calibrated


def test_evidence_from_jpeg_input_is_the_original_jpeg(
    vision_models: VisionModels, looking_left_clip: list[tuple[float, bytes]]
) -> None:
    session = VisionSession(VisionConfig(), vision_models)
    jpegs = {jpeg for _, jpeg in looking_left_clip}
    events = [event for t_s, jpeg in looking_left_clip for event in session.feed_jpeg(jpeg, t_s)]
    assert events and all(event.snapshot_jpeg in jpegs for event in events)


def test_object_detector_runs_every_nth_frame_when_nothing_changes(
    vision_models: VisionModels, object_session: Any, test_data: Path
) -> None:
    session = VisionSession(replace(VisionConfig(), object_every_n_frames=5), vision_models)
    frames = list(iter_frames(test_data / "video/head-pose-face-detection-male.mp4", 4.0))
    for t_s, frame in frames:
        session.feed_frame(frame, t_s)
    stats = session.stats
    assert stats["frames"] == len(frames) == 21
    assert stats["object_detector_runs"] == 5  # frames 0, 5, 10, 15, 20
    assert set(stats["ms"]) == {
        "decode",
        "faces",
        "mesh",
        "hands",
        "phone_crops",
        "objects",
        "identity",
        "tamper",
        "episodes",
    }
    assert all(value > 0 for key, value in stats["ms"].items() if key != "decode")


def test_a_new_face_count_runs_the_object_detector_at_once(
    vision_models: VisionModels, object_session: Any, test_data: Path
) -> None:
    session = VisionSession(replace(VisionConfig(), object_every_n_frames=1000), vision_models)
    steady = list(iter_frames(test_data / "video/head-pose-face-detection-male.mp4", 2.0))[:4]
    group = cv2.imread(str(test_data / "images/faces/2008_001322.jpg"))
    for t_s, frame in steady:
        session.feed_frame(frame, t_s)
    assert session.stats["object_detector_runs"] == 1
    session.feed_frame(group, 2.0)
    assert session.stats["object_detector_runs"] == 2


def test_a_flat_frame_is_a_no_face_episode_with_a_snapshot(vision_models: VisionModels) -> None:
    session = VisionSession(VisionConfig(), vision_models)
    flat = np.full((480, 640, 3), 90, dtype=np.uint8)
    events = [event for index in range(8) for event in session.feed_frame(flat, index * 0.5)]
    events += session.close(4.0)
    # A frame without any structure is also what a covered lens gives.
    by_kind = {event.columns["event_type"]: event for event in events}
    assert len(events) == len(by_kind) == 2 and "camera_blocked" in by_kind
    event = by_kind["no_face"]
    assert event.table == "face_pose_events"
    assert event.columns["event_type"] == "no_face"
    assert event.columns["duration_ms"] == 4000
    assert event.columns["severity_score"] == 2  # 4 s: one step above the shortest
    assert event.snapshot_jpeg is not None
    assert cv2.imdecode(np.frombuffer(event.snapshot_jpeg, np.uint8), cv2.IMREAD_COLOR).shape == (
        480,
        640,
        3,
    )


def test_the_phone_look_runs_on_every_frame_and_the_whole_frame_pass_keeps_its_schedule(
    vision_models: VisionModels, object_session: Any, test_data: Path
) -> None:
    session = VisionSession(replace(VisionConfig(), object_every_n_frames=1000), vision_models)
    phone = cv2.imread(str(test_data / "images/webcam/P09_stock_woman_smartphone.jpg"))
    for index in range(6):
        session.feed_frame(phone, float(index))
    # The phone episode is open from the first frames on; it is confirmed by the hand crops,
    # so the whole-frame detector ran only on the first frame (the face count was new).
    assert session.stats["object_detector_runs"] == 1
    assert session.stats["hand_crop_runs"] >= 6
    (event,) = [e for e in session.close(6.0) if e.columns.get("object_detected") == "cell phone"]
    assert (event.start_s, event.end_s) == (0.0, 6.0)
