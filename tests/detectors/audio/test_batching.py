"""Several sessions' speech in one Whisper call: words go back to the right stream and segment."""

from __future__ import annotations

from typing import Any

import numpy as np
from tests.detectors.audio.test_audio_session import word_error_rate

from interview_monitor.detectors.audio import AudioConfig, AudioModels, AudioSession
from interview_monitor.detectors.audio.batching import Piece, TranscriptBatcher
from interview_monitor.detectors.audio.transcriber import TimedWord
from interview_monitor.detectors.audio.vad import SpeechSpan
from interview_monitor.media.audio import pcm_to_float
from interview_monitor.signals import DetectedEvent

CHUNK_BYTES = 3200  # 100 ms, as in test_audio_session (chunking moves segment boundaries)


def _float(pcm: bytes) -> np.ndarray[Any, np.dtype[np.float32]]:
    return pcm_to_float(pcm)


class _Recorder:
    def __init__(self) -> None:
        self.words: dict[SpeechSpan, list[TimedWord]] = {}

    def events_for(self, words: dict[SpeechSpan, list[TimedWord]]) -> list[DetectedEvent]:
        self.words |= words
        return []


def test_words_are_mapped_back_to_their_stream_and_segment(
    audio_models: AudioModels, librispeech_pcm: bytes
) -> None:
    audio = _float(librispeech_pcm)
    first, second = _Recorder(), _Recorder()
    # The reading cut in two between "ringing," (ends ~3.0 s) and "and a little later"; each
    # half sits at a different place in its own stream.
    cut = 52_000
    early, late = SpeechSpan(0, cut), SpeechSpan(500_000, 500_000 + len(audio) - cut)
    batcher = TranscriptBatcher(audio_models.whisper, AudioConfig())
    batcher.submit(first, [Piece((early,), 0, audio[:cut], received_at=5.0)])
    batcher.submit(second, [Piece((late,), 500_000, audio[cut:], received_at=3.0)])
    results = batcher.run()
    assert batcher.calls == 1 and not batcher.waiting
    assert results[first].received_at == 5.0 and results[second].received_at == 3.0
    heard_first = "".join(w.text for w in first.words[early]).lower()
    heard_second = "".join(w.text for w in second.words[late]).lower()
    assert "bells" in heard_first and "later" not in heard_first
    assert "later" in heard_second and "bells" not in heard_second
    assert all(0.0 <= w.start_s <= w.end_s <= cut / 16000 + 0.3 for w in first.words[early])
    assert all(w.start_s >= 500_000 / 16000 - 0.3 for w in second.words[late])


def test_a_window_holds_at_most_the_batch_limit(
    audio_models: AudioModels, librispeech_pcm: bytes
) -> None:
    audio = _float(librispeech_pcm)
    owners = [_Recorder() for _ in range(3)]
    batcher = TranscriptBatcher(audio_models.whisper, AudioConfig(), max_audio_s=25.0)
    for owner in owners:
        batcher.submit(owner, [Piece((SpeechSpan(0, len(audio)),), 0, audio)])
    assert set(batcher.run()) == set(owners[:2]), "two readings (21.3 s) fit, three do not"
    assert batcher.waiting_for(owners[2]) and not batcher.waiting_for(owners[0])
    assert set(batcher.run_until_done(owners[2])) == {owners[2]} and batcher.calls == 2


def _stream_together(
    batcher: TranscriptBatcher, sessions: dict[str, AudioSession], pcm: dict[str, bytes]
) -> dict[str, list[tuple[float, DetectedEvent]]]:
    """Feed the streams side by side in 100 ms chunks, running the batcher between chunks as
    the audio worker does; (stream time when returned, event) per stream."""
    received: dict[str, list[tuple[float, DetectedEvent]]] = {name: [] for name in sessions}
    owner_names = {id(session): name for name, session in sessions.items()}
    length = max(len(data) for data in pcm.values())
    for offset in range(0, length, CHUNK_BYTES):
        now_s = (offset + CHUNK_BYTES) / 32000
        for name, session in sessions.items():
            events = session.feed_pcm(pcm[name][offset : offset + CHUNK_BYTES], now_s)
            received[name] += [(now_s, event) for event in events]
        while batcher.waiting:
            for owner, done in batcher.run().items():
                received[owner_names[id(owner)]] += [(now_s, event) for event in done.events]
    for name, session in sessions.items():
        received[name] += [(length / 32000, event) for event in session.close()]
        for owner, done in batcher.run_until_done(session).items():
            received[owner_names[id(owner)]] += [(length / 32000, e) for e in done.events]
    return received


def test_a_reading_packed_after_another_stream_keeps_its_word_error_rate(
    audio_models: AudioModels,
    librispeech_pcm: bytes,
    conversation_pcm: bytes,
    ground_truth: dict[str, Any],
) -> None:
    reading, conversation = _float(librispeech_pcm), _float(conversation_pcm)
    spans = (SpeechSpan(8_704, 47_616), SpeechSpan(59_392, 165_888))  # as the VAD finds them
    turn = SpeechSpan(122_880, 347_648)  # 7.68-21.73 s: both people speak
    reader, talkers = _Recorder(), _Recorder()
    batcher = TranscriptBatcher(audio_models.whisper, AudioConfig())
    batcher.submit(talkers, [Piece((turn,), turn.start, conversation[turn.start : turn.end])])
    batcher.submit(reader, [Piece(spans, 3_904, reading[3_904:])])
    batcher.run()
    assert batcher.calls == 1
    text = "".join(word.text for words in reader.words.values() for word in words)
    wer = word_error_rate(
        ground_truth["audio/librispeech_116-288045-0000.flac"]["transcript"], text
    )
    print(f"\nWER of the reading packed after a conversation: {wer:.1%}: {text}")
    assert wer <= 0.15
    assert "hello" in "".join(w.text for w in talkers.words[turn]).lower()


def test_packed_sessions_keep_their_transcripts_and_flag_other_voices_early(
    audio_models: AudioModels, librispeech_pcm: bytes, conversation_pcm: bytes
) -> None:
    batcher = TranscriptBatcher(audio_models.whisper, AudioConfig())
    sessions = {
        "reading": AudioSession(AudioConfig(), batcher=batcher, event_key="r"),
        "conversation": AudioSession(AudioConfig(), batcher=batcher, event_key="c"),
    }
    received = _stream_together(
        batcher,
        sessions,
        {"reading": librispeech_pcm + bytes(3 * 32000), "conversation": conversation_pcm},
    )
    reading = [event for _, event in received["reading"]]
    assert "bells" in " ".join(e.columns["text_content"] for e in reading)
    assert not any(e.columns["is_multiple_speakers"] for e in reading)

    conversation = received["conversation"]
    early = [(at_s, e) for at_s, e in conversation if e.details.get("transcript_pending")]
    later = {e.columns["client_event_id"]: e for _, e in conversation if "words" in e.details}
    assert early, "the second voice is flagged before its transcript"
    for at_s, event in early:
        assert event.columns["is_multiple_speakers"] and event.columns["text_content"] == ""
        # Flagged as the segment closes: 0.6 s of silence after it (within one 100 ms chunk),
        # or, for a segment cut at the 15 s cap, when the cap is reached.
        capped_at_s = event.start_s + AudioConfig().max_segment_s
        assert at_s - (event.end_s + 0.6) <= 0.15 or 0 <= at_s - capped_at_s <= 0.15
        transcript = later[event.columns["client_event_id"]]
        assert transcript.start_s == event.start_s and transcript.columns["text_content"]
