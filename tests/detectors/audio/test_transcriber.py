from __future__ import annotations

import numpy as np

from interview_monitor.detectors.audio import AudioConfig, AudioModels
from interview_monitor.detectors.audio.transcriber import transcribe_segment
from interview_monitor.media.audio import pcm_to_float


def test_words_come_with_stream_times_in_order(
    audio_models: AudioModels, librispeech_pcm: bytes
) -> None:
    audio = pcm_to_float(librispeech_pcm)[: 16000 * 3]
    transcript = transcribe_segment(audio_models.whisper, audio, 100.0, AudioConfig())
    assert "approach" in transcript.text.lower()
    assert transcript.confidence is not None and 0.3 < transcript.confidence <= 1.0
    starts = [word.start_s for word in transcript.words]
    assert starts == sorted(starts)
    assert all(100.0 <= w.start_s <= w.end_s <= 103.05 for w in transcript.words)
    assert all(w.probability is not None and 0 <= w.probability <= 1 for w in transcript.words)
    assert transcript.words[0].to_json()["word"] == "As"


def test_silence_gives_no_words(audio_models: AudioModels) -> None:
    transcript = transcribe_segment(
        audio_models.whisper, np.zeros(16000 * 2, np.float32), 0.0, AudioConfig()
    )
    assert transcript.words == ()
    assert transcript.text == ""
