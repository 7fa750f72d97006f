from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from interview_monitor.detectors.audio import AudioConfig, AudioModels, AudioSession, analyze_pcm
from interview_monitor.media.audio import decode_audio, float_to_pcm, pcm_to_float
from interview_monitor.signals import DetectedEvent

CHUNK_BYTES = 3200  # 100 ms, as the browser's AudioWorklet sends it
SAMPLE_RATE = 16_000


def _stream(pcm: bytes, config: AudioConfig | None = None) -> tuple[AudioSession, list[Any]]:
    """Feed `pcm` in 100 ms chunks; return the session and (stream time, event) pairs."""
    session = AudioSession(config)
    received: list[tuple[float, DetectedEvent]] = []
    for offset in range(0, len(pcm), CHUNK_BYTES):
        now_s = (offset + CHUNK_BYTES) / 32000
        received += [
            (now_s, event) for event in session.feed_pcm(pcm[offset : offset + CHUNK_BYTES])
        ]
    received += [(len(pcm) / 32000, event) for event in session.close()]
    return session, received


def _words(text: str) -> list[str]:
    return re.sub(r"[^a-z' ]+", " ", text.lower().replace("-", " ")).split()


def word_error_rate(reference: str, hypothesis: str) -> float:
    ref, hyp = _words(reference), _words(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, ref_word in enumerate(ref, 1):
        previous, row[0] = row[0], i
        for j, hyp_word in enumerate(hyp, 1):
            previous, row[j] = (
                row[j],
                min(row[j] + 1, row[j - 1] + 1, previous + (ref_word != hyp_word)),
            )
    return row[-1] / len(ref)


def test_word_error_rate_counts_edits() -> None:
    assert word_error_rate("a b c d", "a b c d") == 0
    assert word_error_rate("a b c d", "a x c") == 0.5
    assert word_error_rate("well dressed", "Well-dressed.") == 0


def test_read_sentence_is_transcribed_by_one_speaker(
    audio_models: AudioModels, librispeech_pcm: bytes, ground_truth: dict[str, Any]
) -> None:
    session, received = _stream(librispeech_pcm)
    events = [event for _, event in received]
    text = " ".join(event.columns["text_content"] for event in events)
    wer = word_error_rate(
        ground_truth["audio/librispeech_116-288045-0000.flac"]["transcript"], text
    )
    print(f"\nWER {wer:.1%}: {text}\nstats {session.stats}")
    assert wer <= 0.15
    assert session.speaker_verdict == "one_speaker"
    assert session.other_voice_episodes == []
    assert session.segments_with_other_voices == []
    for event in events:
        assert event.table == "audio_transcripts"
        assert event.columns["is_multiple_speakers"] is False
        assert event.columns["flagged_phrases"] == []
        assert 0 <= event.confidence <= 100
        words = event.details["words"]
        assert words and all(
            event.start_s - 0.35 <= w["start_s"] <= w["end_s"] <= event.end_s + 0.35 for w in words
        )
    assert events[0].start_s < 1.0 and events[-1].end_s > 10.0


def _share_on_the_right_side(
    turns: list[tuple[float, float, bool]], reference: list[dict[str, Any]]
) -> float:
    """Share of the reference's single-speaker speech whose detected voice (candidate or other)
    matches its speaker, under the better of the two ways to pair voices with speakers."""
    step = 0.01
    agree = {True: 0.0, False: 0.0}
    total = 0.0
    for tick in range(int(30 / step)):
        t = tick * step
        speaking = {
            turn["speaker"]
            for turn in reference
            if turn["start"] <= t < turn["start"] + turn["duration"]
        }
        if len(speaking) != 1:
            continue
        total += step
        is_first = speaking == {reference[0]["speaker"]}
        detected = [other for start, end, other in turns if start <= t < end]
        if detected:
            agree[True] += step * (detected[0] != is_first)
            agree[False] += step * (detected[0] == is_first)
    return max(agree.values()) / total


def test_conversation_is_judged_to_have_two_voices(
    audio_models: AudioModels, conversation_pcm: bytes, conversation_turns: list[dict[str, Any]]
) -> None:
    session, received = _stream(conversation_pcm)
    share = _share_on_the_right_side(session.speaker_turns, conversation_turns)
    print(
        f"\nverdict {session.speaker_verdict}; reference speech on the right side of a speaker "
        f"change: {share:.1%}\nturns {[(round(a, 2), round(b, 2), o) for a, b, o in session.speaker_turns]}"
        f"\nepisodes {[e.to_json() for e in session.other_voice_episodes]}\nstats {session.stats}"
    )
    assert session.speaker_verdict == "multiple_speakers"
    assert share >= 0.6
    assert session.other_voice_episodes
    flagged = [(e.start_s, e.end_s) for _, e in received if e.columns["is_multiple_speakers"]]
    assert flagged and set(flagged) <= set(session.segments_with_other_voices)
    # Transcripts arrive while the stream goes on, not only when it closes.
    for received_at_s, event in received:
        assert received_at_s - event.end_s <= AudioConfig().max_transcript_delay_s + 1.0
    assert received[0][0] < 30.0


@pytest.mark.parametrize("noise", ["silence_pcm", "white_noise_pcm", "hum_pcm"])
def test_silence_noise_and_hum_give_no_transcript_and_no_flag(
    audio_models: AudioModels, noise: str, request: pytest.FixtureRequest
) -> None:
    session, received = _stream(request.getfixturevalue(noise))
    assert received == []
    assert session.speaker_verdict == "not_enough_speech"
    assert session.other_voice_episodes == []
    assert session.stats["speech_s"] == 0


def test_a_short_utterance_is_not_enough_to_judge_voices(
    audio_models: AudioModels, librispeech_pcm: bytes
) -> None:
    session = AudioSession()
    session.feed_pcm(librispeech_pcm[: 2 * 16000 * 3])
    events = session.close()
    assert events and session.speaker_verdict == "not_enough_speech"
    assert all(event.columns["is_multiple_speakers"] is False for event in events)


def test_configured_cue_phrases_are_flagged(
    audio_models: AudioModels, librispeech_pcm: bytes
) -> None:
    events = analyze_pcm(librispeech_pcm, AudioConfig(cue_phrases=("bells ringing", "alexa")))
    flagged = [phrase for event in events for phrase in event.columns["flagged_phrases"]]
    assert flagged == ["bells ringing"]


def test_odd_chunk_sizes_and_a_closed_session(
    audio_models: AudioModels, librispeech_pcm: bytes
) -> None:
    session = AudioSession()
    events = []
    for offset in range(0, len(librispeech_pcm), 777):
        events += session.feed_pcm(librispeech_pcm[offset : offset + 777])
    events += session.close()
    assert "approached the city" in " ".join(e.columns["text_content"] for e in events)
    assert session.close() == []
    with pytest.raises(RuntimeError, match="after close"):
        session.feed_pcm(b"\x00\x00")
    stages = session.stats["stage_s"]
    assert {"vad", "transcription", "speaker_embedding"} <= set(stages)


def _with_room_sound(pcm: bytes, level_dbfs: float) -> bytes:
    """Speech plus white noise at `level_dbfs` and 50 Hz hum 5 dB above it."""
    speech = pcm_to_float(pcm)
    t = np.arange(len(speech)) / 16000
    hum = sum(math.pow(0.5, k) * np.sin(2 * np.pi * 50 * (k + 1) * t) for k in range(4))
    noise = np.random.default_rng(3).standard_normal(len(speech))
    room = noise * 10 ** (level_dbfs / 20) + hum / np.max(np.abs(hum)) * 10 ** (
        (level_dbfs + 5) / 20
    )
    return float_to_pcm(speech + room)


def test_one_voice_in_a_noisy_room_is_still_one_voice(
    audio_models: AudioModels, librispeech_pcm: bytes, ground_truth: dict[str, Any]
) -> None:
    session, received = _stream(_with_room_sound(librispeech_pcm, -40.0))
    text = " ".join(event.columns["text_content"] for _, event in received)
    reference = ground_truth["audio/librispeech_116-288045-0000.flac"]["transcript"]
    print(
        f"\nWER with noise and hum at -40/-35 dBFS: {word_error_rate(reference, text):.1%}: {text}"
    )
    assert session.speaker_verdict == "one_speaker"
    assert word_error_rate(reference, text) <= 0.25


def test_speech_buried_in_noise_is_not_taken_for_another_voice(
    audio_models: AudioModels, librispeech_pcm: bytes
) -> None:
    # The speech (about -24 dBFS) barely stands above this noise: its voice print would be the
    # noise's, so it must be left unjudged rather than called someone else.
    session, received = _stream(_with_room_sound(librispeech_pcm, -30.0))
    assert received
    assert session.speaker_verdict == "not_enough_speech"
    assert not any(event.columns["is_multiple_speakers"] for _, event in received)


def test_a_near_silent_phone_video_gives_no_transcript(
    audio_models: AudioModels, test_data: Path
) -> None:
    pcm, duration = decode_audio(test_data / "video" / "center_focus.mp4")
    assert duration > 10
    assert analyze_pcm(pcm) == []


def test_a_short_pause_setting_sends_each_sentence_as_soon_as_it_ends(
    audio_models: AudioModels, librispeech_pcm: bytes
) -> None:
    _session, received = _stream(librispeech_pcm, AudioConfig(transcribe_after_pause_s=0.1))
    (first_at_s, first), (_last_at_s, last) = received[0], received[-1]
    assert first.end_s < 3.5 and first_at_s < 4.0  # "... I heard bells ringing," at ~3 s
    assert "bells" in first.columns["text_content"] and "bells" not in last.columns["text_content"]


def test_a_first_short_sentence_of_another_voice_is_flagged_before_its_transcript(
    audio_models: AudioModels, librispeech_pcm: bytes, conversation_pcm: bytes
) -> None:
    """The reader speaks 10.6 s (the voice room's automatic print freezes on it); another
    person says one short sentence (2.4 s of speech). Its windows fail the print, so it is
    reported as another voice when it closes, ahead of its transcript and under the same key;
    the analysis of the whole recording marks it and the person's later turn."""
    book, talk = pcm_to_float(librispeech_pcm), pcm_to_float(conversation_pcm)

    def seconds(start_s: float, end_s: float, samples: np.ndarray) -> np.ndarray:
        return samples[round(start_s * SAMPLE_RATE) : round(end_s * SAMPLE_RATE)]

    silence = np.zeros(round(1.5 * SAMPLE_RATE), np.float32)
    recording = float_to_pcm(
        np.concatenate(
            [
                book,
                silence,
                seconds(21.9, 25.2, talk),  # "There is not much difference, at least, ..."
                silence,
                seconds(0.0, 4.5, book),
                silence,
                seconds(24.4, 28.4, talk),
                silence,
            ]
        )
    )
    session = AudioSession(event_key="whisper")
    received: list[DetectedEvent] = []
    for offset in range(0, len(recording), CHUNK_BYTES):
        received += session.feed_pcm(recording[offset : offset + CHUNK_BYTES])
    received += session.close()

    whisper = next(e for e in received if 12.5 < e.start_s < 14.0 and e.columns["text_content"])
    assert "difference" in whisper.columns["text_content"]
    assert whisper.columns["is_multiple_speakers"] is True
    key = whisper.columns["client_event_id"]
    earlier = [e for e in received if e.columns["client_event_id"] == key and e is not whisper]
    assert [e.details.get("transcript_pending") for e in earlier] == [True]
    assert earlier[0].columns["is_multiple_speakers"] is True
    assert received.index(earlier[0]) < received.index(whisper)

    # The person's later, longer turn right after the reader's is someone else answering.
    analysed = [
        e
        for e in analyze_pcm(recording)
        if e.columns["is_multiple_speakers"] or e.columns["is_voice_mismatch"]
    ]
    assert [round(e.start_s) for e in analysed] == [13, 23]
