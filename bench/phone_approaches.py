"""Recall and false alarms of each way of looking for phones, re-measured in one run.

    .venv/bin/python bench/phone_approaches.py

Photos: the 13 webcam photos (5 with a phone in hand, 8 hard negatives: mugs, books, a book
titled CELL) and bus.jpg, scaled so the longer side is 640 px as a webcam frame would be;
videos: every frame of the four shared clips (no phone in any). A phone counts as found when
a box passing the approach's rule has IoU >= 0.3 with the box drawn by eye, or its centre
inside it. Hands come from one tracker per clip (one static look per photo), shared by every
hand-crop approach, so they differ only in what they do with the hands.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace

import cv2
import numpy as np
import onnx
from numpy.typing import NDArray

from interview_monitor.detectors.vision import VisionConfig, VisionModels, load_vision_models
from interview_monitor.detectors.vision.models import single_thread_session
from interview_monitor.detectors.vision.objects import ObjectBox, box_iou, detect_objects
from interview_monitor.detectors.vision.phones import HandsSeen, PhoneStage
from interview_monitor.media.video import iter_frames, read_image
from interview_monitor.model_files.fetch import nanodet_onnx_path
from interview_monitor.model_files.nanodet_input import with_input_size
from shared_data import DATA

BUS_PHONE = [275.0, 670.0, 292.0, 692.0]
WHOLE_FRAME_RULES = (0.35, 0.25)  # 0.35 is the whole-frame phone threshold before issue 12
CROP_RULES = (  # (network side, crop x hand size, phone score)
    (320, 3.5, 0.25),
    (320, 3.5, 0.30),
    (320, 3.5, 0.40),
    (320, 2.5, 0.25),
    (320, 2.5, 0.30),
    (256, 2.5, 0.25),
    (256, 2.5, 0.30),
)


def at_webcam_size(frame: NDArray[np.uint8]) -> tuple[NDArray[np.uint8], float]:
    scale = 640 / max(frame.shape[:2])
    resized = cv2.resize(frame, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return np.asarray(resized, dtype=np.uint8), scale


def matches(found: ObjectBox, labelled: list[float]) -> bool:
    truth = ObjectBox("cell phone", 1.0, *labelled)
    centre_x, centre_y = (found.x1 + found.x2) / 2, (found.y1 + found.y2) / 2
    inside = truth.x1 <= centre_x <= truth.x2 and truth.y1 <= centre_y <= truth.y2
    return bool(inside or box_iou(found, truth) >= 0.3)


def unscaled(item: ObjectBox, scale: float) -> ObjectBox:
    return replace(
        item, x1=item.x1 / scale, y1=item.y1 / scale, x2=item.x2 / scale, y2=item.y2 / scale
    )


def whole_frame_phones(
    models: VisionModels, frame: NDArray[np.uint8], score: float
) -> list[ObjectBox]:
    found = detect_objects(models.object_session, frame, VisionConfig().object_candidate_score)
    return [item for item in found if item.label == "cell phone" and item.score >= score]


def crop_stages(models: VisionModels) -> dict[str, PhoneStage]:
    sessions = {320: models.hand_crop_session}
    source = onnx.load(str(nanodet_onnx_path()))
    sessions[256] = single_thread_session(with_input_size(source, 256).SerializeToString())
    return {
        f"hand crop {side} (x{scale} hand) t{score:.2f}": PhoneStage(
            replace(VisionConfig(), hand_crop_scale=scale, hand_crop_phone_score=score),
            replace(models, hand_crop_session=sessions[side]),
        )
        for side, scale, score in CROP_RULES
    }


def main() -> int:
    labels = json.loads((DATA / "images/webcam/labels.json").read_text())
    if not labels:
        print(f"no labels at {DATA}", file=sys.stderr)
        return 2
    models = load_vision_models()
    stages = crop_stages(models)
    names = [f"whole frame 416 t{score:.2f}" for score in WHOLE_FRAME_RULES] + list(stages)
    photos = {name: entry["phones"] for name, entry in labels.items() if not name.startswith("_")}
    photos["bus.jpg"] = [BUS_PHONE]
    found: dict[str, list[str]] = {name: [] for name in names}
    alarms: dict[str, list[str]] = {name: [] for name in names}
    video_alarms = dict.fromkeys(names, 0)

    whole_frame = dict(zip(names, WHOLE_FRAME_RULES, strict=False))  # the first two names

    def judge(
        frame: NDArray[np.uint8], seen: HandsSeen, scale: float
    ) -> dict[str, list[ObjectBox]]:
        """Each approach's phones in `frame`, in the original photo's pixels."""
        phones = {
            name: whole_frame_phones(models, frame, score) for name, score in whole_frame.items()
        }
        phones |= {name: stage.look(seen).phones for name, stage in stages.items()}
        return {name: [unscaled(phone, scale) for phone in boxes] for name, boxes in phones.items()}

    for photo, boxes in photos.items():
        folder = "objects" if photo == "bus.jpg" else "webcam"
        frame, scale = at_webcam_size(read_image(DATA / "images" / folder / photo))
        hands = PhoneStage(VisionConfig(), models)
        for name, phones in judge(frame, hands.find_hands(frame), scale).items():
            if boxes and any(matches(phone, boxes[0]) for phone in phones):
                found[name].append(photo[:3])
            elif not boxes and phones:
                alarms[name].append(photo[:3])
        hands.close()
    frames = 0
    for clip in sorted((DATA / "video").glob("*.mp4")):
        hands = PhoneStage(VisionConfig(), models)
        for _, raw in iter_frames(clip, sample_fps=1000.0):
            frames += 1
            frame, scale = at_webcam_size(raw)
            for name, phones in judge(frame, hands.find_hands(frame), scale).items():
                video_alarms[name] += bool(phones)
        hands.close()
    print(
        "| approach | phones found (of 5) | false alarms (of 8) | bus.jpg | video frames with a phone |"
    )
    print("|---|---|---|---|---|")
    for name in names:
        webcam = [photo for photo in found[name] if photo != "bus"]
        print(
            f"| {name} | {len(webcam)} {','.join(webcam)} | {len(alarms[name])} {','.join(alarms[name])} "
            f"| {'found' if 'bus' in found[name] else 'missed'} | {video_alarms[name]}/{frames} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
