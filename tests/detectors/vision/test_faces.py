from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from interview_monitor.detectors.vision import VisionConfig, VisionModels
from interview_monitor.detectors.vision.faces import (
    HeadPose,
    detect_faces,
    estimate_pose,
    pose_from_landmarks,
    to_rgb,
)
from interview_monitor.detectors.vision.models import new_tracking_mesh
from interview_monitor.media.video import read_image

MIN_SCORE = VisionConfig().face_min_score


def count_faces(models: VisionModels, path: Path) -> int:
    return len(detect_faces(models, to_rgb(read_image(path)), MIN_SCORE))


def pose_of(models: VisionModels, path: Path) -> HeadPose:
    rgb = to_rgb(read_image(path))
    faces = detect_faces(models, rgb, MIN_SCORE)
    assert len(faces) == 1
    pose = estimate_pose(models, rgb, faces[0])
    assert pose is not None
    return pose


def test_group_photos_are_counted_exactly_for_most(
    vision_models: VisionModels, test_data: Path, group_photos: dict[str, int]
) -> None:
    counts = {name: count_faces(vision_models, test_data / name) for name in group_photos}
    exact = [name for name, expected in group_photos.items() if counts[name] == expected]
    # Measured: 6 of 7 exact; 2007_007763.jpg gives 6 of 7 (one small, half-hidden face).
    assert len(exact) >= len(group_photos) - 1, counts
    for name, expected in group_photos.items():
        assert abs(counts[name] - expected) <= 1, (name, counts[name], expected)


def test_one_face_on_the_portrait_and_none_on_the_dogs(
    vision_models: VisionModels, test_data: Path
) -> None:
    assert count_faces(vision_models, test_data / "images/faces/Tom_Cruise_avp_2014_4.jpg") == 1
    assert count_faces(vision_models, test_data / "images/faces/dogs.jpg") == 0


def test_found_faces_overlap_the_annotated_boxes(
    vision_models: VisionModels,
    test_data: Path,
    ground_truth: dict[str, dict[str, list[list[int]]]],
) -> None:
    name = "images/faces/2008_004176.jpg"
    faces = detect_faces(vision_models, to_rgb(read_image(test_data / name)), MIN_SCORE)
    centres = np.array([(face.x + face.width / 2, face.y + face.height / 2) for face in faces])
    for left, top, width, height in ground_truth[name]["face_boxes_ltwh"]:
        nearest = np.min(np.hypot(*(centres - (left + width / 2, top + height / 2)).T))
        assert nearest < width / 2


@pytest.mark.parametrize(
    ("still", "turned"),
    [
        ("intel_female_frame00_head_turned.png", True),
        ("intel_female_frame12_head_turned_other_side.png", True),
        ("intel_female_frame18_near_frontal.png", False),
    ],
)
def test_head_pose_stills(
    vision_models: VisionModels, test_data: Path, still: str, turned: bool
) -> None:
    pose = pose_of(vision_models, test_data / "images/headpose" / still)
    assert (abs(pose.yaw) > VisionConfig().yaw_threshold_deg) is turned, pose


def test_the_two_turned_stills_turn_opposite_ways(
    vision_models: VisionModels, test_data: Path
) -> None:
    first = pose_of(
        vision_models, test_data / "images/headpose/intel_female_frame00_head_turned.png"
    )
    other = pose_of(
        vision_models, test_data / "images/headpose/intel_female_frame12_head_turned_other_side.png"
    )
    assert first.yaw * other.yaw < 0


def test_pose_geometry_on_a_synthetic_frontal_face() -> None:
    points = np.zeros((478, 3))
    points[33], points[263] = (-30, 0, 0), (30, 0, 0)  # outer eye corners
    points[10], points[152] = (0, -60, 0), (0, 60, 0)  # forehead, chin
    points[133], points[362] = (-10, 0, 0), (10, 0, 0)  # inner eye corners
    points[159], points[145], points[386], points[374] = (
        (-20, -4, 0),
        (-20, 4, 0),
        (20, -4, 0),
        (20, 4, 0),
    )
    points[468], points[473] = (-20, 0, 0), (20, 0, 0)  # irises in the middle
    pose = pose_from_landmarks(points)
    assert (pose.yaw, pose.pitch, pose.roll) == pytest.approx((0, 0, 0), abs=1e-6)
    assert (pose.gaze_x, pose.gaze_y) == pytest.approx((0, 0), abs=1e-6)
    turned = points.copy()
    turned[:, 2] += turned[:, 0] * np.sin(np.radians(30))  # image-right side further away
    turned[:, 0] *= np.cos(np.radians(30))
    assert pose_from_landmarks(turned).yaw == pytest.approx(30, abs=0.5)


def test_a_tracking_mesh_on_another_face_falls_back_to_the_crop(
    vision_models: VisionModels, test_data: Path
) -> None:
    tracker = new_tracking_mesh()
    try:
        portrait = to_rgb(read_image(test_data / "images/faces/Tom_Cruise_avp_2014_4.jpg"))
        (face,) = detect_faces(vision_models, portrait, MIN_SCORE)
        tracked = estimate_pose(vision_models, portrait, face, tracker)
        assert tracked is not None
        group = to_rgb(read_image(test_data / "images/faces/2008_001322.jpg"))
        smallest = detect_faces(vision_models, group, MIN_SCORE)[-1]
        assert estimate_pose(vision_models, group, smallest, tracker) == estimate_pose(
            vision_models, group, smallest
        )
    finally:
        tracker.close()
