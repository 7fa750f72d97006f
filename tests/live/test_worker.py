"""The worker's request handling, in this process, with the real models."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

from interview_monitor.live.protocol import (
    AudioChunk,
    Close,
    Closed,
    Done,
    Open,
    Opened,
    Probe,
    Probed,
    Reply,
    Transcripts,
    VideoFrame,
)
from interview_monitor.live.worker import Worker
from interview_monitor.signals import DetectedEvent
from tests.live.harness import jpeg_frames

CHUNK = 8000  # 250 ms of 16 kHz s16le, as the candidate page sends it


def test_open_feed_probe_close(test_data: Path) -> None:
    frames = jpeg_frames(test_data / "video" / "center_focus.mp4", 1.0, limit=3)
    worker = Worker("video")
    assert worker.handle(Open(2)) == [Opened(2)]
    for index, frame in enumerate(frames):
        [done] = worker.handle(VideoFrame(2, float(index), frame, 5.0))
        assert isinstance(done, Done) and isinstance(done.events, list)
        assert (done.stream_id, done.received_at, done.error) == (2, 5.0, None)
    assert worker.handle(Probe(4, frames[0])) == [Probed(4, 1, None)]
    [broken] = worker.handle(VideoFrame(2, 3.0, b"\xff\xd8\xffjunk\xff\xd9", 6.0))
    assert isinstance(broken, Done) and broken.error is not None
    [closed] = worker.handle(Close(2, 3.0))
    assert isinstance(closed, Closed) and closed.stats["frames"] == len(frames)
    assert 2 not in worker.detectors
    assert not worker.transcription_waiting and worker.transcribe() == []


def test_data_for_a_stream_that_is_not_open_is_refused() -> None:
    worker = Worker("audio")
    assert worker.handle(AudioChunk(3, b"\x00\x00", 1.0)) == [
        Done(3, [], 1.0, "stream is not open")
    ]
    assert worker.handle(Close(3, 0.0)) == [Closed(3, [], {})]


def test_one_whisper_call_transcribes_the_speech_of_two_streams(
    librispeech_pcm: bytes, conversation_pcm: bytes
) -> None:
    worker = Worker("audio")
    worker.handle(Open(11))
    worker.handle(Open(13))
    speech = {11: librispeech_pcm, 13: conversation_pcm[: len(librispeech_pcm)]}
    silence = bytes(2 * 16000 * 2)  # both stop talking: their segments come due together
    for offset in range(0, len(librispeech_pcm) + len(silence), CHUNK):
        for stream_id, pcm in speech.items():
            chunk = (pcm + silence)[offset : offset + CHUNK]
            [done] = worker.handle(AudioChunk(stream_id, chunk, 100.0 + offset / 32000))
            assert isinstance(done, Done) and done.error is None
    assert worker.transcription_waiting and worker.batcher is not None
    audio_waiting_s = worker.batcher.waiting_audio_s()
    assert audio_waiting_s > 12.0, "both streams' speech waits for one call"
    replies = worker.transcribe()
    assert worker.batcher.calls == 1 and not worker.transcription_waiting
    assert all(isinstance(reply, Transcripts) for reply in replies)
    by_stream = {reply.stream_id: reply for reply in replies if isinstance(reply, Transcripts)}
    assert set(by_stream) == {11, 13}
    reading = " ".join(e.columns["text_content"] for e in by_stream[11].events)
    assert "approached the city" in reading and "bells" in reading
    assert all(e.end_s <= len(librispeech_pcm) / 32000 + 0.1 for e in by_stream[11].events)
    # received_at: the arrival of the chunk that made the reading due (8 s after its first
    # segment ended, at 2.98 s)
    received_at = by_stream[11].received_at
    assert received_at is not None
    assert 100.0 + 10.5 < received_at < 100.0 + len(librispeech_pcm) / 32000 + 1.5
    keys = [e.columns["client_event_id"] for reply in by_stream.values() for e in reply.events]
    assert len(set(keys)) == len(keys)
    [closed] = worker.handle(Close(11, 0.0))
    assert isinstance(closed, Closed) and (closed.stream_id, closed.events) == (11, [])
    assert closed.stats["whisper_calls"] == 1


def _chunks(pcm: bytes) -> list[bytes]:
    return [pcm[i : i + CHUNK] for i in range(0, len(pcm), CHUNK)]


def _events(replies: list[Reply], stream_id: int | None = None) -> list[DetectedEvent]:
    return [
        event
        for reply in replies
        if isinstance(reply, Done | Transcripts | Closed) and stream_id in (None, reply.stream_id)
        for event in reply.events
    ]


def _other_voice_flags(replies: list[Reply]) -> list[DetectedEvent]:
    return [
        event
        for reply in replies
        if isinstance(reply, Done)
        for event in reply.events
        if event.details.get("transcript_pending")
    ]


def test_speaker_checks_answer_while_a_whisper_call_runs(
    librispeech_pcm: bytes, conversation_pcm: bytes
) -> None:
    chunks = _chunks(conversation_pcm)
    # Where the conversation's first other-voice flag comes (no Whisper call is needed for it).
    probe = Worker("audio")
    probe.handle(Open(21))
    first_flag = next(
        index
        for index, chunk in enumerate(chunks)
        if _other_voice_flags(probe.handle(AudioChunk(21, chunk, 1.0)))
    )

    woken = threading.Event()
    worker = Worker("audio")
    worker.run_whisper_in_thread(woken.set)
    assert worker.whisper is not None and worker.batcher is not None
    worker.handle(Open(23))
    for chunk in chunks[:first_flag]:
        worker.handle(AudioChunk(23, chunk, 1.0))
    silence = bytes(2 * 16000 * 2)
    # Two more streams whose speech comes due: a long call. (Not the same recording twice:
    # Whisper would drop the repeated text as a loop.)
    other_speech = {25: librispeech_pcm, 27: conversation_pcm[-len(librispeech_pcm) :]}
    for stream_id, speech in other_speech.items():
        worker.handle(Open(stream_id))
        for chunk in _chunks(speech + silence):
            worker.handle(AudioChunk(stream_id, chunk, 2.0))
    assert worker.batcher.waiting_audio_s() > 18.0
    worker.dispatch()
    assert worker.whisper.busy and not worker.transcription_waiting

    replies = worker.handle(AudioChunk(23, chunks[first_flag], 3.0))

    # The speaker stage answered, and the Whisper call it would have waited for still runs.
    assert _other_voice_flags(replies), "no other-voice flag"
    assert worker.collect() == [], "the Whisper call had already finished"
    assert woken.wait(60.0), "the Whisper call did not finish"
    transcripts = _until_idle(worker, woken)
    assert transcripts and all(isinstance(reply, Transcripts) for reply in transcripts)
    text = {
        stream_id: " ".join(
            e.columns["text_content"] for e in _events(transcripts, stream_id)
        ).lower()
        for stream_id in (25, 27)
    }
    assert "approached the city" in text[25] and len(text[27].split()) > 10
    worker.whisper.stop()


def _until_idle(worker: Worker, woken: threading.Event) -> list[Reply]:
    """Replies of Whisper calls on the worker's thread until no speech waits."""
    assert worker.whisper is not None
    replies: list[Reply] = []
    deadline = time.monotonic() + 120.0
    while worker.whisper.busy or worker.transcription_waiting:
        assert time.monotonic() < deadline, "the Whisper thread did not finish"
        replies += worker.collect()
        worker.dispatch()
        woken.wait(1.0)
        woken.clear()
    return replies


