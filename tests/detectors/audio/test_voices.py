"""Other voices and voice mismatch on mixes of the shared recordings (`mixes.py` says how each
is built), streamed through the real AudioSession in 100 ms chunks. Each test prints what it
measured: findings, the truth they overlap and the seconds outside it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tests.detectors.audio.mixes import (
    Mix,
    Mixes,
    outside_s,
    overlap_s,
    silence,
    white_noise,
)

from interview_monitor.detectors.audio import (
    AudioModels,
    AudioSession,
    EnrolmentRejected,
    VoiceEnrolment,
    VoiceFinding,
    enrol_read_aloud,
)
from interview_monitor.media.audio import float_to_pcm
from interview_monitor.signals import DetectedEvent

CHUNK_BYTES = 3200


@pytest.fixture(scope="module")
def mixes(test_data: Path) -> Mixes:
    return Mixes(test_data)


@pytest.fixture(scope="module")
def enrolment(audio_models: AudioModels, mixes: Mixes) -> VoiceEnrolment:
    return enrol_read_aloud(mixes.enrolment_sample(), audio_models)


def _stream(
    mix: Mix, models: AudioModels, enrolment: VoiceEnrolment | None = None
) -> tuple[AudioSession, list[DetectedEvent], float | None]:
    """The session, its events, and the stream time its first other-voice event came out."""
    session = AudioSession(
        models=models,
        event_key="t",
        voice_print=None if enrolment is None else enrolment.voice_print,
    )
    pcm = float_to_pcm(mix.audio)
    events: list[DetectedEvent] = []
    first_flag_s = None
    for offset in range(0, len(pcm), CHUNK_BYTES):
        new = session.feed_pcm(pcm[offset : offset + CHUNK_BYTES])
        voiced = [
            e for e in new if e.columns["is_multiple_speakers"] or e.columns["is_voice_mismatch"]
        ]
        if voiced and first_flag_s is None:
            first_flag_s = (offset + CHUNK_BYTES) / 32000
        events += new
    events += session.close()
    return session, events, first_flag_s


def _intervals(findings: list[VoiceFinding], *kinds: str) -> list[tuple[float, float]]:
    return [(f.start_s, f.end_s) for f in findings if not kinds or f.kind in kinds]


def _report(mix: Mix, session: AudioSession, first_flag_s: float | None) -> dict[str, Any]:
    found = _intervals(session.other_voice_episodes)
    report = {
        "mix": mix.name,
        "findings": [f.to_json() for f in session.other_voice_episodes],
        "first_flag_s": first_flag_s,
        "truth_covered_s": round(overlap_s(found, mix.other_voice), 2),
        "truth_s": round(overlap_s(mix.other_voice, mix.other_voice), 2),
        "false_alarm_s": round(outside_s(found, mix.other_voice), 2),
        "print": session.stats["voice_print"],
    }
    print(f"\n{report}")
    return report


@pytest.mark.parametrize("relative_db", [0.0, -15.0])
def test_a_second_voice_over_the_reader_is_flagged(
    audio_models: AudioModels, mixes: Mixes, relative_db: float
) -> None:
    mix = mixes.reader_with_conversation(relative_db)
    session, events, first_flag_s = _stream(mix, audio_models)
    report = _report(mix, session, first_flag_s)
    assert session.speaker_verdict == "multiple_speakers"
    assert report["truth_covered_s"] > 0.5
    assert report["false_alarm_s"] == 0
    assert any(e.columns["is_multiple_speakers"] for e in events if e.columns["text_content"])


def test_the_conversation_from_its_first_second_is_flagged(
    audio_models: AudioModels, mixes: Mixes
) -> None:
    """Both people are other voices to each other; the truth is the later speaker's turns."""
    mix = mixes.conversation_alone()
    session, _events, first_flag_s = _stream(mix, audio_models)
    report = _report(mix, session, first_flag_s)
    assert session.speaker_verdict == "multiple_speakers"
    assert report["truth_covered_s"] >= 5.0  # of 12.5 s


