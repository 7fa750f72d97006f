"""Tampered-camera flags on real clips, covered, frozen and replayed streams, and device labels."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from interview_monitor.detectors.vision import VisionConfig, VisionModels, VisionSession
from interview_monitor.detectors.vision.config import CAMERA_KINDS
from interview_monitor.detectors.vision.tamper import camera_label_kind
from interview_monitor.media.video import iter_frames
from interview_monitor.signals import DetectedEvent

CLIPS = (
    "center_focus.mp4",
    "center_left_center.mp4",
    "head-pose-face-detection-male.mp4",
    "head-pose-face-detection-female.mp4",
)


def jpeg(frame: NDArray[np.uint8], quality: int = 80) -> bytes:
    return cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])[1].tobytes()


def tamper_events(
    models: VisionModels, stream: list[tuple[float, bytes]], label: str | None = None
) -> list[DetectedEvent]:
    session = VisionSession(VisionConfig(), models)
    if label is not None:
        session.report_camera_label(label)
    events = [event for t_s, data in stream for event in session.feed_jpeg(data, t_s)]
    events += session.close(stream[-1][0] + 0.5)
    return [event for event in events if event.columns.get("event_type") in CAMERA_KINDS]


def clip_stream(test_data: Path, name: str, fps: float) -> list[tuple[float, bytes]]:
    return [(t_s, jpeg(frame)) for t_s, frame in iter_frames(test_data / "video" / name, fps)]


@pytest.mark.parametrize("fps", [100.0, 2.0])  # every frame, and what the page sends
@pytest.mark.parametrize("name", CLIPS)
def test_a_normal_clip_raises_no_tamper_flag(
    vision_models: VisionModels, test_data: Path, name: str, fps: float
) -> None:
    stream = clip_stream(test_data, name, fps)
    assert tamper_events(vision_models, stream, "Integrated Camera (04f2:b6dd)") == []


def test_a_black_stream_raises_camera_blocked(vision_models: VisionModels) -> None:
    black = jpeg(np.zeros((480, 640, 3), np.uint8))
    events = tamper_events(vision_models, [(index * 0.5, black) for index in range(20)])
    assert [event.columns["event_type"] for event in events] == ["camera_blocked"]
    assert (events[0].start_s, events[0].end_s) == (0.0, 10.0)  # the whole stream


def test_covering_the_lens_mid_clip_raises_camera_blocked_from_then(
    vision_models: VisionModels, test_data: Path
) -> None:
    live = clip_stream(test_data, "center_focus.mp4", 2.0)[:10]
    # A hand over the lens: a flat skin tone with sensor noise.
    noise = np.random.default_rng(7).normal(0, 3, (480, 640, 3))
    hand = np.clip(noise + np.array([120, 150, 190]), 0, 255).astype(np.uint8)
    covered = [(5.0 + index * 0.5, jpeg(hand)) for index in range(10)]
    events = tamper_events(vision_models, live + covered)
    assert [event.columns["event_type"] for event in events] == ["camera_blocked"]
    assert events[0].start_s == 5.0


def test_a_frozen_picture_raises_frozen_video(vision_models: VisionModels, test_data: Path) -> None:
    live = clip_stream(test_data, "head-pose-face-detection-male.mp4", 2.0)[:6]
    still = live[-1][1]
    frozen = [(3.0 + index * 0.5, still) for index in range(20)]
    events = tamper_events(vision_models, live + frozen)
    assert [event.columns["event_type"] for event in events] == ["frozen_video"]
    assert events[0].details["reason"] == "repeat"
    assert 3.0 <= events[0].start_s <= 3.5


def test_a_still_re_encoded_at_alternating_qualities_is_still_frozen(
    vision_models: VisionModels, test_data: Path
) -> None:
    frame = next(iter_frames(test_data / "video" / "center_focus.mp4", 2.0))[1]
    stream = [(index * 0.5, jpeg(frame, (70, 90)[index % 2])) for index in range(20)]
    events = tamper_events(vision_models, stream)
    assert [event.columns["event_type"] for event in events] == ["frozen_video"]


def test_a_looped_recording_raises_frozen_video(
    vision_models: VisionModels, test_data: Path
) -> None:
    """The male clip played four times over at its own 12 frames/s, re-encoded each pass."""
    frames = [
        frame
        for _, frame in iter_frames(test_data / "video/head-pose-face-detection-male.mp4", 100.0)
    ]
    stream = [
        (index / 12.0, jpeg(frame, 75 + 5 * (index // len(frames))))
        for index, frame in enumerate(frames * 4)
    ]
    events = tamper_events(vision_models, stream)
    assert [event.columns["event_type"] for event in events] == ["frozen_video"]
    assert events[0].details["reason"] == "loop"
    assert events[0].start_s >= 5.2  # not before the first replay


def test_a_virtual_camera_label_raises_virtual_camera(
    vision_models: VisionModels, test_data: Path
) -> None:
    stream = clip_stream(test_data, "head-pose-face-detection-male.mp4", 2.0)
    events = tamper_events(vision_models, stream, "OBS Virtual Camera")
    assert [event.columns["event_type"] for event in events] == ["virtual_camera"]
    assert events[0].details["camera_label"] == "OBS Virtual Camera"
    assert events[0].snapshot_jpeg is not None


def test_switching_from_a_virtual_camera_to_a_real_one_ends_the_flag(
    vision_models: VisionModels, test_data: Path
) -> None:
    stream = clip_stream(test_data, "center_focus.mp4", 2.0)
    session = VisionSession(VisionConfig(), vision_models)
    session.report_camera_label("ManyCam Video Source")
    events = [event for t_s, data in stream[:8] for event in session.feed_jpeg(data, t_s)]
    session.report_camera_label("FaceTime HD Camera")
    events += [event for t_s, data in stream[8:] for event in session.feed_jpeg(data, t_s)]
    flags = [event for event in events if event.columns.get("event_type") == "virtual_camera"]
    assert len(flags) == 1
    assert flags[0].start_s == 0.0 and flags[0].end_s == stream[8][0]


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("OBS Virtual Camera", "virtual"),
        ("ManyCam Virtual Webcam", "virtual"),
        ("Snap Camera", "virtual"),
        ("v4l2loopback: Dummy video device (0x0000)", "virtual"),
        ("NVIDIA Broadcast", "effects"),
        ("DroidCam Source 3", "phone"),
        ("Integrated Camera (04f2:b6dd)", None),
        ("FaceTime HD Camera", None),
        ("Logitech BRIO (046d:085e)", None),
        ("", None),
    ],
)
def test_camera_labels_are_classified(label: str, kind: str | None) -> None:
    assert camera_label_kind(label) == kind
