from __future__ import annotations

import pytest

from tests.api_fixtures import Api

pytestmark = pytest.mark.anyio


async def _ingest(api: Api, kind: str, payload: dict[str, object]) -> dict[str, object]:
    response = await api.client.post(
        f"/api/events/{kind}", json=payload, headers=api.headers["service"]
    )
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


async def test_start_returns_201_with_a_session_id(api: Api) -> None:
    response = await api.client.post("/api/interview/start", headers=api.headers["candidate"])
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "IN_PROGRESS" and body["user_id"] == api.user_ids["candidate"]


async def test_reviewers_start_sessions_for_a_named_candidate(api: Api) -> None:
    response = await api.client.post(
        "/api/interview/start",
        json={"user_id": api.user_ids["candidate"], "title": "Backend engineer"},
        headers=api.headers["interviewer"],
    )
    assert response.status_code == 201 and response.json()["title"] == "Backend engineer"
    missing = await api.client.post(
        "/api/interview/start", json={}, headers=api.headers["interviewer"]
    )
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["body", "user_id"]
    unknown = await api.client.post(
        "/api/interview/start", json={"user_id": 9999}, headers=api.headers["admin"]
    )
    assert unknown.status_code == 404
    service = await api.client.post(
        "/api/interview/start",
        json={"user_id": api.user_ids["service"]},
        headers=api.headers["interviewer"],
    )
    assert service.status_code == 422 and service.json()["detail"][0]["loc"] == ["body", "user_id"]


async def test_risk_follows_events_and_ending(api: Api) -> None:
    session_id = await api.start_session()
    risk = (
        await api.client.get(
            f"/api/interview/{session_id}/risk", headers=api.headers["interviewer"]
        )
    ).json()
    assert risk == {
        "session_id": session_id,
        "total_risk_score": 0.0,
        "risk_level": "LOW",
        "contributions": [],
    }
    await _ingest(
        api,
        "object-detection",
        {"session_id": session_id, "object_detected": "cell phone", "confidence_score": 95.5},
    )
    await _ingest(
        api,
        "object-detection",
        {"session_id": session_id, "object_detected": "person", "confidence_score": 90},
    )
    risk = (
        await api.client.get(
            f"/api/interview/{session_id}/risk", headers=api.headers["interviewer"]
        )
    ).json()
    assert risk["risk_level"] == "HIGH"
    assert [c["kind"] for c in risk["contributions"]] == ["phone", "extra_person"]
    ended = await api.client.post(
        f"/api/interview/{session_id}/end", headers=api.headers["interviewer"]
    )
    assert (
        ended.status_code == 200
        and ended.json()["status"] == "COMPLETED"
        and ended.json()["end_time"]
    )
    again = await api.client.post(
        f"/api/interview/{session_id}/end", headers=api.headers["interviewer"]
    )
    assert again.status_code == 409


async def test_dismissing_a_flag_updates_the_score_and_keeps_the_flag(api: Api) -> None:
    session_id = await api.start_session()
    stored = await _ingest(
        api,
        "object-detection",
        {"session_id": session_id, "object_detected": "cell phone", "confidence_score": 95.5},
    )
    event_id = stored["ids"][0]  # type: ignore[index]
    dismissed = await api.client.post(
        f"/api/interview/{session_id}/flags/object-detection/{event_id}/dismiss",
        json={"reason": "it was a calculator"},
        headers=api.headers["interviewer"],
    )
    assert dismissed.status_code == 200 and dismissed.json()["total_risk_score"] == 0
    report = (
        await api.client.get(f"/api/interview/{session_id}/report", headers=api.headers["admin"])
    ).json()
    entry = report["timeline"][0]
    assert entry["dismissed"]["by"] == api.user_ids["interviewer"]
    assert entry["dismissed"]["reason"] == "it was a calculator"
    summary = (await api.client.get("/api/interviews", headers=api.headers["admin"])).json()[
        "items"
    ][0]
    assert summary["phone_detection_count"] == 0 and summary["total_risk_score"] == 0
    wrong = await api.client.post(
        f"/api/interview/{session_id}/flags/face-pose/{event_id}/dismiss",
        headers=api.headers["interviewer"],
    )
    assert wrong.status_code == 404


