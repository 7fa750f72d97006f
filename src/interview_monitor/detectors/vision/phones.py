"""Phones in hand: NanoDet on an enlarged crop around each hand, every frame.

On the whole frame squashed to 416 px a phone held at a webcam is a few dozen pixels and
NanoDet scores it 0.2-0.3, level with books and mugs (0 of 5 phone photos found at 0.35). A
square crop 3.5x the hand's size, squashed to 320 px, shows the phone 2-4x larger with enough
context to tell it from a book: 4 of 5 found, 1 false alarm in 8 hard negatives (docs/vision.md).
MediaPipe Hands in tracking mode finds the hands cheaply enough to run on every frame, so a
phone is looked for on every frame that shows a hand, and costs nothing more on the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from interview_monitor.detectors.vision.config import VisionConfig
from interview_monitor.detectors.vision.models import VisionModels, new_hand_tracker
from interview_monitor.detectors.vision.objects import (
    HAND_CROP_CLASSES,
    ObjectBox,
    box_iou,
    detect_objects,
    suppress_overlaps,
)

Box = tuple[int, int, int, int]  # x1 y1 x2 y2 in frame pixels
HandBox = tuple[float, float, float, float]  # the landmarks' extent, x1 y1 x2 y2


@dataclass(frozen=True, slots=True)
class HandsSeen:
    """The frame as the phone stage sees it (at most `phone_frame_max_side`) and its hands."""

    frame: NDArray[np.uint8]
    scale: float  # original pixels per pixel of `frame`
    hands: list[HandBox]


@dataclass(frozen=True, slots=True)
class PhoneLook:
    """What one frame's look for phones found."""

    hands: list[HandBox]
    crops: list[Box]
    phones: list[ObjectBox]  # plausible phones, strongest first

    @property
    def best_score(self) -> float:
        return self.phones[0].score if self.phones else 0.0

    def as_details(self) -> dict[str, Any]:
        return {
            "found_by": "hand crops",
            "objects": [item.as_dict() for item in self.phones],
            "hands": len(self.hands),
            "hand_crops": [list(crop) for crop in self.crops],
        }


def hand_box(landmarks: Any, width: int, height: int) -> HandBox:
    xs = [point.x * width for point in landmarks.landmark]
    ys = [point.y * height for point in landmarks.landmark]
    return min(xs), min(ys), max(xs), max(ys)


def hand_crop(hand: HandBox, width: int, height: int, config: VisionConfig) -> Box:
    """Square crop centred on the hand, shifted to lie inside the frame.

    Its side is `hand_crop_scale` x the hand's longer side (a phone held in the hand reaches
    past it), at least `hand_crop_min_fraction` of the frame's longer side (a distant hand
    would give a crop too small to hold a whole phone) and at most the frame's shorter side.
    The arithmetic is the measured one to the pixel: scores sit close to the threshold, and
    rounding the hand box to whole pixels first moved a book from 0.244 to 0.257 (docs/vision.md).
    """
    hand_side = max(hand[2] - hand[0], hand[3] - hand[1])
    minimum = config.hand_crop_min_fraction * max(width, height)
    side = min(max(config.hand_crop_scale * hand_side, minimum), width, height)
    centre_x, centre_y = (hand[0] + hand[2]) / 2, (hand[1] + hand[3]) / 2
    left = int(np.clip(centre_x - side / 2, 0, width - side))
    top = int(np.clip(centre_y - side / 2, 0, height - side))
    return left, top, left + int(side), top + int(side)


def _overlap(a: Box, b: Box) -> float:
    return box_iou(ObjectBox("", 0.0, *a), ObjectBox("", 0.0, *b))


def distinct_crops(crops: list[Box], max_overlap: float) -> list[Box]:
    """Drop a crop that mostly covers a kept one: two hands holding one phone need one look."""
    kept: list[Box] = []
    for crop in crops:
        if all(_overlap(crop, other) < max_overlap for other in kept):
            kept.append(crop)
    return kept


def plausible_phone(phone: ObjectBox, others: list[ObjectBox], config: VisionConfig) -> bool:
    """A phone's shape, and not better explained as a cup or a book at the same place.

    Books and mugs in hand score as phones in these crops (0.24-0.38 on the negatives); where
    NanoDet also sees a cup or book there at least as strongly, the box is not a phone.
    """
    width, height = phone.x2 - phone.x1, phone.y2 - phone.y1
    if min(width, height) <= 0 or max(width, height) / min(width, height) > config.phone_max_aspect:
        return False
    return not any(
        other.label in ("cup", "book")
        and other.score >= phone.score
        and box_iou(other, phone) >= config.phone_lookalike_overlap
        for other in others
    )


def _scaled_box(box: tuple[float, ...], scale: float) -> HandBox:
    x1, y1, x2, y2 = (value * scale for value in box)
    return x1, y1, x2, y2


def _whole(box: HandBox) -> Box:
    x1, y1, x2, y2 = (round(value) for value in box)
    return x1, y1, x2, y2


def _scaled(item: ObjectBox, scale: float) -> ObjectBox:
    x1, y1, x2, y2 = _scaled_box((item.x1, item.y1, item.x2, item.y2), scale)
    return ObjectBox(item.label, item.score, x1, y1, x2, y2)


class PhoneStage:
    """Per-session: a hand tracker (it holds state between frames) and the crop detector."""

    def __init__(self, config: VisionConfig, models: VisionModels) -> None:
        self._config = config
        self._session = models.hand_crop_session
        self._tracker: Any | None = None

    @property
    def available(self) -> bool:
        return self._session is not None

    def find_hands(self, bgr: NDArray[np.uint8]) -> HandsSeen:
        """Hands in `bgr`, at webcam size: crop sides and thresholds were measured at 640 px."""
        if self._tracker is None:
            self._tracker = new_hand_tracker()
        scale = max(bgr.shape[:2]) / self._config.phone_frame_max_side
        frame = bgr
        if scale > 1.0:
            frame = np.asarray(
                cv2.resize(bgr, None, fx=1 / scale, fy=1 / scale, interpolation=cv2.INTER_AREA),
                dtype=np.uint8,
            )
        height, width = frame.shape[:2]
        result = self._tracker.process(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
        hands = [hand_box(hand, width, height) for hand in result.multi_hand_landmarks or []]
        return HandsSeen(frame, max(scale, 1.0), hands)

    def look(self, seen: HandsSeen) -> PhoneLook:
        """Phones in the crops around `seen.hands`; every box in the original frame's pixels."""
        height, width = seen.frame.shape[:2]
        config = self._config
        crops = distinct_crops(
            [hand_crop(hand, width, height, config) for hand in seen.hands],
            config.hand_crop_overlap,
        )
        found: list[ObjectBox] = []
        for left, top, right, bottom in crops:
            found += detect_objects(
                self._session,
                seen.frame[top:bottom, left:right],
                config.object_candidate_score,
                HAND_CROP_CLASSES,
                origin=(left, top),
            )
        objects = suppress_overlaps(found)
        phones = [
            _scaled(item, seen.scale)
            for item in objects
            if item.label == "cell phone"
            and item.score >= config.hand_crop_phone_score
            and plausible_phone(item, objects, config)
        ]
        hands = [_scaled_box(hand, seen.scale) for hand in seen.hands]
        return PhoneLook(hands, [_whole(_scaled_box(crop, seen.scale)) for crop in crops], phones)

    def close(self) -> None:
        if self._tracker is not None:
            self._tracker.close()
            self._tracker = None
