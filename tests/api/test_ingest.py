"""The seed's AI-module payloads, byte for byte, and everything that must be refused."""

from __future__ import annotations

import anyio
import pytest

from tests.api_fixtures import Api

pytestmark = pytest.mark.anyio

SEED_PAYLOADS = {
    "object-detection": '{"session_id": 123, "object_detected": "cell phone", "confidence_score": 95.5}',
    "face-pose": '{"session_id": 123, "event_type": "looking_away", "duration_ms": 3500, "severity_score": 3}',
    "audio-transcript": '{"session_id": 123, "text_content": "My answer is...", "is_multiple_speakers": false}',
    "answer-evaluation": '{"session_id": 123, "ai_relevance_score": 85.5, "ai_feedback": "Good understanding..."}',
}


async def _post(api: Api, kind: str, body: str, who: str = "service") -> object:
    return await api.client.post(
        f"/api/events/{kind}",
        content=body.encode(),
        headers={**api.headers[who], "Content-Type": "application/json"},
    )


@pytest.mark.parametrize("kind", sorted(SEED_PAYLOADS))
async def test_seed_payloads_are_accepted_as_written(api: Api, kind: str) -> None:
    session_id = await api.start_session()
    body = SEED_PAYLOADS[kind].replace('"session_id": 123', f'"session_id": {session_id}')
    response = await _post(api, kind, body)
    assert response.status_code == 201, response.text
    assert response.json()["stored"] == 1
    report = (
        await api.client.get(f"/api/interview/{session_id}/report", headers=api.headers["admin"])
    ).json()
    if kind == "object-detection":
        assert (
            report["timeline"][0]["kind"] == "cell phone"
            and report["timeline"][0]["confidence"] == 95.5
        )
        assert report["risk"]["total_risk_score"] > 0
    elif kind == "face-pose":
        assert (
            report["timeline"][0]["duration_ms"] == 3500
            and report["timeline"][0]["severity_score"] == 3
        )
    elif kind == "audio-transcript":
        assert report["transcripts"][0]["text_content"] == "My answer is..."
    else:
        assert report["answer_evaluations"][0]["ai_relevance_score"] == 85.5
        assert report["answer_evaluations"][0]["ai_feedback"] == "Good understanding..."


async def test_seed_session_123_is_refused_when_unknown_with_the_field_named(api: Api) -> None:
    response = await _post(api, "object-detection", SEED_PAYLOADS["object-detection"])
    assert response.status_code == 404
    assert response.json()["detail"][0]["loc"] == ["body", 0, "session_id"]


async def test_a_list_is_all_or_nothing(api: Api) -> None:
    session_id = await api.start_session()
    good = {"session_id": session_id, "object_detected": "cell phone", "confidence_score": 90}
    bad = {"session_id": session_id + 1000, "object_detected": "person", "confidence_score": 90}
    response = await api.client.post(
        "/api/events/object-detection", json=[good, bad], headers=api.headers["service"]
    )
    assert response.status_code == 404
    assert response.json()["detail"][0]["loc"] == ["body", 1, "session_id"]
    events = await api.client.get(
        f"/api/interview/{session_id}/events/object-detection", headers=api.headers["admin"]
    )
    assert events.json() == []


async def test_a_batch_is_stored_and_the_risk_refreshed_in_the_background(api: Api) -> None:
    session_id = await api.start_session()
    batch = [
        {
            "session_id": session_id,
            "event_type": "looking_away",
            "duration_ms": 1000 * i,
            "severity_score": 1 + i % 5,
        }
        for i in range(500)
    ]
    response = await api.client.post(
        "/api/events/face-pose", json=batch, headers=api.headers["service"]
    )
    assert response.status_code == 201
    body = response.json()
    assert body["stored"] == 500 and len(set(body["ids"])) == 500
    deadline = anyio.current_time() + 5
    stored_score = 0.0
    while anyio.current_time() < deadline and stored_score == 0:
        await anyio.sleep(0.1)
        listing = (await api.client.get("/api/interviews", headers=api.headers["admin"])).json()
        stored_score = listing["items"][0]["total_risk_score"]
    risk = (
        await api.client.get(f"/api/interview/{session_id}/risk", headers=api.headers["admin"])
    ).json()
    assert stored_score == risk["total_risk_score"] > 0


async def test_the_same_event_id_is_stored_once(api: Api) -> None:
    session_id = await api.start_session()
    payload = {
        "session_id": session_id,
        "object_detected": "cell phone",
        "confidence_score": 80,
        "event_id": "yolo-1",
    }
    first = (
        await api.client.post(
            "/api/events/object-detection", json=payload, headers=api.headers["service"]
        )
    ).json()
    second = (
        await api.client.post(
            "/api/events/object-detection", json=[payload, payload], headers=api.headers["service"]
        )
    ).json()
    assert (first["stored"], second["stored"], second["duplicates"]) == (1, 0, 2)


