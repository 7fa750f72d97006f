from __future__ import annotations

import itertools

import numpy as np
import pytest
from faster_whisper.vad import get_vad_model

from interview_monitor.detectors.audio import AudioConfig, AudioModels
from interview_monitor.detectors.audio.vad import (
    SAMPLE_RATE,
    WINDOW,
    SileroStream,
    SpeechSegmenter,
    SpeechSpan,
)
from interview_monitor.media.audio import pcm_to_float


def _segments(models: AudioModels, pcm: bytes, chunk_samples: int) -> list[SpeechSpan]:
    stream, segmenter = SileroStream(models.vad), SpeechSegmenter(AudioConfig())
    samples = pcm_to_float(pcm)
    spans: list[SpeechSpan] = []
    for start in range(0, len(samples), chunk_samples):
        spans += segmenter.push(stream.push(samples[start : start + chunk_samples]))
    return spans + segmenter.flush()


def test_streaming_matches_faster_whispers_whole_recording_run(
    audio_models: AudioModels, librispeech_pcm: bytes
) -> None:
    samples = pcm_to_float(librispeech_pcm)
    usable = len(samples) - len(samples) % WINDOW
    whole = get_vad_model()(samples[:usable].copy()).reshape(-1)
    stream = SileroStream(audio_models.vad)
    chunks = [stream.push(samples[i : i + 1234]) for i in range(0, usable, 1234)]
    streamed = np.concatenate(chunks)[: len(whole)]
    # faster-whisper zeroes the last 64 samples of its last window in place; all else agrees.
    np.testing.assert_allclose(streamed[:-1], whole[:-1], atol=1e-4)


def test_finds_the_speech_in_a_read_sentence(
    audio_models: AudioModels, librispeech_pcm: bytes
) -> None:
    spans = _segments(audio_models, librispeech_pcm, 1600)
    speech_s = sum(span.duration_s for span in spans)
    print([(round(span.start_s, 2), round(span.end_s, 2)) for span in spans])
    assert 8.0 < speech_s < 10.65
    assert spans[0].start_s < 0.8 and spans[-1].end_s > 10.0


def test_conversation_turns_are_inside_speech(
    audio_models: AudioModels, conversation_pcm: bytes, conversation_turns: list[dict[str, float]]
) -> None:
    spans = _segments(audio_models, conversation_pcm, 1600)
    reference_s = sum(turn["duration"] for turn in conversation_turns)
    covered_s = sum(
        max(
            0.0,
            min(span.end_s, turn["start"] + turn["duration"]) - max(span.start_s, turn["start"]),
        )
        for span in spans
        for turn in conversation_turns
    )
    print(f"reference speech covered by detected speech: {covered_s / reference_s:.2%}")
    assert covered_s / reference_s > 0.85
    assert spans[0].start_s > 5.0  # the first 6.7 s hold no speech


@pytest.mark.parametrize("noise", ["silence_pcm", "white_noise_pcm", "hum_pcm"])
def test_noise_and_hum_are_not_speech(
    audio_models: AudioModels, noise: str, request: pytest.FixtureRequest
) -> None:
    assert _segments(audio_models, request.getfixturevalue(noise), 1600) == []


def test_long_speech_is_cut_at_the_cap(audio_models: AudioModels, conversation_pcm: bytes) -> None:
    config = AudioConfig(max_segment_s=4.0, min_silence_s=5.0)
    stream, segmenter = SileroStream(audio_models.vad), SpeechSegmenter(config)
    spans = segmenter.push(stream.push(pcm_to_float(conversation_pcm))) + segmenter.flush()
    assert len(spans) >= 5
    assert all(span.duration_s <= 4.0 + 1e-9 for span in spans)
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))
    assert sum(span.end - span.start for span in spans) > SAMPLE_RATE * 20
