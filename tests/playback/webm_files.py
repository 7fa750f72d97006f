"""Real WebM segments (VP8 video and Opus audio) made from the shared camera and speech clips."""

from __future__ import annotations

import io
from pathlib import Path

import av
import cv2
import numpy as np

from interview_monitor.media.audio import decode_audio
from interview_monitor.media.video import iter_frames

FPS = 10


def webm_segment(test_data: Path, seconds: float, skip_s: float = 0.0) -> bytes:
    """`seconds` of the face clip and the reader, from `skip_s` in, as MediaRecorder would."""
    frames = [
        frame
        for t_s, frame in iter_frames(test_data / "video" / "center_left_center.mp4", FPS)
        if skip_s <= t_s < skip_s + seconds
    ]
    pcm, _ = decode_audio(test_data / "audio" / "librispeech_116-288045-0000.flac")
    samples = np.frombuffer(pcm, np.int16)[int(skip_s * 16000) : int((skip_s + seconds) * 16000)]
    out = io.BytesIO()
    with av.open(out, "w", format="webm") as container:
        video = container.add_stream("libvpx", rate=FPS)
        video.width, video.height, video.pix_fmt = 240, 320, "yuv420p"
        audio = container.add_stream("libopus", rate=48000)
        audio.layout = "mono"
        for frame in frames:
            small = cv2.cvtColor(cv2.resize(frame, (240, 320)), cv2.COLOR_BGR2RGB)
            for packet in video.encode(av.VideoFrame.from_ndarray(small, format="rgb24")):
                container.mux(packet)
        upsampled = np.repeat(samples, 3)  # 16 kHz to Opus's 48 kHz
        for start in range(0, len(upsampled) - 960, 960):
            chunk = av.AudioFrame.from_ndarray(
                upsampled[None, start : start + 960], format="s16", layout="mono"
            )
            chunk.sample_rate, chunk.pts = 48000, start
            for packet in audio.encode(chunk):
                container.mux(packet)
        for stream in (video, audio):
            for packet in stream.encode():
                container.mux(packet)
    return out.getvalue()


def duration_s(data: bytes) -> float:
    """The duration the file itself declares (what a player shows)."""
    with av.open(io.BytesIO(data)) as container:
        return float(container.duration or 0) / av.time_base
