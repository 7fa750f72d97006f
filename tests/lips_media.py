"""Media for the speech-without-lip-motion tests, built with PyAV (there is no ffmpeg binary).

* the committed GRID clips (tests/data/lips/), a person saying a sentence in their own voice,
  chained so the speech passes the check's 4 s;
* a near-silent person with their mouth shut (a shared video) with another person's voice
  (the shared LibriSpeech reading) laid over their own quiet track.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from interview_monitor.detectors.audio.config import AudioConfig
from interview_monitor.detectors.audio.vad import SileroStream, SpeechSegmenter
from interview_monitor.media.audio import SAMPLE_RATE, decode_audio, pcm_to_float
from interview_monitor.media.video import BGRImage, iter_frames

GRID_DIR = Path(__file__).parent / "data" / "lips"
GRID_CLIPS = (GRID_DIR / "lrwp9a.mpg", GRID_DIR / "sbia1a.mpg")
LIBRISPEECH = "audio/librispeech_116-288045-0000.flac"
SILENT_PERSON = "video/center_left_center.mp4"

Samples = np.ndarray[Any, np.dtype[np.float32]]


def _frame_rate(path: Path) -> Fraction:
    with av.open(str(path)) as container:
        rate = container.streams.video[0].average_rate
    return Fraction(rate) if rate else Fraction(25)


def _clip(path: Path) -> tuple[list[BGRImage], Samples, Fraction]:
    """Every frame (upright), and the sound cut or padded to the frames' length."""
    rate = _frame_rate(path)
    frames = [frame for _, frame in iter_frames(path, sample_fps=float(rate) * 2)]
    samples = pcm_to_float(decode_audio(path)[0])
    length = round(len(frames) / rate * SAMPLE_RATE)
    fitted = np.zeros(length, np.float32)
    fitted[: min(length, len(samples))] = samples[:length]
    return frames, fitted, rate


def write_video(path: Path, frames: list[BGRImage], rate: Fraction, samples: Samples) -> Path:
    """H.264 video and AAC sound (16 kHz mono) in one file."""
    height, width = frames[0].shape[:2]
    with av.open(str(path), "w") as sink:
        video = sink.add_stream("libx264", rate=rate)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"crf": "18", "preset": "veryfast"}
        sound = sink.add_stream("aac", rate=SAMPLE_RATE, layout="mono")
        for index, bgr in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(bgr), format="bgr24")
            frame.pts = index
            frame.time_base = Fraction(1) / rate
            sink.mux(video.encode(frame))
        sink.mux(video.encode(None))
        clipped = np.clip(samples, -1, 1).astype(np.float32)
        for start in range(0, len(clipped), 1024):
            chunk = np.ascontiguousarray(clipped[start : start + 1024][None, :])
            piece = av.AudioFrame.from_ndarray(chunk, format="flt", layout="mono")
            piece.sample_rate, piece.pts = SAMPLE_RATE, start
            sink.mux(sound.encode(piece))
        sink.mux(sound.encode(None))
    return path


def chained_grid(path: Path, times: int = 2) -> Path:
    """The GRID clips one after the other, `times` over: one person after another speaking."""
    clips = [_clip(clip) for clip in GRID_CLIPS] * times
    frames = [frame for clip_frames, _, _ in clips for frame in clip_frames]
    samples = np.concatenate([clip_samples for _, clip_samples, _ in clips])
    return write_video(path, frames, clips[0][2], samples)


def rms(samples: Samples) -> float:
    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) if samples.size else 0.0


def voice_over(path: Path, test_data: Path, voice_from_s: float = 2.0) -> Path:
    """The silent person's video and quiet track, with the LibriSpeech reader speaking over it
    from `voice_from_s`, plainly audible (-20 dBFS RMS)."""
    frames, own, rate = _clip(test_data / SILENT_PERSON)
    voice = pcm_to_float(decode_audio(test_data / LIBRISPEECH)[0])
    start = round(voice_from_s * SAMPLE_RATE)
    piece = voice[: max(0, len(own) - start)]
    track = own.copy()
    track[start : start + len(piece)] += piece * (0.1 / max(rms(piece), 1e-6))
    return write_video(path, frames, rate, track)


def speech_segments(vad: Any, path: Path) -> list[tuple[float, float]]:
    """The audio worker's VAD segments (Silero, the same thresholds) of a file's sound."""
    samples = pcm_to_float(decode_audio(path)[0])
    stream, segmenter = SileroStream(vad), SpeechSegmenter(AudioConfig())
    spans = segmenter.push(stream.push(samples)) + segmenter.flush()
    return [(span.start_s, span.end_s) for span in spans]
