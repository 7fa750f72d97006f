"""Same-person and different-person face similarity (SFace, as the session judges faces).

    .venv/bin/python bench/identity.py [--max-yaw 35]

Every face of the shared clips and photos is embedded the way VisionSession does it
(MediaPipe full-range detector, the mesh on a crop of the face, five points from the mesh,
SFace); faces with |yaw| above --max-yaw, or whose mesh sits off the face box, are not judged.
Then every pair of judged faces is scored (cosine) and counted as same person or not:

* one clip is one person; the two phone clips (center_focus, center_left_center) show the
  same man, and the three headpose stills are frames of the female clip;
* every face of a group photo, and every webcam photo, is someone else, except the webcam
  photos N01/N03 (one woman) and N07/N09 (one man), judged so by eye.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from numpy.typing import NDArray  # noqa: E402

from interview_monitor.detectors.vision import VisionConfig, load_vision_models  # noqa: E402
from interview_monitor.detectors.vision.faces import (  # noqa: E402
    centred_on,
    detect_faces,
    fit_mesh,
    to_rgb,
)
from interview_monitor.detectors.vision.identity import load_face_embedder  # noqa: E402
from interview_monitor.media.video import iter_frames  # noqa: E402
from shared_data import DATA  # noqa: E402

# clip, person, source, frames per second to take (the phone clips: every 6th of 24 fps)
CLIPS = (
    ("head-pose-face-detection-female.mp4", "female clip", "female clip", 100.0),
    ("head-pose-face-detection-male.mp4", "male clip", "male clip", 100.0),
    ("center_focus.mp4", "red hoodie", "center_focus", 4.0),
    ("center_left_center.mp4", "red hoodie", "center_left_center", 4.0),
)
SAME_WEBCAM_PERSON = {"N01": "webcam woman N01/N03", "N03": "webcam woman N01/N03"}
SAME_WEBCAM_PERSON |= {"N07": "webcam man N07/N09", "N09": "webcam man N07/N09"}


@dataclass(frozen=True)
class Face:
    person: str
    source: str  # the group of files it comes from, for the table's rows
    vector: NDArray[np.float32]


def images() -> list[tuple[str, str, Path, bool]]:
    """(person, source, path, every face?) for the photos."""
    photos: list[tuple[str, str, Path, bool]] = [
        ("female clip", "female stills", path, False)
        for path in sorted((DATA / "images/headpose").glob("*.png"))
    ]
    photos.append(
        ("Tom Cruise", "Tom Cruise", DATA / "images/faces/Tom_Cruise_avp_2014_4.jpg", False)
    )
    for path in sorted((DATA / "images/faces").glob("20*.jpg")):
        photos.append((path.stem, "group photos", path, True))
    photos.append(("selfie", "group photos", DATA / "images/faces/group_selfie_4_faces.jpg", True))
    for path in sorted((DATA / "images/webcam").glob("*.jpg")):
        person = SAME_WEBCAM_PERSON.get(path.name[:3], path.stem)
        photos.append((person, "webcam photos", path, "three_people" in path.name))
    return photos


def judged_faces(max_yaw: float) -> tuple[list[Face], int]:
    models, embedder = load_vision_models(), load_face_embedder()
    min_score = VisionConfig().face_min_score
    faces: list[Face] = []
    skipped = 0

    def add(person: str, source: str, bgr: NDArray[np.uint8], every_face: bool) -> None:
        nonlocal skipped
        rgb = to_rgb(bgr)
        found = detect_faces(models, rgb, min_score)
        for index, box in enumerate(found if every_face else found[:1]):
            fit = fit_mesh(models, rgb, box)
            if fit is None or abs(fit.pose.yaw) > max_yaw or not centred_on(fit.points, box):
                skipped += 1
                continue
            vector = embedder.embed(rgb, fit.points)
            if vector is None:
                skipped += 1
                continue
            faces.append(Face(f"{person}#{index}" if every_face else person, source, vector))

    for name, person, source, fps in CLIPS:
        for _, frame in iter_frames(DATA / "video" / name, fps):
            add(person, source, frame, False)
    for person, source, path, every_face in images():
        image = cv2.imread(str(path))
        if image is not None:
            add(person, source, np.asarray(image, dtype=np.uint8), every_face)
    return faces, skipped


def summary(values: list[float]) -> str:
    array = np.asarray(values)
    quantiles = np.percentile(array, [5, 50, 95])
    return (
        f"{array.size:6d} {array.min():7.3f} {quantiles[0]:7.3f} {quantiles[1]:7.3f} "
        f"{quantiles[2]:7.3f} {array.max():7.3f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-yaw", type=float, default=VisionConfig().identity.max_yaw_deg)
    args = parser.parse_args()
    if not (DATA / "video").is_dir():
        print(f"test data not found at {DATA}; set INTERVIEW_MONITOR_TEST_DATA", file=sys.stderr)
        return 2
    faces, skipped = judged_faces(args.max_yaw)
    print(f"{len(faces)} judged faces (|yaw| <= {args.max_yaw:g}), {skipped} not judged")
    rows: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for first, second in combinations(faces, 2):
        verdict = "same" if first.person == second.person else "different"
        sources = sorted((first.source, second.source))
        rows[(verdict, sources[0], sources[1])].append(float(first.vector @ second.vector))
    print(f"\n{'pairs':44} {'n':>6} {'min':>7} {'p5':>7} {'median':>7} {'p95':>7} {'max':>7}")
    for (verdict, first_source, second_source), values in sorted(rows.items()):
        pair = (
            first_source if first_source == second_source else f"{first_source} vs {second_source}"
        )
        print(f"{verdict + ': ' + pair:44} {summary(values)}")
    same = [value for key, values in rows.items() if key[0] == "same" for value in values]
    different = [value for key, values in rows.items() if key[0] == "different" for value in values]
    print(f"{'ALL same person':44} {summary(same)}")
    print(f"{'ALL different people':44} {summary(different)}")
    print(
        f"\nmargin: lowest same {min(same):.3f} - highest different {max(different):.3f}"
        f" = {min(same) - max(different):+.3f}"
    )
    print("threshold: false reject (same below) / false accept (different at or above)")
    for threshold in (0.30, 0.363, 0.40, 0.45, 0.50, 0.60, 0.70):
        rejected = np.mean(np.asarray(same) < threshold)
        accepted = np.mean(np.asarray(different) >= threshold)
        print(f"  {threshold:.3f}: {rejected:.4f} / {accepted:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
