"""Vision pipeline CPU cost per 640x480 frame, per stage, with the phone look on every frame.

    .venv/bin/python bench/vision.py [--frames 240] [--repeats 3]

Two frame sets, each 640x480 JPEG at quality 80 (what a browser sends), JPEG decoding
included: the four shared clips (a candidate at a desk; MediaPipe sees a hand on 6 of 705
frames) and the 13 webcam photos letterboxed to 640x480 (most show a hand; 5 a phone).
Pipelines, run in the same process one after the other, each the best of --repeats runs by
CPU time: the baseline (the schedule before issue 12: no hand crops, the whole-frame detector
every 15th frame, on triggers, and on every frame while any object episode is open), and the
default (hands and hand crops on every frame, the whole-frame pass for people, books and
laptops on the same schedule). Live capacity: candidates at 1 frame/s that one core holds.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from dataclasses import replace
from itertools import cycle, islice
from pathlib import Path
from typing import Any

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from numpy.typing import NDArray  # noqa: E402

from interview_monitor.detectors.vision import (  # noqa: E402
    VisionConfig,
    VisionModels,
    VisionSession,
    load_vision_models,
)
from interview_monitor.detectors.vision.faces import detect_faces, fit_mesh, to_rgb  # noqa: E402
from interview_monitor.detectors.vision.identity import IdentityCheck, load_face_embedder  # noqa: E402
from interview_monitor.detectors.vision.tamper import CameraTamperChecks  # noqa: E402
from interview_monitor.media.video import decode_image, iter_frames, read_image  # noqa: E402
from shared_data import DATA  # noqa: E402

CLIPS = (
    "center_focus.mp4",
    "center_left_center.mp4",
    "head-pose-face-detection-male.mp4",
    "head-pose-face-detection-female.mp4",
)
STAGES = ("decode", "faces", "mesh", "hands", "phone_crops", "objects", "episodes")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def jpeg(frame: NDArray[np.uint8]) -> bytes:
    return bytes(cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 80])[1].tobytes())


def clip_jpegs() -> list[bytes]:
    """Clip frames centre-cropped to 4:3 and scaled to 640x480."""
    jpegs = []
    for clip in CLIPS:
        for _, frame in iter_frames(DATA / "video" / clip, sample_fps=4.0):
            height, width = frame.shape[:2]
            crop_w, crop_h = min(width, height * 4 // 3), min(height, width * 3 // 4)
            left, top = (width - crop_w) // 2, (height - crop_h) // 2
            jpegs.append(
                jpeg(cv2.resize(frame[top : top + crop_h, left : left + crop_w], (640, 480)))
            )
    return jpegs


def photo_jpegs() -> list[bytes]:
    """The webcam photos fitted into 640x480 (letterboxed: no part of a hand is cut off)."""
    jpegs = []
    for path in sorted((DATA / "images/webcam").glob("*.jpg")):
        photo = read_image(path)
        scale = min(640 / photo.shape[1], 480 / photo.shape[0])
        fitted = cv2.resize(photo, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        canvas = np.zeros((480, 640, 3), np.uint8)
        canvas[: fitted.shape[0], : fitted.shape[1]] = fitted
        jpegs.append(jpeg(canvas))
    return jpegs


Result = tuple[float, dict[str, float], int, int]  # CPU ms/frame, CPU ms per stage, runs, crops


def run(config: VisionConfig, models: VisionModels, jpegs: list[bytes], frames: int) -> Result:
    """One session over `frames` JPEGs at 2 frames/s: CPU ms per frame (all threads) and stages.

    CPU time is the capacity figure when other work shares the machine: wall time then also
    counts the time this process waited for the core.
    """
    warm = VisionSession(config, models)
    for index, data in enumerate(jpegs[:5]):  # warm-up, not timed: first calls allocate
        warm.feed_jpeg(data, index * 0.5)
    warm.close(2.5)
    session = VisionSession(config, models)
    cpu_started = time.process_time()
    for index, data in enumerate(islice(cycle(jpegs), frames)):
        session.feed_jpeg(data, index * 0.5)
    session.close(frames * 0.5)
    cpu_ms = (time.process_time() - cpu_started) * 1000.0 / frames
    stages = {stage: total / frames for stage, total in session.stats["cpu_ms"].items()}
    return cpu_ms, stages, session.stats["object_detector_runs"], session.stats["hand_crop_runs"]


def fitted_faces(models: Any, bgr_frames: list[Any]) -> list[tuple[Any, Any, Any, Any]]:
    """(rgb, bgr, faces, the main face's mesh fit or None) per frame, computed before timing."""
    min_score = VisionConfig().face_min_score
    fitted = []
    for bgr in bgr_frames:
        rgb = to_rgb(bgr)
        faces = detect_faces(models, rgb, min_score)
        fit = fit_mesh(models, rgb, faces[0]) if faces else None
        fitted.append((rgb, bgr, faces, fit))
    return fitted


def identity_and_tamper_costs(jpegs: list[bytes], frames: int) -> None:
    """CPU ms of the identity and tamper stages alone, on frames prepared beforehand.

    An embedding is dearer than the rest of a frame, so the identity stage embeds one face
    every few seconds while the faces match and one a second otherwise. Its cost per frame is
    measured on one person's clip (the steady state) and on the cycled clips above, whose
    person changes every few seconds (the worst case: it keeps re-checking).
    """
    config = VisionConfig()
    models = load_vision_models()
    embedder = load_face_embedder()
    cycled = fitted_faces(models, [decode_image(jpeg) for jpeg in jpegs])
    male = DATA / "video" / "head-pose-face-detection-male.mp4"
    one_person = fitted_faces(models, [frame for _, frame in iter_frames(male, 100.0)])
    faces = [(rgb, fit) for rgb, _, _, fit in cycled if fit is not None]
    embedder.embed(faces[0][0], faces[0][1].points)  # warm-up: the first call allocates
    started = time.process_time()
    for rgb, fit in islice(cycle(faces), frames):
        embedder.embed(rgb, fit.points)
    embed_ms = (time.process_time() - started) * 1000.0 / frames
    print(f"\nidentity: SFace {embed_ms:.2f} CPU ms per face ({len(faces)} faces, cycled)")
    for name, stream in (("one person (male clip)", one_person), ("the cycled clips", cycled)):
        check = IdentityCheck(config.identity, embedder)
        started = time.process_time()
        for index, (rgb, bgr, faces, fit) in enumerate(islice(cycle(stream), frames)):
            check.observe(rgb, bgr, faces, fit, index * 0.5)
        stage_ms = (time.process_time() - started) * 1000.0 / frames
        print(
            f"  {name} at 2 frames/s: {check.embeddings} embeddings in {frames} frames, "
            f"{stage_ms:.2f} CPU ms per frame"
        )
    checks = CameraTamperChecks(config.tamper)
    started = time.process_time()
    for index, ((_, bgr, _, _), jpeg) in enumerate(
        islice(cycle(zip(cycled, jpegs, strict=True)), frames)
    ):
        checks.observe(bgr, index * 0.5, jpeg)
    tamper_ms = (time.process_time() - started) * 1000.0 / frames
    print(f"tamper: blocked + frozen/loop + label {tamper_ms:.2f} CPU ms per frame")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=240)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if not (DATA / "video").is_dir():
        print(f"test data not found at {DATA}; set INTERVIEW_MONITOR_TEST_DATA", file=sys.stderr)
        return 2
    models = load_vision_models()
    if models.hand_crop_session is None or models.object_session is None:
        print(f"{models.object_status}; {models.hand_crop_status}", file=sys.stderr)
        return 2
    print(f"machine: {os.cpu_count()} cores, {cpu_model()}; pinned to 1 core, 1 thread per model")
    if hasattr(os, "getloadavg"):
        print(
            f"load average before the run: {os.getloadavg()[0]:.2f} (other work shares the cores)"
        )
    # The baseline is the same session without the crop detector: the schedule before issue 12.
    pipelines = {
        "baseline (no hand crops, objects every 15th)": replace(models, hand_crop_session=None),
        "default (phone look every frame)": models,
    }
    frame_sets = {"clips": clip_jpegs(), "webcam photos": photo_jpegs()}
    config = VisionConfig()
    header = " ".join(f"{stage:>11}" for stage in STAGES)
    print(
        f"\nCPU ms per frame{'':40} {header} {'total':>7} {'obj':>4} {'crops':>5} "
        f"{'ms/crop':>7} {'cand/core':>9}"
    )
    for set_name, jpegs in frame_sets.items():
        for name, pipeline_models in pipelines.items():
            results = [
                run(config, pipeline_models, jpegs, args.frames) for _ in range(args.repeats)
            ]
            cpu_ms, stages, runs, crops = min(results, key=lambda result: result[0])
            cells = " ".join(f"{stages[stage]:11.2f}" for stage in STAGES)
            label = f"{set_name}: {name}"
            per_crop = stages["phone_crops"] * args.frames / crops if crops else 0.0
            print(
                f"{label:56} {cells} {cpu_ms:7.2f} {runs:4d} {crops:5d} {per_crop:7.1f} "
                f"{1000 / cpu_ms:9.1f}"
            )
    print(
        f"\n{args.frames} frames per run ({args.repeats} repeats, the least CPU kept); obj = "
        "whole-frame detector runs, crops = hand crops run (ms/crop: phone_crops CPU per crop); cand/core = candidates at 1 frame/s "
        "one core holds by CPU time"
    )
    identity_and_tamper_costs(jpegs, args.frames)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
