"""The media and review WebSockets: auth, every bad input's close code, acks, resume."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from interview_monitor.config import Settings
from interview_monitor.streaming.protocol import CloseCode
from tests.live.harness import Account, jpeg_frames, make_account, start_session
from tests.streaming.conftest import MAX_AUDIO_BYTES, MAX_FRAME_BYTES


@pytest.fixture(scope="module")
def other_candidate(database_url: str, settings: Settings) -> Account:
    return make_account(database_url, settings, "candidate")


@pytest.fixture(scope="module")
def frames(test_data: Path) -> list[bytes]:
    return jpeg_frames(test_data / "video" / "center_focus.mp4", 2.0, limit=4)


@pytest.fixture
def session_id(client: TestClient, candidate: Account) -> int:
    return start_session(client, candidate)


def closed_with(ws: WebSocketTestSession) -> tuple[int, list[dict[str, Any]]]:
    """Read until the server closes; its close code and the JSON messages before it."""
    messages = []
    while True:
        try:
            messages.append(ws.receive_json())
        except WebSocketDisconnect as closing:
            return closing.code, messages


def stored_rows(database_url: str, session_id: int) -> int:
    with psycopg.connect(database_url) as connection:
        row = connection.execute(
            "SELECT (SELECT count(*) FROM face_pose_events WHERE session_id = %(s)s)"
            " + (SELECT count(*) FROM object_detection_events WHERE session_id = %(s)s)"
            " + (SELECT count(*) FROM audio_transcripts WHERE session_id = %(s)s)"
            " + (SELECT count(*) FROM evidence_snapshots WHERE session_id = %(s)s)",
            {"s": session_id},
        ).fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.parametrize("kind", ["video", "audio"])
def test_no_token_in_query_or_first_message_is_4401(
    client: TestClient, session_id: int, kind: str
) -> None:
    with client.websocket_connect(f"/ws/{kind}/{session_id}") as ws:
        ws.send_bytes(b"\x00\x01")
        code, messages = closed_with(ws)
    assert code == CloseCode.UNAUTHENTICATED
    assert messages[-1]["type"] == "error"


def test_bad_token_is_4401(client: TestClient, session_id: int) -> None:
    with client.websocket_connect(f"/ws/video/{session_id}?token=not-a-jwt") as ws:
        assert closed_with(ws)[0] == CloseCode.UNAUTHENTICATED
    with client.websocket_connect(f"/ws/video/{session_id}") as ws:
        ws.send_text('{"token": "forged"}')
        assert closed_with(ws)[0] == CloseCode.UNAUTHENTICATED


def test_silent_client_times_out_with_4401(client: TestClient, session_id: int) -> None:
    started = time.monotonic()
    with client.websocket_connect(f"/ws/audio/{session_id}") as ws:
        assert closed_with(ws)[0] == CloseCode.UNAUTHENTICATED
    assert time.monotonic() - started < 10


def test_token_as_first_message_is_accepted(
    client: TestClient, session_id: int, candidate: Account
) -> None:
    with client.websocket_connect(f"/ws/audio/{session_id}") as ws:
        ws.send_json({"token": candidate.token})
        ready = ws.receive_json()
        assert ready["type"] == "ready" and ready["kind"] == "audio"
        ws.send_bytes(bytes(3200))
        assert ws.receive_json() == {"type": "ack", "received": 1, "skipped": 0, "bytes": 3200}
        ws.send_text('{"type": "finish"}')
        assert closed_with(ws)[0] == CloseCode.NORMAL


@pytest.mark.parametrize("who", ["reviewer", "other_candidate"])
def test_only_the_sessions_candidate_streams(
    client: TestClient, session_id: int, who: str, request: pytest.FixtureRequest
) -> None:
    account: Account = request.getfixturevalue(who)
    with client.websocket_connect(f"/ws/video/{session_id}?token={account.token}") as ws:
        assert closed_with(ws)[0] == CloseCode.FORBIDDEN


def test_unknown_session_is_4404(client: TestClient, candidate: Account) -> None:
    with client.websocket_connect(f"/ws/video/2000000000?token={candidate.token}") as ws:
        assert closed_with(ws)[0] == CloseCode.UNKNOWN_SESSION


def test_ended_session_is_4409(client: TestClient, session_id: int, candidate: Account) -> None:
    assert (
        client.post(f"/api/interview/{session_id}/end", headers=candidate.headers).status_code
        == 200
    )
    with client.websocket_connect(f"/ws/audio/{session_id}?token={candidate.token}") as ws:
        assert closed_with(ws)[0] == CloseCode.SESSION_ENDED


def test_session_ended_by_a_reviewer_mid_stream_closes_4409(
    client: TestClient, session_id: int, candidate: Account, reviewer: Account
) -> None:
    with client.websocket_connect(f"/ws/audio/{session_id}?token={candidate.token}") as ws:
        assert ws.receive_json()["type"] == "ready"
        ended = client.post(
            f"/api/interview/{session_id}/end",
            headers=reviewer.headers,
            json={"status": "TERMINATED"},
        )
        assert ended.status_code == 200
        assert _close_code_while_streaming(ws) == CloseCode.SESSION_ENDED


def _close_code_while_streaming(ws: WebSocketTestSession) -> int:
    """Keeps sending audio, each chunk acknowledged, until the server closes the stream: the
    status check runs between chunks, so no wall-clock margin is assumed."""
    for _ in range(10_000):
        ws.send_bytes(bytes(320))
        try:
            if ws.receive_json()["type"] != "ack":
                return closed_with(ws)[0]
        except WebSocketDisconnect as closing:
            return closing.code
    raise AssertionError("the stream stayed open after the session ended")


@pytest.mark.parametrize(
    ("kind", "payload", "code"),
    [
        ("video", b"\xff\xd8\xff" + bytes(MAX_FRAME_BYTES), CloseCode.TOO_BIG),
        ("audio", bytes(MAX_AUDIO_BYTES + 2), CloseCode.TOO_BIG),
        ("video", b"GIF89a not a jpeg at all", CloseCode.BAD_DATA),
        ("video", b"\xff\xd8\xff\xe0 truncated jpeg", CloseCode.BAD_DATA),
        ("audio", bytes(321), CloseCode.BAD_DATA),
    ],
    ids=["big-frame", "big-audio", "not-jpeg", "truncated-jpeg", "odd-pcm"],
)
def test_bad_binary_messages_close_cleanly_and_store_nothing(
    client: TestClient,
    database_url: str,
    session_id: int,
    candidate: Account,
    kind: str,
    payload: bytes,
    code: int,
) -> None:
    with client.websocket_connect(f"/ws/{kind}/{session_id}?token={candidate.token}") as ws:
        assert ws.receive_json()["type"] == "ready"
        ws.send_bytes(payload)
        closed, messages = closed_with(ws)
    assert closed == code
    assert messages[-1]["code"] == code
    assert stored_rows(database_url, session_id) == 0


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("not json", CloseCode.BAD_DATA),
        ("[1, 2]", CloseCode.BAD_DATA),
        ('{"type": "frame", "data": "base64..."}', CloseCode.UNSUPPORTED_DATA),
    ],
)
def test_bad_text_messages_close_cleanly(
    client: TestClient, session_id: int, candidate: Account, text: str, code: int
) -> None:
    with client.websocket_connect(f"/ws/video/{session_id}?token={candidate.token}") as ws:
        assert ws.receive_json()["type"] == "ready"
        ws.send_text(text)
        assert closed_with(ws)[0] == code


def test_ping_is_answered(client: TestClient, session_id: int, candidate: Account) -> None:
    with client.websocket_connect(f"/ws/video/{session_id}?token={candidate.token}") as ws:
        assert ws.receive_json()["type"] == "ready"
        ws.send_json({"type": "ping", "t": 7})
        assert ws.receive_json() == {"type": "pong", "t": 7}


def test_frames_are_acked_and_a_dropped_connection_resumes(
    client: TestClient, session_id: int, candidate: Account, frames: list[bytes]
) -> None:
    url = f"/ws/video/{session_id}?token={candidate.token}"
    with client.websocket_connect(url) as ws:
        assert ws.receive_json()["received"] == 0
        for index, frame in enumerate(frames[:2], start=1):
            ws.send_bytes(frame)
            ack = ws.receive_json()
            assert ack["type"] == "ack" and ack["received"] == index
        ws.close(1006)  # dropped, not finished: the stream waits for the candidate
    with client.websocket_connect(url) as ws:
        ready = ws.receive_json()
        assert ready["type"] == "ready" and ready["received"] == 2
        ws.send_bytes(frames[2])
        assert ws.receive_json()["received"] == 3
        ws.send_json({"type": "finish"})
        assert closed_with(ws)[0] == CloseCode.NORMAL


def test_candidates_never_receive_flags_or_risk(
    client: TestClient, session_id: int, candidate: Account, frames: list[bytes]
) -> None:
    with client.websocket_connect(f"/ws/video/{session_id}?token={candidate.token}") as ws:
        messages = [ws.receive_json()]
        for frame in frames:
            ws.send_bytes(frame)
            messages.append(ws.receive_json())
        ws.send_json({"type": "finish"})
        messages += closed_with(ws)[1]
    assert {m["type"] for m in messages} <= {"ready", "ack"}
    assert not any("risk" in m or "flags" in m or "events" in m for m in messages)


def test_review_socket_is_for_reviewers_only(
    client: TestClient, session_id: int, candidate: Account, reviewer: Account
) -> None:
    with client.websocket_connect(f"/ws/review/{session_id}?token={candidate.token}") as ws:
        assert closed_with(ws)[0] == CloseCode.FORBIDDEN
    with client.websocket_connect(f"/ws/review?token={candidate.token}") as ws:
        assert closed_with(ws)[0] == CloseCode.FORBIDDEN
    with client.websocket_connect(f"/ws/review/2000000000?token={reviewer.token}") as ws:
        assert closed_with(ws)[0] == CloseCode.UNKNOWN_SESSION
    with client.websocket_connect(f"/ws/review/{session_id}") as ws:
        ws.send_json({"token": reviewer.token})
        hello = ws.receive_json()
    assert hello["type"] == "hello" and hello["status"] == "IN_PROGRESS"


def test_reviewer_sees_the_candidate_connect(
    client: TestClient, session_id: int, candidate: Account, reviewer: Account
) -> None:
    with client.websocket_connect(f"/ws/review/{session_id}?token={reviewer.token}") as review:
        assert review.receive_json()["type"] == "hello"
        with client.websocket_connect(f"/ws/audio/{session_id}?token={candidate.token}") as ws:
            assert ws.receive_json()["type"] == "ready"
            status = review.receive_json()
            assert status["type"] == "status" and status["live"]["audio"]["connected"] is True
            ws.send_json({"type": "finish"})
            closed_with(ws)


def test_live_status_api_is_for_reviewers(
    client: TestClient, candidate: Account, reviewer: Account
) -> None:
    assert client.get("/api/live", headers=candidate.headers).status_code == 403
    body = client.get("/api/live", headers=reviewer.headers).json()
    assert body["enabled"] is True and set(body["backlog"]) == {"video", "audio"}


def test_face_check_counts_faces(
    client: TestClient, candidate: Account, frames: list[bytes]
) -> None:
    answer = client.post(
        "/api/live/face-check",
        headers={**candidate.headers, "Content-Type": "image/jpeg"},
        content=frames[0],
    )
    assert answer.json() == {"faces": 1, "ok": True, "message": "Face visible."}
    broken = client.post("/api/live/face-check", headers=candidate.headers, content=b"nope")
    assert broken.status_code == 422
    assert client.post("/api/live/face-check", content=frames[0]).status_code == 401


def test_a_dropped_stream_is_stored_as_a_gap_and_reviewers_hear_of_it(
    client: TestClient,
    session_id: int,
    candidate: Account,
    reviewer: Account,
    database_url: str,
) -> None:
    def drops() -> list[tuple[str, bool]]:
        with psycopg.connect(database_url) as connection:
            rows = connection.execute(
                "SELECT kind, ended_at IS NULL FROM stream_drops WHERE session_id = %s ORDER BY id",
                (session_id,),
            ).fetchall()
        return [(kind, open_) for kind, open_ in rows]

    url = f"/ws/audio/{session_id}?token={candidate.token}"
    with client.websocket_connect(f"/ws/review/{session_id}?token={reviewer.token}") as review:
        assert review.receive_json()["type"] == "hello"
        with client.websocket_connect(url) as ws:
            assert ws.receive_json()["type"] == "ready"
            ws.close(1006)
        while (told := review.receive_json())["type"] != "drop":
            assert told["type"] == "status"
        assert told == {"type": "drop", "session_id": session_id, "kind": "audio", "up": False}
        assert drops() == [("audio", True)]
        with client.websocket_connect(url) as ws:
            assert ws.receive_json()["type"] == "ready"
            ws.send_json({"type": "finish"})
            assert closed_with(ws)[0] == CloseCode.NORMAL
    assert drops() == [("audio", False)]
