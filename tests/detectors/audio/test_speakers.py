from __future__ import annotations

import numpy as np

from interview_monitor.detectors.audio import AudioConfig, AudioModels
from interview_monitor.detectors.audio.speakers import SpeakerTracker
from interview_monitor.detectors.audio.vad import SpeechSpan
from interview_monitor.media.audio import pcm_to_float

RATE = 16000


def _add(tracker: SpeakerTracker, stream: np.ndarray, start_s: float, end_s: float) -> SpeechSpan:
    span = SpeechSpan(int(start_s * RATE), int(end_s * RATE))
    tracker.add_segment(span, stream[span.start : span.end], span.start, noise_rms=None)
    return span


def test_one_reader_is_one_voice(audio_models: AudioModels, librispeech_pcm: bytes) -> None:
    book = pcm_to_float(librispeech_pcm)
    tracker = SpeakerTracker(audio_models.voice_encoder, AudioConfig())
    assert tracker.verdict == "not_enough_speech"
    first = _add(tracker, book, 0.5, 3.0)
    assert tracker.verdict == "not_enough_speech"  # 2.5 s and no consistent run yet
    second = _add(tracker, book, 3.7, 10.4)
    assert tracker.verdict == "one_speaker"
    assert tracker.enrolled_at_s is not None and tracker.enrolled_at_s > 3.7
    # The first segment was judged once the voice was enrolled.
    assert tracker.windows_in(first) and tracker.windows_in(second)
    assert not tracker.is_multiple_speakers(first) and not tracker.is_multiple_speakers(second)
    assert tracker.episodes() == []
    assert all(not other for _, _, other in tracker.turns())


def test_a_different_voice_after_enrolment_is_another_speaker(
    audio_models: AudioModels, librispeech_pcm: bytes, conversation_pcm: bytes
) -> None:
    # The reader, then (as if later in the same session) a long turn of another person.
    book, talk = pcm_to_float(librispeech_pcm), pcm_to_float(conversation_pcm)
    stream = np.concatenate(
        [book, np.zeros(RATE, np.float32), talk[int(21.8 * RATE) : int(27.8 * RATE)]]
    )
    tracker = SpeakerTracker(audio_models.voice_encoder, AudioConfig())
    reader = _add(tracker, stream, 3.7, 10.4)
    visitor = _add(tracker, stream, 11.65, 17.65)
    assert tracker.verdict == "multiple_speakers"
    assert not tracker.is_multiple_speakers(reader)
    assert tracker.is_multiple_speakers(visitor)
    [episode] = tracker.episodes()
    assert 11.6 <= episode.start_s < episode.end_s <= 17.7
    assert 50 <= episode.confidence <= 100 and episode.mean_similarity < 0.8
    assert [other for _, _, other in tracker.turns()] == [False, True]


def test_segments_under_a_second_are_not_judged(
    audio_models: AudioModels, librispeech_pcm: bytes
) -> None:
    book = pcm_to_float(librispeech_pcm)
    tracker = SpeakerTracker(audio_models.voice_encoder, AudioConfig())
    _add(tracker, book, 3.7, 10.4)
    short = _add(tracker, book, 1.0, 1.8)
    assert tracker.windows_in(short) == []
    assert tracker.other_voice_s(short) == 0
