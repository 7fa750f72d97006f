from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from interview_monitor.media.video import MediaError, decode_image, iter_frames, probe_duration


def test_a_phone_video_stored_sideways_comes_out_upright(test_data: Path) -> None:
    frames = list(iter_frames(test_data / "video/center_focus.mp4", sample_fps=1.0))
    heights_widths = {frame.shape[:2] for _, frame in frames}
    assert heights_widths == {(848, 480)}  # stored 848x480 with a -90 degree display matrix


def test_frames_are_sampled_at_the_requested_rate(
    test_data: Path, ground_truth: dict[str, Any]
) -> None:
    times = [
        t_s for t_s, _ in iter_frames(test_data / "video/center_left_center.mp4", sample_fps=2.0)
    ]
    assert times[0] == 0.0
    assert np.diff(times) == pytest.approx(np.full(len(times) - 1, 0.5), abs=0.05)
    assert len(times) == pytest.approx(15.3 * 2, abs=1.5)


@pytest.mark.parametrize(
    ("name", "seconds"),
    [
        ("video/center_focus.mp4", 10.5),
        ("video/center_left_center.mp4", 15.3),
        ("video/head-pose-face-detection-female.mp4", 1.9),
        ("video/head-pose-face-detection-male.mp4", 5.2),
    ],
)
def test_probe_duration_matches_the_recordings(test_data: Path, name: str, seconds: float) -> None:
    assert probe_duration(test_data / name) == pytest.approx(seconds, abs=0.1)


def test_an_image_is_one_frame_at_zero(test_data: Path) -> None:
    frames = list(iter_frames(test_data / "images/objects/bus.jpg", sample_fps=5.0))
    assert len(frames) == 1
    t_s, frame = frames[0]
    assert t_s == 0.0
    assert frame.shape == (1080, 810, 3)
    assert probe_duration(test_data / "images/objects/bus.jpg") == 0.0


def test_jpeg_bytes_decode_to_bgr() -> None:
    image = np.zeros((48, 64, 3), dtype=np.uint8)
    image[:, :, 2] = 255  # red in BGR
    encoded = cv2.imencode(".jpg", image)[1].tobytes()
    decoded = decode_image(encoded)
    assert decoded.shape == (48, 64, 3)
    assert decoded[..., 2].mean() > 240 and decoded[..., 0].mean() < 15


def test_garbage_is_a_media_error(tmp_path: Path) -> None:
    with pytest.raises(MediaError):
        decode_image(b"not an image")
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00" * 1000)
    with pytest.raises(MediaError):
        list(iter_frames(broken))


@pytest.mark.parametrize(
    ("suffix", "codec", "pixels"),
    [("gif", "gif", "rgb8"), ("webm", "libvpx", "yuv420p"), ("avi", "mjpeg", "yuvj420p")],
)
def test_other_containers_decode_and_sample(
    tmp_path: Path, suffix: str, codec: str, pixels: str
) -> None:
    import av

    path = tmp_path / f"clip.{suffix}"
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=5)
        stream.width, stream.height, stream.pix_fmt = 64, 48, pixels
        for index in range(10):  # 2 s at 5 frames/s, growing brighter
            image = np.full((48, 64, 3), index * 25, dtype=np.uint8)
            container.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")))
        container.mux(stream.encode())
    frames = list(iter_frames(path, sample_fps=2.0))
    assert [round(t_s, 1) for t_s, _ in frames] == [0.0, 0.6, 1.0, 1.6]
    brightness = [float(frame.mean()) for _, frame in frames]
    assert brightness == sorted(brightness) and brightness[-1] - brightness[0] > 150
    assert probe_duration(path) == pytest.approx(2.0, abs=0.05)
