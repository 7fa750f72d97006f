"""The acceptance checks of issue 4 on the shared recordings, through analyze_frames."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from interview_monitor.detectors.vision import VisionModels, analyze_frames
from interview_monitor.media.video import iter_frames
from interview_monitor.signals import DetectedEvent

SAMPLE_FPS = 4.0


@cache
def events_of(path: Path) -> list[DetectedEvent]:
    return analyze_frames(iter_frames(path, SAMPLE_FPS))


def face_events(path: Path, event_type: str) -> list[DetectedEvent]:
    return [event for event in events_of(path) if event.columns.get("event_type") == event_type]


@pytest.fixture(autouse=True)
def _models_loaded(vision_models: VisionModels) -> None:
    """Load once up front so the first test's timing does not include model loading."""


def test_looking_left_for_five_seconds_is_one_episode(test_data: Path) -> None:
    path = test_data / "video/center_left_center.mp4"
    (episode,) = face_events(path, "looking_away")
    assert 4.5 <= episode.start_s <= 6.5
    assert 9.5 <= episode.end_s <= 11.0
    assert 1 <= episode.columns["severity_score"] <= 5
    assert episode.columns["duration_ms"] == pytest.approx(
        (episode.end_s - episode.start_s) * 1000, abs=1
    )
    assert episode.details["baseline"]["calibrated"] is True
    assert episode.snapshot_jpeg is not None and episode.snapshot_jpeg[:2] == b"\xff\xd8"
    assert 0 < episode.confidence <= 100
    assert face_events(path, "head_turned") == []


def test_the_turning_head_is_flagged(test_data: Path) -> None:
    path = test_data / "video/head-pose-face-detection-female.mp4"
    turned = face_events(path, "head_turned")
    assert len(turned) >= 1
    assert abs(turned[0].details["yaw"]) > 40


@pytest.mark.parametrize(
    "name", ["video/center_focus.mp4", "video/head-pose-face-detection-male.mp4"]
)
def test_a_steady_candidate_is_never_flagged(test_data: Path, name: str) -> None:
    assert events_of(test_data / name) == []


def test_videos_show_exactly_one_person(test_data: Path) -> None:
    for name in ("center_focus.mp4", "center_left_center.mp4", "head-pose-face-detection-male.mp4"):
        kinds = {
            event.columns.get("event_type") or event.columns.get("object_detected")
            for event in events_of(test_data / "video" / name)
        }
        assert not kinds & {"multiple_faces", "no_face", "person", "cell phone"}


def test_a_still_photo_is_judged_on_its_own(test_data: Path) -> None:
    events = analyze_frames(iter_frames(test_data / "images/faces/2008_001322.jpg"))
    by_kind = {
        event.columns.get("event_type") or event.columns["object_detected"]: event
        for event in events
    }
    assert by_kind["multiple_faces"].details["face_count"] == 3
    assert by_kind["multiple_faces"].columns["duration_ms"] == 0
    assert "no_face" not in by_kind
    dogs = analyze_frames(iter_frames(test_data / "images/faces/dogs.jpg"))
    assert [event.columns["event_type"] for event in dogs] == ["no_face"]


@pytest.mark.parametrize(
    ("still", "turned"),
    [
        ("intel_female_frame00_head_turned.png", True),
        ("intel_female_frame12_head_turned_other_side.png", True),
        ("intel_female_frame18_near_frontal.png", False),
    ],
)
def test_head_pose_stills_through_the_pipeline(test_data: Path, still: str, turned: bool) -> None:
    events = analyze_frames(iter_frames(test_data / "images/headpose" / still))
    assert any(event.columns.get("event_type") == "head_turned" for event in events) is turned


def test_a_frontal_portrait_raises_nothing(test_data: Path) -> None:
    assert analyze_frames(iter_frames(test_data / "images/faces/Tom_Cruise_avp_2014_4.jpg")) == []


def test_an_episode_open_at_the_end_runs_to_the_given_end(test_data: Path) -> None:
    path = test_data / "video/head-pose-face-detection-female.mp4"
    frames = [(t_s, frame) for t_s, frame in iter_frames(path, SAMPLE_FPS) if t_s < 0.6]
    (turned,) = analyze_frames(frames, end_s=1.9)
    assert turned.columns["event_type"] == "head_turned"
    assert (turned.start_s, turned.end_s) == (0.0, 1.9)
