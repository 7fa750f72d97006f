"""COCO objects that matter in an interview (phones, people, books, laptops) from NanoDet.

The network (see model_files/fetch.py) takes a square BGR image squashed from the frame (416
px for the whole frame, 320 px for a crop around a hand) and normalised with the training mean
and std, and gives, per level (strides 8, 16, 32), 80 class scores per cell and a box as four
distributions over 11 bins (GFL). A box side is the expectation of its distribution times the
stride, measured from the cell's centre.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

STRIDES = (8, 16, 32)
REG_BINS = 11
_MEAN = np.array([103.53, 116.28, 123.675], dtype=np.float32)
_INV_STD = 1.0 / np.array([57.375, 57.12, 58.395], dtype=np.float32)
_NMS_IOU = 0.5

# COCO-80 class index -> the name the event tables use: what the whole-frame pass reports.
WATCHED_CLASSES = {0: "person", 63: "laptop", 67: "cell phone", 73: "book"}
# Around a hand: the phone, and what a phone is most often confused with there.
HAND_CROP_CLASSES = {41: "cup", 67: "cell phone", 73: "book"}
# The graph's outputs, named as in the TF.js signature, per stride: (class scores, boxes).
_OUTPUTS = {
    8: ("Identity", "Identity_3"),
    16: ("Identity_1", "Identity_4"),
    32: ("Identity_2", "Identity_5"),
}


@dataclass(frozen=True, slots=True)
class ObjectBox:
    label: str
    score: float
    x1: float
    y1: float
    x2: float
    y2: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "score": round(self.score, 3),
            "box_xyxy": [round(self.x1), round(self.y1), round(self.x2), round(self.y2)],
        }


@cache
def _cell_centres(input_size: int, stride: int) -> NDArray[np.float32]:
    cells = input_size // stride
    rows, cols = np.divmod(np.arange(cells * cells), cells)
    centres = np.stack([(cols + 0.5) * stride, (rows + 0.5) * stride], axis=1)
    return np.asarray(centres, dtype=np.float32)


def input_size(session: Any) -> int:
    """The square input side of a NanoDet session (416 or 320, see model_files/fetch.py)."""
    return int(session.get_inputs()[0].shape[2])


def preprocess(bgr: NDArray[np.uint8], size: int) -> NDArray[np.float32]:
    resized = cv2.resize(bgr, (size, size), interpolation=cv2.INTER_LINEAR)
    normalised: NDArray[np.float32] = (resized.astype(np.float32) - _MEAN) * _INV_STD
    batch: NDArray[np.float32] = np.ascontiguousarray(normalised.transpose(2, 0, 1)[np.newaxis])
    return batch


def _expected_distances(bins: NDArray[np.float32]) -> NDArray[np.float32]:
    shifted = np.exp(bins - bins.max(axis=-1, keepdims=True))
    probabilities = shifted / shifted.sum(axis=-1, keepdims=True)
    return np.asarray(probabilities @ np.arange(REG_BINS, dtype=np.float32), dtype=np.float32)


def decode(
    outputs: dict[str, NDArray[np.float32]], min_score: float, size: int, class_ids: list[int]
) -> list[tuple[int, float, NDArray[np.float32]]]:
    """(COCO class, score, box x1 y1 x2 y2 in input pixels) for `class_ids`, before NMS."""
    found = []
    for stride, (scores_name, boxes_name) in _OUTPUTS.items():
        scores = outputs[scores_name][0][:, class_ids]
        cells, columns = np.nonzero(scores >= min_score)
        if cells.size == 0:
            continue
        distances = (
            _expected_distances(outputs[boxes_name][0][cells].reshape(-1, 4, REG_BINS)) * stride
        )
        centres = _cell_centres(size, stride)[cells]
        boxes = np.concatenate([centres - distances[:, :2], centres + distances[:, 2:]], axis=1)
        for column, score, box in zip(columns, scores[cells, columns], boxes, strict=True):
            found.append((class_ids[int(column)], float(score), box))
    return found


def detect_objects(
    session: Any,
    bgr: NDArray[np.uint8],
    min_score: float,
    labels: dict[int, str] = WATCHED_CLASSES,
    origin: tuple[int, int] = (0, 0),
) -> list[ObjectBox]:
    """Objects of `labels` in `bgr`, after per-class NMS, strongest first.

    `bgr` may be a crop of a frame whose top-left corner is at `origin`: boxes are given in
    the frame's pixels.
    """
    height, width = bgr.shape[:2]
    size = input_size(session)
    names = [output.name for output in session.get_outputs()]
    batch = preprocess(bgr, size)
    outputs = dict(
        zip(names, session.run(names, {session.get_inputs()[0].name: batch}), strict=True)
    )
    scale = np.array([width, height, width, height], dtype=np.float32) / size
    shift = np.array([*origin, *origin], dtype=np.float32)
    candidates = [
        ObjectBox(labels[class_id], score, *(float(value) for value in box * scale + shift))
        for class_id, score, box in decode(outputs, min_score, size, sorted(labels))
    ]
    return suppress_overlaps(candidates)


def suppress_overlaps(candidates: list[ObjectBox]) -> list[ObjectBox]:
    """Per-class NMS (IoU 0.5), strongest first."""
    objects: list[ObjectBox] = []
    for label in sorted({item.label for item in candidates}):
        mine = [item for item in candidates if item.label == label]
        rects = [[item.x1, item.y1, item.x2 - item.x1, item.y2 - item.y1] for item in mine]
        kept = cv2.dnn.NMSBoxes(rects, [item.score for item in mine], 0.0, _NMS_IOU)
        objects += [mine[int(index)] for index in np.asarray(kept, dtype=np.int64).reshape(-1)]
    return sorted(objects, key=lambda item: item.score, reverse=True)


def box_iou(a: ObjectBox, b: ObjectBox) -> float:
    width = max(0.0, min(a.x2, b.x2) - max(a.x1, b.x1))
    height = max(0.0, min(a.y2, b.y2) - max(a.y1, b.y1))
    inter = width * height
    union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter
    return inter / union if union > 0 else 0.0