@pytest.mark.parametrize("build", ["reader_alone", "silence", "white_noise"])
def test_one_voice_silence_and_noise_raise_nothing(
    audio_models: AudioModels, mixes: Mixes, build: str
) -> None:
    mix = {"reader_alone": mixes.reader_alone, "silence": silence, "white_noise": white_noise}[
        build
    ]()
    session, events, first_flag_s = _stream(mix, audio_models)
    _report(mix, session, first_flag_s)
    assert session.other_voice_episodes == []
    assert not any(
        e.columns["is_multiple_speakers"] or e.columns["is_voice_mismatch"] for e in events
    )


def test_a_read_aloud_print_flags_a_second_voice_within_seconds(
    audio_models: AudioModels, mixes: Mixes, enrolment: VoiceEnrolment
) -> None:
    mix = mixes.after_enrolment(mixes.reader_with_conversation(0.0))
    session, _events, first_flag_s = _stream(mix, audio_models, enrolment)
    report = _report(mix, session, first_flag_s)
    assert report["print"] == "read_aloud"
    assert first_flag_s is not None and first_flag_s <= 3.0
    assert report["truth_covered_s"] >= 2.0 and report["false_alarm_s"] == 0


def test_with_a_read_aloud_print_the_reader_alone_is_the_candidate(
    audio_models: AudioModels, mixes: Mixes, enrolment: VoiceEnrolment
) -> None:
    mix = mixes.after_enrolment(mixes.reader_alone())
    session, events, _first = _stream(mix, audio_models, enrolment)
    similarities = [d.similarity for d in session._voices.room.decisions]
    print(f"\nsmoothed similarity to the print: {similarities}")
    assert session.other_voice_episodes == []
    assert events and not any(e.columns["is_multiple_speakers"] for e in events)


def test_someone_else_answering_is_a_voice_mismatch(
    audio_models: AudioModels, mixes: Mixes, enrolment: VoiceEnrolment
) -> None:
    mix = mixes.someone_else_answers()
    session, events, first_flag_s = _stream(mix, audio_models, enrolment)
    report = _report(mix, session, first_flag_s)
    mismatch = _intervals(session.other_voice_episodes, "voice_mismatch")
    assert overlap_s(mismatch, mix.other_voice) >= 5.0  # of 9.4 s
    assert first_flag_s is not None and first_flag_s <= 4.0
    transcripts = [e for e in events if e.columns["text_content"]]
    assert transcripts and all(e.columns["is_voice_mismatch"] for e in transcripts)
    # Someone else instead of the candidate is not also "another voice present".
    assert not any(e.columns["is_multiple_speakers"] for e in transcripts)
    assert report["false_alarm_s"] == 0


def test_without_a_print_the_same_stream_is_another_voice_not_a_mismatch(
    audio_models: AudioModels, mixes: Mixes
) -> None:
    """No print to mismatch: the first voice heard becomes the provisional candidate. The
    stream starts mid-speech, which once put the noise floor at the speech level and left
    every window unjudged."""
    mix = mixes.someone_else_answers()
    session, _events, first_flag_s = _stream(mix, audio_models)
    _report(mix, session, first_flag_s)
    assert session.stats["voice_enrolled_at_s"] is not None
    assert _intervals(session.other_voice_episodes, "voice_mismatch") == []


def test_a_sample_too_short_or_of_two_voices_is_refused(
    audio_models: AudioModels, mixes: Mixes
) -> None:
    with pytest.raises(EnrolmentRejected, match="read the whole sentence"):
        enrol_read_aloud(mixes.reader[: 16000 * 2], audio_models)
    with pytest.raises(EnrolmentRejected, match="read the whole sentence"):
        enrol_read_aloud(silence(6.0).audio, audio_models)
    # Half the sample by someone else (the reader 3 s, then the conversation's 22-25 s).
    two_voices = np.concatenate(
        [mixes.reader[: 3 * 16000], mixes.conversation[22 * 16000 : 25 * 16000]]
    )
    with pytest.raises(EnrolmentRejected, match="one voice"):
        enrol_read_aloud(two_voices, audio_models)


def test_the_reading_is_accepted_as_one_consistent_voice(enrolment: VoiceEnrolment) -> None:
    print(f"\n{enrolment.to_json()}")
    assert enrolment.windows >= 6 and enrolment.min_agreement >= 0.80