def test_a_stream_closes_once_its_last_speech_is_transcribed_on_the_thread(
    librispeech_pcm: bytes,
) -> None:
    woken = threading.Event()
    worker = Worker("audio")
    worker.run_whisper_in_thread(woken.set)
    assert worker.whisper is not None
    worker.handle(Open(31))
    for chunk in _chunks(librispeech_pcm):
        worker.handle(AudioChunk(31, chunk, 1.0))
    assert worker.handle(Close(31, 0.0)) == [], "closed before its speech was transcribed"
    replies: list[Reply] = []
    deadline = time.monotonic() + 60.0
    while not any(isinstance(reply, Closed) for reply in replies):
        assert time.monotonic() < deadline, "never closed"
        worker.dispatch()
        woken.wait(1.0)
        woken.clear()
        replies += worker.collect()
    [transcripts, closed] = replies
    assert isinstance(transcripts, Transcripts) and isinstance(closed, Closed)
    text = " ".join(e.columns["text_content"] for e in transcripts.events).lower()
    assert "approached the city" in text and "family groups" in text
    assert closed.stats["whisper_calls"] >= 1 and 31 not in worker.detectors
    worker.whisper.stop()


def test_a_reopened_stream_keeps_its_times_on_the_clock(librispeech_pcm: bytes) -> None:
    worker = Worker("audio")
    worker.handle(Open(41, 100.0))
    for chunk in _chunks(librispeech_pcm):
        worker.handle(AudioChunk(41, chunk, 1.0))
    replies = worker.handle(Close(41, 0.0))
    assert [type(reply) for reply in replies] == [Transcripts, Closed]
    events = _events(replies)
    assert events and all(100.0 <= e.start_s <= e.end_s <= 111.0 for e in events)
    words = [w for e in events for w in e.details["words"]]
    assert all(100.0 <= w["start_s"] <= w["end_s"] <= 111.0 for w in words)


_NICENESS_PROBE = """
import os, threading
from interview_monitor.live.transcription import WHISPER_NICENESS, lower_other_threads
started, release, ids = threading.Event(), threading.Event(), []
def other():
    ids.append(threading.get_native_id())
    started.set()
    release.wait(30.0)
thread = threading.Thread(target=other)
thread.start()
assert started.wait(30.0)
own = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
lowered = lower_other_threads()
print(lowered, os.getpriority(os.PRIO_PROCESS, ids[0]) - own, WHISPER_NICENESS - own,
      os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) - own)
release.set()
thread.join()
"""


def test_the_whisper_threads_yield_the_cpu_to_the_request_loop() -> None:
    # In a child process: lowering threads here would slow the test runner's own threads.
    printed = subprocess.run(
        [sys.executable, "-c", _NICENESS_PROBE], capture_output=True, text=True, check=True
    ).stdout.split()
    lowered, other_raised_by, expected_raise, own_raised_by = map(int, printed)
    assert lowered >= 1
    assert other_raised_by == expected_raise or expected_raise <= 0
    assert own_raised_by == 0
