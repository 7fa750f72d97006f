"""Cue phrases flagged while they are said, from partial transcripts of the open segment."""

from __future__ import annotations

import numpy as np
from tests.detectors.audio.mixes import cue_in_answer

from interview_monitor.detectors.audio import AudioConfig, AudioModels, AudioSession
from interview_monitor.detectors.audio.cue_listener import PartialCueListener
from interview_monitor.media.audio import float_to_pcm, pcm_to_float

RATE = 16_000
CHUNK_BYTES = 3200


def test_the_short_encoder_hears_the_cue(audio_models: AudioModels, spoken_cue: np.ndarray) -> None:
    text, phrases = PartialCueListener(audio_models.whisper, AudioConfig()).cues_in(spoken_cue)
    print(f"\npartial text: {text!r}")
    # Whisper tiny.en hears espeak-ng's "siri" as "see you" in some contexts: the second
    # phrase is the one this test can rely on.
    assert "what's the answer" in phrases


def test_a_cue_said_mid_answer_is_flagged_within_two_seconds_while_speech_goes_on(
    audio_models: AudioModels, librispeech_pcm: bytes, spoken_cue: np.ndarray
) -> None:
    """The cue said within the reading (`cue_in_answer`): Silero keeps one segment open, so
    the final transcript waits for its end; the partial must not."""
    samples, cue_end_s = cue_in_answer(pcm_to_float(librispeech_pcm), spoken_cue)
    stream = float_to_pcm(samples)
    session = AudioSession(models=audio_models, event_key="cue")
    flagged_at_s = None
    flagged = None
    for offset in range(0, len(stream), CHUNK_BYTES):
        for event in session.feed_pcm(stream[offset : offset + CHUNK_BYTES]):
            if event.columns["flagged_phrases"] and flagged_at_s is None:
                flagged_at_s, flagged = (offset + CHUNK_BYTES) / (2 * RATE), event
    finals = [e for e in session.close() if e.columns["text_content"]]
    assert flagged is not None and flagged_at_s is not None
    print(
        f"\ncue ends {cue_end_s:.2f} s, flagged at {flagged_at_s:.2f} s "
        f"(+{flagged_at_s - cue_end_s:.2f} s): {flagged.details['partial_text']!r}"
    )
    assert flagged_at_s - cue_end_s <= 2.0
    assert (
        flagged.details["transcript_pending"]
        and "what's the answer" in flagged.columns["flagged_phrases"]
    )
    # The final transcript of that segment follows under the same key, with the phrases kept.
    [final] = [
        e for e in finals if e.columns["client_event_id"] == flagged.columns["client_event_id"]
    ]
    assert set(flagged.columns["flagged_phrases"]) <= set(final.columns["flagged_phrases"])
