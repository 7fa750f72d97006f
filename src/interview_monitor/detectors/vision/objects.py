"""COCO objects that matter in an interview (phones, people, books, laptops) from NanoDet.

The network (see models/fetch.py) takes a 416x416 BGR image squashed from the frame and
normalised with the training mean and std, and gives, per level (strides 8, 16, 32), 80 class
scores per cell and a box as four distributions over 11 bins (GFL). A box side is the
expectation of its distribution times the stride, measured from the cell's centre.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

INPUT_SIZE = 416
STRIDES = (8, 16, 32)
REG_BINS = 11
_MEAN = np.array([103.53, 116.28, 123.675], dtype=np.float32)
_INV_STD = 1.0 / np.array([57.375, 57.12, 58.395], dtype=np.float32)
_NMS_IOU = 0.5

# COCO-80 class index -> the name the event tables use.
WATCHED_CLASSES = {0: "person", 63: "laptop", 67: "cell phone", 73: "book"}
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


def _cell_centres(stride: int) -> NDArray[np.float32]:
    cells = INPUT_SIZE // stride
    rows, cols = np.divmod(np.arange(cells * cells), cells)
    centres = np.stack([(cols + 0.5) * stride, (rows + 0.5) * stride], axis=1)
    return np.asarray(centres, dtype=np.float32)


_CENTRES = {stride: _cell_centres(stride) for stride in STRIDES}
_CLASS_IDS = np.array(sorted(WATCHED_CLASSES))


def preprocess(bgr: NDArray[np.uint8]) -> NDArray[np.float32]:
    resized = cv2.resize(bgr, (INPUT_SIZE, INPUT_SIZE), interpolation=cv2.INTER_LINEAR)
    normalised: NDArray[np.float32] = (resized.astype(np.float32) - _MEAN) * _INV_STD
    batch: NDArray[np.float32] = np.ascontiguousarray(normalised.transpose(2, 0, 1)[np.newaxis])
    return batch


def _expected_distances(bins: NDArray[np.float32]) -> NDArray[np.float32]:
    shifted = np.exp(bins - bins.max(axis=-1, keepdims=True))
    probabilities = shifted / shifted.sum(axis=-1, keepdims=True)
    return np.asarray(probabilities @ np.arange(REG_BINS, dtype=np.float32), dtype=np.float32)


def decode(
    outputs: dict[str, NDArray[np.float32]], min_score: float
) -> list[tuple[int, float, NDArray[np.float32]]]:
    """(COCO class, score, box x1 y1 x2 y2 in input pixels) for watched classes, before NMS."""
    found = []
    for stride, (scores_name, boxes_name) in _OUTPUTS.items():
        scores = outputs[scores_name][0][:, _CLASS_IDS]
        cells, columns = np.nonzero(scores >= min_score)
        if cells.size == 0:
            continue
        distances = (
            _expected_distances(outputs[boxes_name][0][cells].reshape(-1, 4, REG_BINS)) * stride
        )
        centres = _CENTRES[stride][cells]
        boxes = np.concatenate([centres - distances[:, :2], centres + distances[:, 2:]], axis=1)
        for column, score, box in zip(columns, scores[cells, columns], boxes, strict=True):
            found.append((int(_CLASS_IDS[column]), float(score), box))
    return found


def detect_objects(session: Any, bgr: NDArray[np.uint8], min_score: float) -> list[ObjectBox]:
    """Watched objects in `bgr`, after per-class NMS, boxes in the frame's pixels."""
    height, width = bgr.shape[:2]
    names = [output.name for output in session.get_outputs()]
    outputs = dict(
        zip(names, session.run(names, {session.get_inputs()[0].name: preprocess(bgr)}), strict=True)
    )
    scale = np.array([width, height, width, height], dtype=np.float32) / INPUT_SIZE
    objects: list[ObjectBox] = []
    candidates = decode(outputs, min_score)
    for class_id, label in WATCHED_CLASSES.items():
        mine = [(score, box * scale) for cid, score, box in candidates if cid == class_id]
        if not mine:
            continue
        rects = [
            [float(b[0]), float(b[1]), float(b[2] - b[0]), float(b[3] - b[1])] for _, b in mine
        ]
        kept = cv2.dnn.NMSBoxes(rects, [score for score, _ in mine], min_score, _NMS_IOU)
        for index in np.asarray(kept, dtype=np.int64).reshape(-1):
            score, box = mine[int(index)]
            objects.append(ObjectBox(label, score, *(float(value) for value in box)))
    return sorted(objects, key=lambda item: item.score, reverse=True)
