from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from interview_monitor.detectors.vision import VisionConfig
from interview_monitor.detectors.vision.objects import (
    WATCHED_CLASSES,
    ObjectBox,
    decode,
    detect_objects,
    preprocess,
)
from interview_monitor.media.video import read_image

CONFIG = VisionConfig()
SINGLE_PERSON = [
    "images/faces/Tom_Cruise_avp_2014_4.jpg",
    "images/headpose/intel_female_frame00_head_turned.png",
    "images/headpose/intel_female_frame12_head_turned_other_side.png",
    "images/headpose/intel_female_frame18_near_frontal.png",
]
SEVERAL_PEOPLE = [
    "images/objects/bus.jpg",
    "images/objects/zidane.jpg",
    "images/faces/group_selfie_4_faces.jpg",
    "images/faces/2007_007763.jpg",
    "images/faces/2008_001009.jpg",
    "images/faces/2008_001322.jpg",
    "images/faces/2008_002079.jpg",
    "images/faces/2008_002506.jpg",
    "images/faces/2008_004176.jpg",
]


def found(session: Any, path: Path, label: str) -> list[ObjectBox]:
    objects = detect_objects(session, read_image(path), CONFIG.object_candidate_score)
    return [
        item
        for item in objects
        if item.label == label and item.score >= CONFIG.object_min_scores[label]
    ]


def test_all_four_people_in_the_street_photo(object_session: Any, test_data: Path) -> None:
    people = found(object_session, test_data / "images/objects/bus.jpg", "person")
    assert len(people) == 4
    assert all(person.y2 - person.y1 > 250 for person in people)


def test_both_people_in_the_football_photo(object_session: Any, test_data: Path) -> None:
    assert len(found(object_session, test_data / "images/objects/zidane.jpg", "person")) == 2


@pytest.mark.parametrize("name", SEVERAL_PEOPLE)
def test_photos_of_several_people_show_more_than_one(
    object_session: Any, test_data: Path, name: str
) -> None:
    assert len(found(object_session, test_data / name, "person")) >= 2


@pytest.mark.parametrize("name", SINGLE_PERSON)
def test_a_lone_person_is_exactly_one(object_session: Any, test_data: Path, name: str) -> None:
    assert len(found(object_session, test_data / name, "person")) == 1


def test_no_person_among_the_dogs(object_session: Any, test_data: Path) -> None:
    assert found(object_session, test_data / "images/faces/dogs.jpg", "person") == []


WITHOUT_PHONE = [name for name in SINGLE_PERSON + SEVERAL_PEOPLE if not name.endswith("bus.jpg")]


@pytest.mark.parametrize("name", [*WITHOUT_PHONE, "images/faces/dogs.jpg"])
def test_no_phone_where_there_is_none(object_session: Any, test_data: Path, name: str) -> None:
    assert found(object_session, test_data / name, "cell phone") == []


@pytest.mark.xfail(
    reason="the phone in bus.jpg is 17x22 px of 810x1080 (about 9x8 px at the 416 input): "
    "NanoDet scores it below 0.05 on the full frame",
    strict=True,
)
def test_the_phone_in_the_street_photo(object_session: Any, test_data: Path) -> None:
    phones = found(object_session, test_data / "images/objects/bus.jpg", "cell phone")
    assert any(270 <= (p.x1 + p.x2) / 2 <= 300 and 660 <= (p.y1 + p.y2) / 2 <= 700 for p in phones)


def test_preprocessing_squashes_to_the_input_and_normalises() -> None:
    frame = np.full((480, 640, 3), (103, 116, 124), dtype=np.uint8)
    batch = preprocess(frame, 416)
    assert batch.shape == (1, 3, 416, 416)
    assert np.abs(batch).max() < 0.02


def test_box_decoding_puts_a_box_around_its_cell() -> None:
    outputs = {
        name: np.zeros((1, cells, 80), np.float32)
        for name, cells in (("Identity", 52 * 52), ("Identity_1", 26 * 26), ("Identity_2", 13 * 13))
    }
    outputs |= {
        name: np.zeros((1, cells, 44), np.float32)
        for name, cells in (
            ("Identity_3", 52 * 52),
            ("Identity_4", 26 * 26),
            ("Identity_5", 13 * 13),
        )
    }
    cell = 3 * 13 + 5  # row 3, column 5 at stride 32: centre (176, 112)
    outputs["Identity_2"][0, cell, 67] = 0.9
    bins = np.full((4, 11), -20.0, np.float32)
    bins[:, 2] = 20.0  # every side two bins away: 64 px
    outputs["Identity_5"][0, cell] = bins.reshape(-1)
    ((class_id, score, box),) = decode(outputs, 0.5, 416, sorted(WATCHED_CLASSES))
    assert (class_id, score) == (67, pytest.approx(0.9))
    assert box == pytest.approx([112, 48, 240, 176], abs=1e-3)
