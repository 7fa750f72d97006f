"""POST /api/interview/{id}/reference-face and identity / camera flags from a live stream."""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient

from interview_monitor.config import Settings
from tests.live.harness import Account, jpeg_frames, make_account, start_session
from tests.streaming.test_routes import closed_with

MALE = "video/head-pose-face-detection-male.mp4"


@pytest.fixture(scope="module")
def other_candidate(database_url: str, settings: Settings) -> Account:
    return make_account(database_url, settings, "candidate")


def photo(test_data: Path, relative: str) -> bytes:
    image = cv2.imread(str(test_data / relative))
    return cv2.imencode(".jpg", image)[1].tobytes()


def upload(
    client: TestClient, account: Account, session_id: int, body: bytes, source: str = "id_photo"
) -> httpx.Response:
    return client.post(
        f"/api/interview/{session_id}/reference-face?source={source}",
        headers={**account.headers, "Content-Type": "image/jpeg"},
        content=body,
    )


def stored_reference(database_url: str, session_id: int) -> tuple[str, int] | None:
    with psycopg.connect(database_url) as connection:
        row = connection.execute(
            "SELECT source, cardinality(embedding) FROM reference_faces WHERE session_id = %s",
            (session_id,),
        ).fetchone()
    return None if row is None else (row[0], row[1])


@pytest.mark.parametrize(
    ("relative", "words"),
    [
        ("images/faces/dogs.jpg", "no face"),
        ("images/faces/group_selfie_4_faces.jpg", "more than one face"),
    ],
)
def test_a_photo_without_one_face_is_refused_naming_the_body(
    client: TestClient, candidate: Account, test_data: Path, relative: str, words: str
) -> None:
    session_id = start_session(client, candidate)
    refused = upload(client, candidate, session_id, photo(test_data, relative))
    assert refused.status_code == 422
    [detail] = refused.json()["detail"]
    assert detail["loc"] == ["body"] and words in detail["msg"]


def test_a_body_that_is_no_image_is_refused(client: TestClient, candidate: Account) -> None:
    session_id = start_session(client, candidate)
    refused = upload(client, candidate, session_id, b"not an image")
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body"]


def test_an_id_photo_is_stored_and_the_camera_check_does_not_replace_it(
    client: TestClient,
    candidate: Account,
    other_candidate: Account,
    reviewer: Account,
    database_url: str,
    test_data: Path,
) -> None:
    session_id = start_session(client, candidate)
    face = photo(test_data, "images/faces/Tom_Cruise_avp_2014_4.jpg")
    assert upload(client, other_candidate, session_id, face).status_code == 403
    check = upload(client, candidate, session_id, face, "system_check")
    assert check.status_code == 201 and check.json()["stored"] is True
    assert stored_reference(database_url, session_id) == ("system check", 128)
    assert upload(client, reviewer, session_id, face).json()["stored"] is True
    again = upload(client, candidate, session_id, face, "system_check")
    assert again.status_code == 201 and again.json()["stored"] is False
    assert stored_reference(database_url, session_id) == ("uploaded photo", 128)


def test_a_stream_of_someone_else_and_a_virtual_camera_are_flagged(
    client: TestClient, candidate: Account, database_url: str, test_data: Path
) -> None:
    """The reference is Tom Cruise; the man of the male clip streams through OBS."""
    session_id = start_session(client, candidate)
    tom = photo(test_data, "images/faces/Tom_Cruise_avp_2014_4.jpg")
    assert upload(client, candidate, session_id, tom).status_code == 201
    frames = jpeg_frames(test_data / MALE, 4.0)
    with client.websocket_connect(f"/ws/video/{session_id}?token={candidate.token}") as ws:
        assert ws.receive_json()["type"] == "ready"
        ws.send_json({"type": "camera", "label": "OBS Virtual Camera"})
        for frame in frames:  # 21 frames over ~5 s: one judged face a second
            ws.send_bytes(frame)
            assert ws.receive_json()["type"] == "ack"
            time.sleep(0.25)
        ws.send_json({"type": "finish"})
        closed_with(ws)
    deadline = time.monotonic() + 30
    while True:
        with psycopg.connect(database_url) as connection:
            rows = connection.execute(
                "SELECT event_type, snapshot_url FROM face_pose_events WHERE session_id = %s",
                (session_id,),
            ).fetchall()
        kinds = {kind: url for kind, url in rows}
        if {"identity_mismatch", "virtual_camera"} <= set(kinds) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert {"identity_mismatch", "virtual_camera"} <= set(kinds)
    assert kinds["identity_mismatch"] and kinds["identity_mismatch"].startswith("/api/evidence/")
