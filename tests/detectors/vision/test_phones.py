"""Issue 12, phones: the hand-crop look on the shared webcam photos, bus.jpg and the videos."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from interview_monitor.detectors.vision import VisionConfig, VisionModels, analyze_frames
from interview_monitor.detectors.vision.objects import ObjectBox, box_iou
from interview_monitor.detectors.vision.phones import (
    PhoneLook,
    PhoneStage,
    distinct_crops,
    hand_crop,
    plausible_phone,
)
from interview_monitor.media.video import iter_frames, read_image

CONFIG = VisionConfig()
VIDEOS = (
    "center_focus.mp4",
    "center_left_center.mp4",
    "head-pose-face-detection-female.mp4",
    "head-pose-face-detection-male.mp4",
)


@pytest.fixture(scope="module")
def stage_models(vision_models: VisionModels) -> VisionModels:
    if vision_models.hand_crop_session is None:
        pytest.fail(vision_models.hand_crop_status)
    return vision_models


@pytest.fixture(scope="module")
def webcam_labels(test_data: Path) -> dict[str, list[list[float]]]:
    labels = json.loads((test_data / "images/webcam/labels.json").read_text())
    return {name: entry["phones"] for name, entry in labels.items() if not name.startswith("_")}


def look_at(models: VisionModels, path: Path) -> PhoneLook:
    stage = PhoneStage(CONFIG, models)
    try:
        return stage.look(stage.find_hands(read_image(path)))
    finally:
        stage.close()


def on_the_phone(found: ObjectBox, labelled: list[float]) -> bool:
    """Boxes drawn by eye: IoU >= 0.3 or the found box's centre inside the labelled one."""
    truth = ObjectBox("cell phone", 1.0, *labelled)
    centre_x, centre_y = (found.x1 + found.x2) / 2, (found.y1 + found.y2) / 2
    inside = truth.x1 <= centre_x <= truth.x2 and truth.y1 <= centre_y <= truth.y2
    return inside or box_iou(found, truth) >= 0.3


def test_phones_in_hand_are_found_in_at_least_four_of_five_photos(
    stage_models: VisionModels, test_data: Path, webcam_labels: dict[str, list[list[float]]]
) -> None:
    photos = {name: boxes for name, boxes in webcam_labels.items() if boxes}
    assert len(photos) == 5
    found = {
        name
        for name, (labelled,) in photos.items()
        if any(
            on_the_phone(phone, labelled)
            for phone in look_at(stage_models, test_data / "images/webcam" / name).phones
        )
    }
    assert len(found) >= 4, f"found only {sorted(found)}"


def test_hard_negatives_give_a_false_alarm_in_at_most_one_of_eight(
    stage_models: VisionModels, test_data: Path, webcam_labels: dict[str, list[list[float]]]
) -> None:
    negatives = [name for name, boxes in webcam_labels.items() if not boxes]
    assert len(negatives) == 8
    alarms = [
        name
        for name in negatives
        if look_at(stage_models, test_data / "images/webcam" / name).phones
    ]
    assert len(alarms) <= 1, f"false alarms on {alarms}"


@pytest.mark.xfail(
    reason="the phone in bus.jpg is 17x22 px of 810x1080 and not in the hand MediaPipe finds; "
    "the crop below that hand covers it, but its best cell-phone score there is 0.049",
    strict=True,
)
def test_the_small_phone_in_the_street_photo(stage_models: VisionModels, test_data: Path) -> None:
    look = look_at(stage_models, test_data / "images/objects/bus.jpg")
    assert any(on_the_phone(phone, [275, 670, 292, 692]) for phone in look.phones)


def test_no_phone_on_any_of_the_705_frames_of_the_videos(
    stage_models: VisionModels, test_data: Path
) -> None:
    frames, phones = 0, []
    for clip in VIDEOS:
        stage = PhoneStage(CONFIG, stage_models)  # a tracker per clip, as per session
        for t_s, frame in iter_frames(test_data / "video" / clip, sample_fps=1000.0):
            frames += 1
            phones += [(clip, t_s) for _ in stage.look(stage.find_hands(frame)).phones]
        stage.close()
    assert frames == 705  # every frame: the sampling rate is above every clip's
    assert phones == []


def test_a_phone_photo_is_a_phone_event_with_its_snapshot(
    stage_models: VisionModels, test_data: Path
) -> None:
    events = analyze_frames(iter_frames(test_data / "images/webcam/P07_outdoor_phone_in_hand.jpg"))
    (phone,) = [event for event in events if event.columns.get("object_detected") == "cell phone"]
    assert phone.table == "object_detection_events"
    assert 25.0 <= phone.columns["confidence_score"] <= 100.0
    assert phone.details["found_by"] == "hand crops"
    assert phone.snapshot_jpeg is not None and phone.snapshot_jpeg[:2] == b"\xff\xd8"


def test_a_crop_is_a_square_inside_the_frame_around_the_hand() -> None:
    left, top, right, bottom = hand_crop((600.0, 20.0, 640.0, 80.0), 640, 480, CONFIG)
    assert right - left == bottom - top == int(3.5 * 60)
    assert (left, top) == (640 - 210, 0)  # shifted in from the corner, not cut
    small = hand_crop((300.0, 200.0, 310.0, 210.0), 640, 480, CONFIG)
    assert small[2] - small[0] == int(0.225 * 640)
    huge = hand_crop((0.0, 0.0, 400.0, 400.0), 640, 480, CONFIG)
    assert huge == (0, 0, 480, 480)


def test_two_hands_on_one_phone_get_one_crop() -> None:
    crops = [(100, 100, 300, 300), (120, 110, 320, 310), (400, 100, 600, 300)]
    assert distinct_crops(crops, 0.5) == [crops[0], crops[2]]


def test_a_phone_box_must_look_like_a_phone_and_not_a_book() -> None:
    phone = ObjectBox("cell phone", 0.3, 100, 100, 150, 200)
    assert plausible_phone(phone, [phone], CONFIG)
    assert not plausible_phone(ObjectBox("cell phone", 0.3, 0, 0, 40, 200), [], CONFIG)
    book = ObjectBox("book", 0.3, 95, 95, 155, 210)
    assert not plausible_phone(phone, [phone, book], CONFIG)
    weaker_book = ObjectBox("book", 0.29, 95, 95, 155, 210)
    assert plausible_phone(phone, [phone, weaker_book], CONFIG)


def test_the_crop_detector_is_the_320_rewrite(stage_models: VisionModels) -> None:
    session: Any = stage_models.hand_crop_session
    assert session.get_inputs()[0].shape == [1, 3, 320, 320]
    options = session.get_session_options()
    assert (options.intra_op_num_threads, options.inter_op_num_threads) == (1, 1)
