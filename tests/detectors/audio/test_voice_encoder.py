from __future__ import annotations

import numpy as np

from interview_monitor.detectors.audio import AudioModels
from interview_monitor.detectors.audio.models import RESEMBLYZER_FILE, RESEMBLYZER_PACKAGE
from interview_monitor.detectors.audio.torch_archive import load_legacy_checkpoint
from interview_monitor.detectors.audio.voice_encoder import (
    HOP,
    SAMPLE_RATE,
    WINDOW_SAMPLES,
    VoiceEncoder,
    mel_filterbank,
    mel_spectrogram,
)
from interview_monitor.media.audio import pcm_to_float
from interview_monitor.model_files.files import package_dir


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


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1 / (1 + np.exp(-x)))


def _torch_lstm_embedding(weights: dict[str, np.ndarray], mels: np.ndarray) -> np.ndarray:
    """torch.nn.LSTM's equations step by step (gates stacked input, forget, cell, output),
    then resemblyzer's projection, ReLU and L2 norm."""
    states = mels.astype(np.float64)
    for layer in range(3):
        w_ih, w_hh = weights[f"lstm.weight_ih_l{layer}"], weights[f"lstm.weight_hh_l{layer}"]
        bias = weights[f"lstm.bias_ih_l{layer}"] + weights[f"lstm.bias_hh_l{layer}"]
        size = w_hh.shape[1]
        hidden = np.zeros((len(states), size))
        cell = np.zeros((len(states), size))
        outputs = []
        for step in range(states.shape[1]):
            gates = states[:, step] @ w_ih.T + hidden @ w_hh.T + bias
            i, f, g, o = np.split(gates, 4, axis=1)
            cell = _sigmoid(f) * cell + _sigmoid(i) * np.tanh(g)
            hidden = _sigmoid(o) * np.tanh(cell)
            outputs.append(hidden)
        states = np.stack(outputs, axis=1)
    raw = np.maximum(states[:, -1] @ weights["linear.weight"].T + weights["linear.bias"], 0)
    return raw / np.linalg.norm(raw, axis=1, keepdims=True)


def test_onnx_lstm_matches_torch_lstm_equations(librispeech_pcm: bytes) -> None:
    relative, _sha256 = RESEMBLYZER_FILE
    weights = load_legacy_checkpoint(package_dir(RESEMBLYZER_PACKAGE) / relative, "model_state")
    book = pcm_to_float(librispeech_pcm)
    mel = mel_spectrogram(book[: 3 * SAMPLE_RATE])
    mels = np.stack([mel[0:160], mel[100:260]])
    expected = _torch_lstm_embedding(weights, mels)
    np.testing.assert_allclose(VoiceEncoder(weights).embed_mels(mels), expected, atol=1e-5)