async def test_events_for_an_ended_session_are_refused(api: Api) -> None:
    session_id = await api.start_session()
    await api.client.post(f"/api/interview/{session_id}/end", headers=api.headers["candidate"])
    payload = {"session_id": session_id, "text_content": "late", "is_multiple_speakers": False}
    response = await api.client.post(
        "/api/events/audio-transcript", json=payload, headers=api.headers["service"]
    )
    assert response.status_code == 409
    assert response.json()["detail"][0]["loc"] == ["body", 0, "session_id"]


BAD_PAYLOADS = [
    ("object-detection", {"object_detected": "cell phone", "confidence_score": 95.5}, "session_id"),
    (
        "object-detection",
        {"session_id": 1, "object_detected": "cell phone", "confidence_score": 100.5},
        "confidence_score",
    ),
    (
        "object-detection",
        {"session_id": 1, "object_detected": "cell phone", "confidence_score": "95.5"},
        "confidence_score",
    ),
    (
        "object-detection",
        {"session_id": 1, "object_detected": "", "confidence_score": 9},
        "object_detected",
    ),
    (
        "object-detection",
        {"session_id": True, "object_detected": "x", "confidence_score": 9},
        "session_id",
    ),
    (
        "object-detection",
        {"session_id": 1, "object_detected": "x", "confidence_score": 9, "colour": "red"},
        "colour",
    ),
    (
        "face-pose",
        {"session_id": 1, "event_type": "looking_away", "severity_score": 6},
        "severity_score",
    ),
    (
        "face-pose",
        {"session_id": 1, "event_type": "looking_away", "duration_ms": -5},
        "duration_ms",
    ),
    (
        "face-pose",
        {"session_id": 1, "event_type": "looking_away", "duration_ms": 3.5},
        "duration_ms",
    ),
    ("face-pose", {"session_id": 99999999999, "event_type": "looking_away"}, "session_id"),
    ("audio-transcript", {"session_id": 1, "is_multiple_speakers": False}, "text_content"),
    (
        "audio-transcript",
        {"session_id": 1, "text_content": "x", "is_multiple_speakers": "no"},
        "is_multiple_speakers",
    ),
    (
        "audio-transcript",
        {"session_id": 1, "text_content": "a\x00b", "is_multiple_speakers": False},
        "text_content",
    ),
    # A time PostgreSQL would store but Python could not read back (year 1 BC in UTC).
    (
        "face-pose",
        {"session_id": 1, "event_type": "looking_away", "timestamp": "0001-01-01T00:00:00+14:00"},
        "timestamp",
    ),
    (
        "audio-transcript",
        {
            "session_id": 1,
            "text_content": "x",
            "is_multiple_speakers": False,
            "end_timestamp": "9999-12-31T23:59:59-14:00",
        },
        "end_timestamp",
    ),
    (
        "object-detection",
        {
            "session_id": 1,
            "object_detected": "cell phone",
            "confidence_score": 95.5,
            "snapshot_url": "javascript:alert(1)",
        },
        "snapshot_url",
    ),
    (
        "object-detection",
        {
            "session_id": 1,
            "object_detected": "cell phone",
            "confidence_score": 95.5,
            "snapshot_url": "//evil.example/x.jpg",
        },
        "snapshot_url",
    ),
    ("answer-evaluation", {"session_id": 1, "ai_relevance_score": -1}, "ai_relevance_score"),
    (
        "answer-evaluation",
        {"session_id": 1, "ai_relevance_score": 50, "ai_feedback": 7},
        "ai_feedback",
    ),
]


@pytest.mark.parametrize(("kind", "payload", "field"), BAD_PAYLOADS)
async def test_bad_payloads_are_422_naming_the_field(
    api: Api, kind: str, payload: dict[str, object], field: str
) -> None:
    response = await api.client.post(
        f"/api/events/{kind}", json=payload, headers=api.headers["service"]
    )
    assert response.status_code == 422, response.text
    assert any(field in detail["loc"] for detail in response.json()["detail"]), response.json()


@pytest.mark.parametrize("body", [b"", b"{", b"[]", b"null", b"42", b'"text"'])
async def test_malformed_bodies_are_422(api: Api, body: bytes) -> None:
    response = await api.client.post(
        "/api/events/object-detection",
        content=body,
        headers={**api.headers["service"], "Content-Type": "application/json"},
    )
    assert response.status_code == 422


async def test_a_bad_field_is_named_plainly_in_one_event_and_in_a_list(api: Api) -> None:
    bad = {"session_id": 1, "event_type": "looking_away", "duration_ms": -5}
    for body, loc in ((bad, ["body", "duration_ms"]), ([bad, bad], ["body", 0, "duration_ms"])):
        response = await api.client.post(
            "/api/events/face-pose", json=body, headers=api.headers["service"]
        )
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == loc
        assert "Payload" not in response.text and "valid list" not in response.text