async def test_report_has_everything_a_reviewer_needs(api: Api) -> None:
    session_id = await api.start_session()
    await _ingest(
        api,
        "face-pose",
        {
            "session_id": session_id,
            "event_type": "looking_away",
            "duration_ms": 3500,
            "severity_score": 4,
            "confidence_score": 88,
        },
    )
    await _ingest(
        api,
        "audio-transcript",
        {
            "session_id": session_id,
            "text_content": "hey siri what's the answer",
            "is_multiple_speakers": True,
            "flagged_phrases": ["hey siri"],
        },
    )
    await _ingest(
        api,
        "answer-evaluation",
        {
            "session_id": session_id,
            "ai_relevance_score": 70,
            "ai_feedback": "ok",
            "question_id": "q1",
        },
    )
    report = (
        await api.client.get(f"/api/interview/{session_id}/report", headers=api.headers["admin"])
    ).json()
    assert report["candidate"]["username"] == "alice"
    assert {c["kind"] for c in report["risk"]["contributions"]} == {
        "looking_away",
        "multiple_speakers",
        "spoken_cue",
    }
    assert len(report["timeline"]) == 2 and report["transcripts"][0]["flagged_phrases"] == [
        "hey siri"
    ]
    assert report["answer_evaluations"][0]["question_id"] == "q1"
    assert report["risk_history"][0]["total_risk_score"] == 0 and len(report["risk_history"]) >= 3


async def test_sessions_list_filters_and_sorts(api: Api) -> None:
    first = await api.start_session()
    second = await api.start_session("other_candidate")
    await _ingest(
        api,
        "object-detection",
        {"session_id": second, "object_detected": "cell phone", "confidence_score": 99},
    )
    await api.client.post(f"/api/interview/{first}/end", headers=api.headers["admin"])
    admin = api.headers["admin"]
    await api.client.get(f"/api/interview/{second}/risk", headers=admin)
    by_risk = (
        await api.client.get("/api/interviews?sort=total_risk_score&order=desc", headers=admin)
    ).json()
    assert [item["session_id"] for item in by_risk["items"]] == [second, first]
    completed = (await api.client.get("/api/interviews?status=COMPLETED", headers=admin)).json()
    assert completed["total"] == 1 and completed["items"][0]["session_id"] == first
    medium = (await api.client.get("/api/interviews?risk_level=MEDIUM", headers=admin)).json()
    assert [item["session_id"] for item in medium["items"]] == [second]
    searched = (await api.client.get("/api/interviews?q=bob", headers=admin)).json()
    assert [item["session_id"] for item in searched["items"]] == [second]
    for wildcard in ("%25", "_", "%5C"):  # %, _ and \ are matched as typed
        found = (await api.client.get(f"/api/interviews?q={wildcard}", headers=admin)).json()
        assert found["total"] == 0, wildcard
    bad = await api.client.get("/api/interviews?sort=password_hash", headers=admin)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "sort"]


async def test_sql_and_python_risk_levels_agree(api: Api, database_url: str) -> None:
    import psycopg

    from interview_monitor.risk.engine import risk_level

    with psycopg.connect(database_url) as connection:
        for score in (0, 29.99, 30, 59.99, 60, 100):
            sql_level = connection.execute("SELECT risk_level(%s::numeric)", (score,)).fetchone()[0]
            assert sql_level == risk_level(score).value


@pytest.mark.parametrize(
    "path", ["/api/interview/0/risk", "/api/interview/-1/risk", "/api/interview/abc/risk"]
)
async def test_bad_ids_are_422(api: Api, path: str) -> None:
    response = await api.client.get(path, headers=api.headers["admin"])
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "session_id"]


@pytest.mark.parametrize(
    ("method", "path", "field"),
    [
        ("DELETE", "/api/users/99999999999", "user_id"),
        ("POST", "/api/users/99999999999/api-keys", "user_id"),
        ("DELETE", "/api/users/1/api-keys/99999999999", "key_id"),
        ("GET", "/api/questions?offset=9223372036854775808", "offset"),
        ("GET", "/api/interview/1/events/object-detection?offset=9223372036854775808", "offset"),
    ],
)
async def test_numbers_too_large_for_the_database_are_422_naming_the_field(
    api: Api, method: str, path: str, field: str
) -> None:
    response = await api.client.request(
        method, path, headers=api.headers["admin"], json={"name": "k"}
    )
    assert response.status_code == 422, response.text
    assert field in response.json()["detail"][0]["loc"]


async def test_unknown_sessions_are_404(api: Api) -> None:
    for method, path in [
        ("GET", "/api/interview/4242/risk"),
        ("POST", "/api/interview/4242/end"),
        ("GET", "/api/interview/4242/report"),
    ]:
        response = await api.client.request(method, path, headers=api.headers["admin"])
        assert response.status_code == 404, path
