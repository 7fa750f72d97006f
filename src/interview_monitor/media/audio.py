"""Decode an audio file, or a video's audio track, to 16 kHz mono 16-bit PCM with PyAV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import numpy as np

SAMPLE_RATE = 16_000
BYTES_PER_SAMPLE = 2


class NoAudioTrackError(ValueError):
    """The file holds no audio stream (e.g. a silent video or a still image)."""


class AudioDecodeError(ValueError):
    """The file could not be opened or decoded as media."""


def pcm_duration_s(pcm: bytes) -> float:
    return len(pcm) / (BYTES_PER_SAMPLE * SAMPLE_RATE)


def pcm_to_float(pcm: bytes) -> np.ndarray[Any, np.dtype[np.float32]]:
    """s16le bytes -> float32 samples in [-1, 1); a trailing odd byte is ignored."""
    usable = len(pcm) - len(pcm) % BYTES_PER_SAMPLE
    samples = np.frombuffer(pcm[:usable], dtype="<i2")
    return (samples.astype(np.float32) / 32768.0).astype(np.float32)


def float_to_pcm(samples: np.ndarray[Any, np.dtype[np.floating[Any]]]) -> bytes:
    clipped = np.clip(np.asarray(samples, np.float64) * 32768.0, -32768, 32767)
    return clipped.astype("<i2").tobytes()


def decode_audio(path: str | Path) -> tuple[bytes, float]:
    """(PCM s16le 16 kHz mono bytes, duration in seconds) of the first audio stream in `path`."""
    try:
        container = av.open(str(path))
    except (av.FFmpegError, OSError) as error:
        raise AudioDecodeError(f"cannot open {path} as media: {error}") from error
    with container:
        if not container.streams.audio:
            raise NoAudioTrackError(f"{path} has no audio track")
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        chunks: list[bytes] = []
        try:
            for frame in container.decode(stream):
                chunks.extend(
                    bytes(out.planes[0])[: out.samples * 2] for out in resampler.resample(frame)
                )
            chunks.extend(
                bytes(out.planes[0])[: out.samples * 2] for out in resampler.resample(None)
            )
        except av.FFmpegError as error:
            raise AudioDecodeError(f"cannot decode the audio of {path}: {error}") from error
    pcm = b"".join(chunks)
    return pcm, pcm_duration_s(pcm)
