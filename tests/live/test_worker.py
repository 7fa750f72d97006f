"""The worker's request handling, in this process, with the real models."""

from __future__ import annotations

from pathlib import Path

import pytest

from interview_monitor.live.worker import Worker
from interview_monitor.media.audio import decode_audio
from tests.live.harness import jpeg_frames

CHUNK = 8000  # 250 ms of 16 kHz s16le, as the candidate page sends it


@pytest.fixture(scope="module")
def librispeech_pcm(test_data: Path) -> bytes:
    return decode_audio(test_data / "audio" / "librispeech_116-288045-0000.flac")[0]


@pytest.fixture(scope="module")
def conversation_pcm(test_data: Path) -> bytes:
    return decode_audio(test_data / "audio" / "pyannote_sample.wav")[0]


def test_open_feed_probe_close(test_data: Path) -> None:
    frames = jpeg_frames(test_data / "video" / "center_focus.mp4", 1.0, limit=3)
    worker = Worker("video")
    assert worker.handle(("open", 2)) == [("opened", 2)]
    for index, frame in enumerate(frames):
        [(kind, stream_id, events, received_at, error)] = worker.handle(
            ("video", 2, float(index), frame, 5.0)
        )
        assert (kind, stream_id, received_at, error) == ("done", 2, 5.0, None)
        assert isinstance(events, list)
    assert worker.handle(("probe", 4, frames[0])) == [("probed", 4, 1, None)]
    [broken] = worker.handle(("video", 2, 3.0, b"\xff\xd8\xffjunk\xff\xd9", 6.0))
    assert broken[0] == "done" and broken[4] is not None
    [closed] = worker.handle(("close", 2, 3.0))
    assert closed[0] == "closed" and closed[3]["frames"] == len(frames)
    assert 2 not in worker.detectors
    assert not worker.transcription_waiting and worker.transcribe() == []


def test_data_for_a_stream_that_is_not_open_is_refused() -> None:
    worker = Worker("audio")
    assert worker.handle(("audio", 3, b"\x00\x00", 1.0)) == [
        ("done", 3, [], 1.0, "stream is not open")
    ]
    assert worker.handle(("close", 3, 0.0)) == [("closed", 3, [], {})]


def test_one_whisper_call_transcribes_the_speech_of_two_streams(
    librispeech_pcm: bytes, conversation_pcm: bytes
) -> None:
    worker = Worker("audio")
    worker.handle(("open", 11))
    worker.handle(("open", 13))
    speech = {11: librispeech_pcm, 13: conversation_pcm[: len(librispeech_pcm)]}
    silence = bytes(2 * 16000 * 2)  # both stop talking: their segments come due together
    for offset in range(0, len(librispeech_pcm) + len(silence), CHUNK):
        for stream_id, pcm in speech.items():
            chunk = (pcm + silence)[offset : offset + CHUNK]
            [done] = worker.handle(("audio", stream_id, chunk, 100.0 + offset / 32000))
            assert done[0] == "done" and done[4] is None
    assert worker.transcription_waiting and worker.batcher is not None
    audio_waiting_s = worker.batcher.waiting_audio_s()
    assert audio_waiting_s > 12.0, "both streams' speech waits for one call"
    replies = worker.transcribe()
    assert worker.batcher.calls == 1 and not worker.transcription_waiting
    by_stream = {reply[1]: reply for reply in replies}
    assert set(by_stream) == {11, 13} and all(reply[0] == "events" for reply in replies)
    reading = " ".join(e.columns["text_content"] for e in by_stream[11][2])
    assert "approached the city" in reading and "bells" in reading
    assert all(e.end_s <= len(librispeech_pcm) / 32000 + 0.1 for e in by_stream[11][2])
    # received_at: the arrival of the chunk that made the reading due (8 s after its first
    # segment ended, at 2.98 s)
    assert 100.0 + 10.5 < by_stream[11][3] < 100.0 + len(librispeech_pcm) / 32000 + 1.5
    keys = [e.columns["client_event_id"] for reply in replies for e in reply[2]]
    assert len(set(keys)) == len(keys)
    [closed] = worker.handle(("close", 11, 0.0))
    assert closed[:3] == ("closed", 11, []) and closed[3]["whisper_calls"] == 1
