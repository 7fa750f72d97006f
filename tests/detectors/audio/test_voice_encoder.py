from __future__ import annotations

import numpy as np

from interview_monitor.detectors.audio import AudioModels
from interview_monitor.detectors.audio.voice_encoder import (
    HOP,
    SAMPLE_RATE,
    WINDOW_SAMPLES,
    mel_filterbank,
    mel_spectrogram,
)
from interview_monitor.media.audio import pcm_to_float


def test_mel_filterbank_is_40_area_normalised_triangles_up_to_nyquist() -> None:
    bank = mel_filterbank()
    assert bank.shape == (40, 201)
    assert (bank >= 0).all()
    peaks = bank.argmax(axis=1)
    assert (np.diff(peaks) > 0).all()
    assert bank[-1, 199] > 0 and bank[0, 0] == 0  # from 0 Hz to Nyquist (8 kHz)
    bin_hz = SAMPLE_RATE / 400
    wide = peaks * bin_hz > 1500  # wide enough for the bin grid to sample the triangle well
    np.testing.assert_allclose(bank[wide].sum(axis=1) * bin_hz, 1.0, rtol=0.1)


def test_mel_spectrogram_frames_and_frequency() -> None:
    t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    tone = (0.3 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
    mel = mel_spectrogram(tone)
    assert mel.shape == (1 + SAMPLE_RATE // HOP, 40)
    centre_hz = mel_filterbank().argmax(axis=1) * SAMPLE_RATE / 400
    loudest_band = int(mel[10:-10].mean(axis=0).argmax())
    assert abs(centre_hz[loudest_band] - 1000) < 120


def _voice(models: AudioModels, samples: np.ndarray, start_s: float, end_s: float) -> np.ndarray:
    clip = samples[int(start_s * SAMPLE_RATE) : int(end_s * SAMPLE_RATE)]
    starts = list(range(0, len(clip) - WINDOW_SAMPLES + 1, SAMPLE_RATE // 2))
    mean = models.voice_encoder.embed_windows(clip, starts).mean(axis=0)
    return mean / np.linalg.norm(mean)


def test_same_voice_is_closer_than_another_voice(
    audio_models: AudioModels, librispeech_pcm: bytes, conversation_pcm: bytes
) -> None:
    book = pcm_to_float(librispeech_pcm)
    talk = pcm_to_float(conversation_pcm)
    reader_a, reader_b = _voice(audio_models, book, 0.5, 5.0), _voice(audio_models, book, 5.0, 10.5)
    # Long single-speaker turns of the two people in the conversation (reference RTTM).
    first_a, first_b = (
        _voice(audio_models, talk, 10.6, 14.4),
        _voice(audio_models, talk, 18.6, 21.4),
    )
    second_a, second_b = (
        _voice(audio_models, talk, 14.7, 17.9),
        _voice(audio_models, talk, 21.8, 27.8),
    )
    same = [reader_a @ reader_b, first_a @ first_b, second_a @ second_b]
    different = [first_a @ second_a, first_a @ second_b, first_b @ second_a, first_b @ second_b]
    other_recording = [reader_a @ first_a, reader_b @ second_b]
    print(f"same voice {np.round(same, 3)}, other voice {np.round(different, 3)}")
    assert min(same) > 0.85
    assert max(different) < min(same)
    assert max(other_recording) < 0.6
    unit = np.linalg.norm(audio_models.voice_encoder.embed_windows(book, [0, 8000]), axis=1)
    np.testing.assert_allclose(unit, 1.0, rtol=1e-5)
