"""Issue 13 through the real audio worker: the voice check, a session judged against its
read-aloud print, and a cue phrase flagged while it is said (Whisper on the worker's thread,
as in the server)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest

from interview_monitor.live.protocol import AudioChunk, Done, EnrolVoice, Open, VoiceEnrolled
from interview_monitor.live.worker import Worker
from interview_monitor.media.audio import float_to_pcm, pcm_to_float
from tests.detectors.audio.mixes import Mixes, cue_in_answer

CHUNK = 8000  # 250 ms of 16 kHz s16le, as the candidate page sends it
RATE = 16_000


@pytest.fixture(scope="module")
def mixes(test_data: Path) -> Mixes:
    return Mixes(test_data)


def _chunks(pcm: bytes) -> list[bytes]:
    return [pcm[offset : offset + CHUNK] for offset in range(0, len(pcm), CHUNK)]


def test_the_voice_check_accepts_a_reading_and_asks_again_for_too_little(mixes: Mixes) -> None:
    worker = Worker("audio")
    [accepted] = worker.handle(EnrolVoice(3, float_to_pcm(mixes.enrolment_sample())))
    assert isinstance(accepted, VoiceEnrolled) and accepted.refusal is None
    assert accepted.voice_print is not None and len(accepted.voice_print) == 256
    assert accepted.measures["windows"] >= 6
    [refused] = worker.handle(EnrolVoice(3, float_to_pcm(mixes.reader[: 2 * RATE])))
    assert isinstance(refused, VoiceEnrolled) and refused.voice_print is None
    assert refused.refusal is not None and "read the whole sentence" in refused.refusal


def test_a_stream_opened_with_the_print_flags_someone_else_answering(mixes: Mixes) -> None:
    worker = Worker("audio")
    [enrolled] = worker.handle(EnrolVoice(3, float_to_pcm(mixes.enrolment_sample())))
    assert isinstance(enrolled, VoiceEnrolled) and enrolled.voice_print is not None
    worker.handle(Open(5, voice_print=enrolled.voice_print))
    stream = _chunks(float_to_pcm(mixes.someone_else_answers().audio))
    first_mismatch_s = None
    for index, chunk in enumerate(stream):
        [done] = worker.handle(AudioChunk(5, chunk, 1.0))
        assert isinstance(done, Done)
        if any(e.columns["is_voice_mismatch"] for e in done.events) and first_mismatch_s is None:
            first_mismatch_s = (index + 1) * CHUNK / (2 * RATE)
    print(f"\nfirst voice_mismatch row at {first_mismatch_s} s of the stream")
    # 8 windows of 0.4 s after the first 1.6 s one, three embedded at a time: about 5 s.
    assert first_mismatch_s is not None and first_mismatch_s <= 6.0


def test_a_cue_phrase_is_flagged_within_two_seconds_of_being_said(
    librispeech_pcm: bytes, spoken_cue: np.ndarray
) -> None:
    """The flag must come out of the worker within 2 s of the phrase's end, counting how far
    the worker's answers fell behind real time, while the reading goes on (no pause ends the
    segment)."""
    book = pcm_to_float(librispeech_pcm)
    stream_samples, cue_end_s = cue_in_answer(book, spoken_cue)
    stream = _chunks(float_to_pcm(stream_samples))
    woken = threading.Event()
    worker = Worker("audio")
    worker.run_whisper_in_thread(woken.set)
    assert worker.whisper is not None
    worker.handle(Open(7))
    flagged_at_s = None
    lag_s = 0.0  # how far the worker's answers fell behind the audio they answered
    for index, chunk in enumerate(stream):
        started = time.perf_counter()
        replies = worker.handle(AudioChunk(7, chunk, 1.0))
        worker.collect()
        worker.dispatch()
        spent = time.perf_counter() - started
        audio_s = (index + 1) * CHUNK / (2 * RATE)
        lag_s = max(0.0, lag_s + spent - CHUNK / (2 * RATE))
        cues = [
            e
            for r in replies
            if isinstance(r, Done)
            for e in r.events
            if e.columns["flagged_phrases"]
        ]
        if cues and flagged_at_s is None:
            flagged_at_s = audio_s + lag_s
            print(
                f"\ncue ends {cue_end_s:.2f} s; flagged at {audio_s:.2f} s of audio "
                f"+ {lag_s:.2f} s behind = {flagged_at_s:.2f} s: {cues[0].columns['flagged_phrases']}"
            )
    worker.whisper.stop()
    assert flagged_at_s is not None, "the cue was never flagged"
    assert flagged_at_s - cue_end_s <= 2.0
