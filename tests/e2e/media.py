"""Camera and microphone files for Chromium's fake capture devices, made from the shared data."""

from __future__ import annotations

import wave
from pathlib import Path

import cv2
import numpy as np

from interview_monitor.media.audio import decode_audio
from interview_monitor.media.video import iter_frames

Y4M_FPS = 10


def write_y4m(
    video: Path, target: Path, size: tuple[int, int] = (640, 480), absent_s: float = 6.0
) -> Path:
    """The clip, then `absent_s` of the empty room (no face), so every loop has a clear flag."""
    width, height = size
    empty = np.full((height, width, 3), (62, 58, 54), np.uint8)
    frames = [_letterboxed(frame, empty) for _, frame in iter_frames(video, Y4M_FPS)]
    frames += [empty] * round(absent_s * Y4M_FPS)
    with target.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{Y4M_FPS}:1 Ip A1:1 C420jpeg\n".encode())
        for frame in frames:
            out.write(b"FRAME\n")
            out.write(cv2.cvtColor(frame, cv2.COLOR_BGR2YUV_I420).tobytes())
    return target


def _letterboxed(frame: np.ndarray, background: np.ndarray) -> np.ndarray:
    """Fit the (portrait) clip into the camera's frame without squashing the face."""
    height, width = background.shape[:2]
    scale = min(width / frame.shape[1], height / frame.shape[0])
    fitted = cv2.resize(frame, (round(frame.shape[1] * scale), round(frame.shape[0] * scale)))
    canvas = background.copy()
    top, left = (height - fitted.shape[0]) // 2, (width - fitted.shape[1]) // 2
    canvas[top : top + fitted.shape[0], left : left + fitted.shape[1]] = fitted
    return canvas


def write_wav(audio: Path, target: Path, silence_s: float = 2.0) -> Path:
    pcm, _ = decode_audio(audio)
    pcm += bytes(int(silence_s * 16000) * 2)
    with wave.open(str(target), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(pcm)
    return target
