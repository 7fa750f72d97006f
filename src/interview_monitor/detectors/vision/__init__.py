"""Vision detectors: faces, head pose, gaze, phones and extra people, turned into episodes.

    session = VisionSession(VisionConfig())          # one per interview session
    events = session.feed_jpeg(jpeg_bytes, t_s)      # episodes closed by this frame
    events = session.close(t_s)                      # flush at the end of the stream

`analyze_frames` does the same for a file's frames (see media.video.iter_frames).
"""

from __future__ import annotations

import os

# Several worker processes share few cores: one BLAS/OpenMP thread each. These only take
# effect if numpy has not been imported yet; a worker should also set them in its environment.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import itertools  # noqa: E402
from collections.abc import Iterable  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

import numpy as np  # noqa: E402
from numpy.typing import NDArray  # noqa: E402

from interview_monitor.detectors.vision.config import VisionConfig  # noqa: E402
from interview_monitor.detectors.vision.models import (  # noqa: E402
    VisionModels,
    load_vision_models,
    object_detector_status,
)
from interview_monitor.detectors.vision.session import VisionSession  # noqa: E402
from interview_monitor.signals import DetectedEvent  # noqa: E402

__all__ = [
    "VisionAnalysis",
    "VisionConfig",
    "VisionModels",
    "VisionSession",
    "analyze_frames",
    "analyze_video",
    "load_vision_models",
    "object_detector_status",
]


@dataclass
class VisionAnalysis:
    events: list[DetectedEvent] = field(default_factory=list)
    # (t_s, mouth opening or None) per frame, for detectors.lips with the sound's speech
    mouth_openings: list[tuple[float, float | None]] = field(default_factory=list)


def analyze_video(
    frames: Iterable[tuple[float, NDArray[np.uint8]]],
    config: VisionConfig | None = None,
    end_s: float | None = None,
) -> VisionAnalysis:
    """All episodes in a sequence of (t_s, BGR frame), and the mouth opening of every frame;
    a single frame is judged as a photo.

    Episodes still open after the last frame end at `end_s` (e.g. the file's duration) when
    given, else at the last frame.
    """
    config = config or VisionConfig()
    stream = iter(frames)
    head = list(itertools.islice(stream, 2))
    if len(head) == 1:
        config = config.for_still_image()
    session = VisionSession(config)
    result = VisionAnalysis()
    last_t_s = 0.0
    for t_s, frame in itertools.chain(head, stream):
        result.events += session.feed_frame(frame, t_s)
        result.mouth_openings.append((t_s, session.mouth_opening))
        last_t_s = t_s
    result.events += session.close(max(last_t_s, end_s or 0.0))
    result.events.sort(key=lambda event: (event.start_s, event.table))
    return result


def analyze_frames(
    frames: Iterable[tuple[float, NDArray[np.uint8]]],
    config: VisionConfig | None = None,
    end_s: float | None = None,
) -> list[DetectedEvent]:
    """`analyze_video`'s episodes only."""
    return analyze_video(frames, config, end_s).events
