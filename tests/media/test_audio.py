from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from interview_monitor.media.audio import (
    SAMPLE_RATE,
    AudioDecodeError,
    NoAudioTrackError,
    decode_audio,
    float_to_pcm,
    pcm_duration_s,
    pcm_to_float,
)

TONE_HZ = 440.0
SECONDS = 2.0


def _write_tone(path: Path, codec: str, rate: int, video: bool = False) -> None:
    """A 440 Hz stereo tone (and optionally a few grey video frames) encoded with PyAV."""
    samples = int(SECONDS * rate)
    t = np.arange(samples) / rate
    tone = (0.4 * np.sin(2 * np.pi * TONE_HZ * t)).astype(np.float32)
    with av.open(str(path), "w") as container:
        if video:
            picture = container.add_stream("mpeg4", rate=10)
            picture.width, picture.height, picture.pix_fmt = 64, 48, "yuv420p"
        sound = container.add_stream(codec, rate=rate, layout="stereo")
        for start in range(0, samples, 4096):
            block = tone[start : start + 4096]
            frame = av.AudioFrame.from_ndarray(
                np.stack([block, block]), format="fltp", layout="stereo"
            )
            frame.sample_rate = rate
            frame.pts = start
            container.mux(sound.encode(frame))
        container.mux(sound.encode(None))
        if video:
            for index in range(int(SECONDS * 10)):
                image = av.VideoFrame.from_ndarray(
                    np.full((48, 64, 3), 128, np.uint8), format="rgb24"
                )
                image.pts = index
                container.mux(picture.encode(image))
            container.mux(picture.encode(None))


def _dominant_hz(pcm: bytes) -> float:
    samples = pcm_to_float(pcm)
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / SAMPLE_RATE)[spectrum.argmax()])


@pytest.mark.parametrize(
    ("name", "codec", "rate"),
    [
        ("tone.wav", "pcm_s16le", 44100),
        ("tone.flac", "flac", 48000),
        ("tone.mp3", "libmp3lame", 44100),
        ("tone.ogg", "libopus", 48000),
        ("tone.webm", "libopus", 48000),
        ("tone.m4a", "aac", 22050),
    ],
)
def test_decodes_audio_files_to_16k_mono(tmp_path: Path, name: str, codec: str, rate: int) -> None:
    path = tmp_path / name
    _write_tone(path, codec, rate)
    pcm, duration = decode_audio(path)
    assert duration == pytest.approx(SECONDS, abs=0.1)
    assert duration == pcm_duration_s(pcm)
    assert _dominant_hz(pcm) == pytest.approx(TONE_HZ, abs=3)
    # Stereo was mixed down, not summed into clipping: the tone keeps its level.
    assert 0.3 < np.abs(pcm_to_float(pcm)).max() < 0.5


def test_decodes_the_sound_of_a_video(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    _write_tone(path, "aac", 48000, video=True)
    pcm, duration = decode_audio(path)
    assert duration == pytest.approx(SECONDS, abs=0.1)
    assert _dominant_hz(pcm) == pytest.approx(TONE_HZ, abs=3)


def test_a_video_without_sound_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "silent.mp4"
    with av.open(str(path), "w") as container:
        picture = container.add_stream("mpeg4", rate=10)
        picture.width, picture.height, picture.pix_fmt = 64, 48, "yuv420p"
        for index in range(5):
            image = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")
            image.pts = index
            container.mux(picture.encode(image))
        container.mux(picture.encode(None))
    with pytest.raises(NoAudioTrackError, match="no audio track"):
        decode_audio(path)


def test_a_file_that_is_not_media_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.wav"
    path.write_text("not audio at all")
    with pytest.raises(AudioDecodeError, match="cannot open"):
        decode_audio(path)
    with pytest.raises(AudioDecodeError):
        decode_audio(tmp_path / "missing.flac")


def test_real_recordings_decode_to_their_known_length(test_data: Path) -> None:
    for name, seconds in [
        ("librispeech_116-288045-0000.flac", 10.65),
        ("pyannote_sample.wav", 30.0),
    ]:
        pcm, duration = decode_audio(test_data / "audio" / name)
        assert duration == pytest.approx(seconds, abs=0.01)
        assert len(pcm) == round(seconds * SAMPLE_RATE) * 2


def test_pcm_conversions_round_trip() -> None:
    samples = np.array([0.0, 0.5, -0.5, -1.0, 0.99], np.float32)
    np.testing.assert_allclose(pcm_to_float(float_to_pcm(samples)), samples, atol=1 / 32768)
    assert pcm_to_float(float_to_pcm(samples) + b"\x01").shape == (5,)
    assert float_to_pcm(np.array([2.0, -2.0])) == np.array([32767, -32768], "<i2").tobytes()


def test_a_real_video_without_sound_is_refused(test_data: Path) -> None:
    with pytest.raises(NoAudioTrackError):
        decode_audio(test_data / "video" / "head-pose-face-detection-male.mp4")
