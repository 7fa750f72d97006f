"""The read-aloud voice check and enrolment over HTTP, and a stream judged against the print."""

from __future__ import annotations

import time
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from interview_monitor.config import Settings
from interview_monitor.media.audio import float_to_pcm
from tests.detectors.audio.mixes import Mixes
from tests.live.harness import Account, make_account, start_session

CHUNK = 8000  # 250 ms of 16 kHz s16le
OCTETS = {"Content-Type": "application/octet-stream"}


@pytest.fixture(scope="module")
def mixes(test_data: Path) -> Mixes:
    return Mixes(test_data)


def _enrolment(database_url: str, session_id: int) -> tuple[int, int] | None:
    with psycopg.connect(database_url) as connection:
        row = connection.execute(
            "SELECT array_length(voice_print, 1), windows FROM voice_enrolments"
            " WHERE session_id = %s",
            (session_id,),
        ).fetchone()
    return None if row is None else (int(row[0]), int(row[1]))


def _transcripts(database_url: str, session_id: int) -> list[tuple[bool, bool, str]]:
    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT is_voice_mismatch, is_multiple_speakers, text_content FROM audio_transcripts"
            " WHERE session_id = %s",
            (session_id,),
        ).fetchall()
    return [(bool(a), bool(b), str(c)) for a, b, c in rows]


def test_the_check_answers_with_a_retry_message_when_the_sample_is_too_short(
    client: TestClient, candidate: Account, mixes: Mixes
) -> None:
    headers = {**candidate.headers, **OCTETS}
    good = client.post(
        "/api/live/voice-check", headers=headers, content=float_to_pcm(mixes.enrolment_sample())
    )
    assert good.status_code == 200 and good.json()["ok"] is True, good.text
    assert good.json()["windows"] >= 6
    short = client.post(
        "/api/live/voice-check", headers=headers, content=float_to_pcm(mixes.reader[:32000])
    )
    assert short.json()["ok"] is False
    assert "read the whole sentence aloud" in short.json()["message"]
    too_long = client.post("/api/live/voice-check", headers=headers, content=bytes(700_000))
    assert too_long.status_code == 422


def test_an_enrolled_session_flags_someone_else_answering(
    client: TestClient,
    candidate: Account,
    database_url: str,
    settings: Settings,
    mixes: Mixes,
) -> None:
    session_id = start_session(client, candidate)
    headers = {**candidate.headers, **OCTETS}
    sample = float_to_pcm(mixes.enrolment_sample())
    stranger = make_account(database_url, settings, "candidate")
    url = f"/api/interview/{session_id}/voice-enrolment"
    assert (
        client.post(url, headers={**stranger.headers, **OCTETS}, content=sample).status_code == 403
    )
    answer = client.post(url, headers=headers, content=sample)
    assert answer.status_code == 200 and answer.json()["ok"] is True, answer.text
    assert _enrolment(database_url, session_id) == (256, answer.json()["windows"])

    speech = float_to_pcm(mixes.someone_else_answers().audio) + bytes(2 * 16000 * 2)
    with client.websocket_connect(f"/ws/audio/{session_id}?token={candidate.token}") as ws:
        assert ws.receive_json()["type"] == "ready"
        for offset in range(0, len(speech), CHUNK):
            ws.send_bytes(speech[offset : offset + CHUNK])
        ws.send_json({"type": "finish"})
        while True:
            try:
                ws.receive_json()
            except Exception:  # the server closes the finished stream
                break
    # The stream is flushed after the socket closes: wait for its transcripts to be stored
    # (Whisper took over 60 s to get to it when the machine's load average was 16).
    deadline = time.monotonic() + 240.0
    rows = _transcripts(database_url, session_id)
    while not any(text for *_, text in rows):
        assert time.monotonic() < deadline, f"no transcript stored: {rows}"
        time.sleep(0.5)
        rows = _transcripts(database_url, session_id)
    print(f"\nstored rows: {rows}")
    assert rows and all(mismatch and not other for mismatch, other, _ in rows)
    assert any(text for _, _, text in rows)
    reviewer = make_account(database_url, settings, "interviewer")
    risk = client.get(f"/api/interview/{session_id}/risk", headers=reviewer.headers)
    assert risk.status_code == 200, risk.text
    [contribution] = risk.json()["contributions"]
    print(f"risk: {contribution}")
    assert contribution["kind"] == "voice_mismatch"
    assert "not the candidate's enrolled voice" in contribution["explanation"]
