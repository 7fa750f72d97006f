"""Frames from image and video files and from JPEG bytes, upright and in BGR.

Phone recordings store pixels sideways and a display matrix saying how to turn them; every
player honours it, so analysis must too (a face lying on its side is not found at all).
Still images are decoded by OpenCV, which applies their EXIF orientation itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
from numpy.typing import NDArray

BGRImage = NDArray[np.uint8]

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"})


class MediaError(ValueError):
    """A file or a frame that cannot be decoded."""


def is_image(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES


def decode_image(data: bytes) -> BGRImage:
    """Decode JPEG (or PNG) bytes to a BGR array; raise MediaError when they are not an image."""
    frame = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if frame is None:
        raise MediaError("the bytes are not a decodable image")
    return np.asarray(frame, dtype=np.uint8)


def read_image(path: Path) -> BGRImage:
    return decode_image(Path(path).read_bytes())


def _upright(frame: BGRImage, rotation_ccw: float) -> BGRImage:
    """Turn a decoded frame the way its display matrix says (degrees counter-clockwise)."""
    quarter_turns = round(rotation_ccw / 90) % 4
    if quarter_turns == 1:
        return np.asarray(cv2.rotate(frame, cv2.ROTATE_90_COUNTERCLOCKWISE), dtype=np.uint8)
    if quarter_turns == 2:
        return np.asarray(cv2.rotate(frame, cv2.ROTATE_180), dtype=np.uint8)
    if quarter_turns == 3:
        return np.asarray(cv2.rotate(frame, cv2.ROTATE_90_CLOCKWISE), dtype=np.uint8)
    return frame


def _open(path: Path) -> Any:
    try:
        return av.open(str(path))
    except (av.error.FFmpegError, OSError) as error:
        raise MediaError(f"cannot open {path}: {error}") from error


def probe_duration(path: Path | str) -> float:
    """Seconds of video (or audio) in the file; 0.0 for a still image."""
    path = Path(path)
    if is_image(path):
        return 0.0
    with _open(path) as container:
        if container.duration is not None:
            return float(container.duration) / av.time_base
        stream = (container.streams.video or container.streams.audio)[0]
        if stream.duration is None or stream.time_base is None:
            return 0.0
        return float(stream.duration * stream.time_base)


def iter_frames(path: Path | str, sample_fps: float = 2.0) -> Iterator[tuple[float, BGRImage]]:
    """Yield (seconds from the start, upright BGR frame), about `sample_fps` frames a second.

    A still image yields one frame at 0.0. A frame is taken whenever its timestamp reaches the
    next sampling instant, so a clip at any frame rate gives evenly spaced samples.
    """
    path = Path(path)
    if is_image(path):
        yield 0.0, read_image(path)
        return
    if sample_fps <= 0:
        raise ValueError("sample_fps must be positive")
    interval = 1.0 / sample_fps
    next_sample = 0.0
    with _open(path) as container:
        if not container.streams.video:
            return
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        start = None
        for frame in container.decode(stream):
            if frame.time is None:
                continue
            start = frame.time if start is None else start
            t_s = float(frame.time - start)
            if t_s + 1e-6 < next_sample:
                continue
            next_sample += interval * max(1, int((t_s - next_sample) / interval) + 1)
            bgr = np.asarray(frame.to_ndarray(format="bgr24"), dtype=np.uint8)
            yield t_s, _upright(bgr, float(getattr(frame, "rotation", 0) or 0))
