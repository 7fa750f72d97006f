"""Vision pipeline speed on one core at 640x480, JPEG decoding included.

    .venv/bin/python bench/vision.py [--frames 240] [--naive-frames 60]

Frames are the shared test recordings, centre-cropped to 4:3, scaled to 640x480 and encoded
as JPEG at quality 80 (what a browser sends). Two pipelines run in the same process, one after
the other: the cost-aware one (object detector every Nth frame, or when the face stage sees
something new) and a naive one that runs every model on every frame.
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

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

import cv2  # noqa: E402

from interview_monitor.detectors.vision import (  # noqa: E402
    VisionConfig,
    VisionSession,
    load_vision_models,
)
from interview_monitor.media.video import iter_frames  # noqa: E402

DATA = Path(
    os.environ.get(
        "INTERVIEW_MONITOR_TEST_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"
    )
)
CLIPS = (
    "center_focus.mp4",
    "center_left_center.mp4",
    "head-pose-face-detection-male.mp4",
    "head-pose-face-detection-female.mp4",
)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def webcam_jpegs() -> list[bytes]:
    jpegs = []
    for clip in CLIPS:
        for _, frame in iter_frames(DATA / "video" / clip, sample_fps=4.0):
            height, width = frame.shape[:2]
            crop_w, crop_h = min(width, height * 4 // 3), min(height, width * 3 // 4)
            left, top = (width - crop_w) // 2, (height - crop_h) // 2
            scaled = cv2.resize(frame[top : top + crop_h, left : left + crop_w], (640, 480))
            jpegs.append(cv2.imencode(".jpg", scaled, [cv2.IMWRITE_JPEG_QUALITY, 80])[1].tobytes())
    return jpegs


def run(
    config: VisionConfig, jpegs: list[bytes], frames: int
) -> tuple[float, dict[str, float], int]:
    """Wall milliseconds per frame, per-stage milliseconds per frame, object detector runs."""
    session = VisionSession(config)
    for index, jpeg in enumerate(jpegs[:5]):  # warm-up, not timed: first calls allocate
        session.feed_jpeg(jpeg, index * 0.5)
    session = VisionSession(config)
    started = time.perf_counter()
    for index, jpeg in enumerate(islice(cycle(jpegs), frames)):
        session.feed_jpeg(jpeg, index * 0.5)
    session.close(frames * 0.5)
    wall_ms = (time.perf_counter() - started) * 1000.0 / frames
    stages = {stage: total / frames for stage, total in session.stats["ms"].items()}
    return wall_ms, stages, int(session.stats["object_detector_runs"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=240)
    parser.add_argument("--naive-frames", type=int, default=60)
    args = parser.parse_args()
    if not (DATA / "video").is_dir():
        print(
            f"test recordings not found at {DATA}; set INTERVIEW_MONITOR_TEST_DATA", file=sys.stderr
        )
        return 2
    models = load_vision_models()
    print(f"machine: {os.cpu_count()} cores, {cpu_model()}; pinned to 1 core, 1 thread per model")
    print(f"object detector: {models.object_status}")
    jpegs = webcam_jpegs()
    print(f"frames: {len(jpegs)} distinct 640x480 JPEGs from {len(CLIPS)} clips, cycled")
    cost_aware = VisionConfig()
    naive = replace(cost_aware, object_every_n_frames=1)
    results = {
        f"cost-aware (objects every {cost_aware.object_every_n_frames}th frame)": run(
            cost_aware, jpegs, args.frames
        ),
        "naive (every model on every frame)": run(naive, jpegs, args.naive_frames),
    }
    stages = list(next(iter(results.values()))[1])
    print(
        f"\n{'pipeline':48} "
        + " ".join(f"{stage:>8}" for stage in stages)
        + f" {'total':>8} {'fps':>7} {'obj runs':>9}"
    )
    for name, (wall_ms, per_stage, runs) in results.items():
        cells = " ".join(f"{per_stage[stage]:8.2f}" for stage in stages)
        print(f"{name:48} {cells} {wall_ms:8.2f} {1000.0 / wall_ms:7.1f} {runs:9d}")
    (fast_ms, _, _), (slow_ms, _, _) = results.values()
    print(
        f"\n(milliseconds per analysed frame) cost-aware is {slow_ms / fast_ms:.1f}x faster than naive"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
