"""POST /api/events/browser: the candidate page's telemetry, and how answers arrived."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from interview_monitor.interviews.refresher import refresh_stale
from tests.api_fixtures import Api

pytestmark = pytest.mark.anyio


async def _post(api: Api, body: Any, who: str = "candidate") -> Any:
    return await api.client.post("/api/events/browser", json=body, headers=api.headers[who])


async def _report(api: Api, session_id: int) -> dict[str, Any]:
    response = await api.client.get(
        f"/api/interview/{session_id}/report", headers=api.headers["interviewer"]
    )
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


async def test_the_brief_payload_is_stored_weighed_and_explained(
    api: Api, database_url: str
) -> None:
    session_id = await api.start_session()
    body = {
        "session_id": session_id,
        "event_type": "page_hidden",
        "duration_ms": 4000,
        "details": {"reason": "tab"},
    }
    response = await _post(api, body, who="service")
    assert response.status_code == 201, response.text
    assert response.json()["stored"] == 1
    with psycopg.connect(database_url) as connection:
        row = connection.execute(
            "SELECT event_type, duration_ms, details, source FROM browser_events "
            "WHERE session_id = %s",
            (session_id,),
        ).fetchone()
    assert row == ("page_hidden", 4000, {"reason": "tab"}, "external")
    report = await _report(api, session_id)
    (entry,) = report["timeline"]
    assert (entry["kind"], entry["label"], entry["duration_ms"]) == (
        "page_hidden",
        "Interview tab hidden",
        4000,
    )
    (contribution,) = report["risk"]["contributions"]
    assert contribution["kind"] == "page_hidden" and contribution["points"] > 0
    assert contribution["explanation"].startswith("The interview tab was hidden once for 4 s")


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"event_type": "tab_switch"}, ["body", "event_type"]),
        ({"duration_ms": -1}, ["body", "duration_ms"]),
        ({"details": {"text": ["nested"]}}, ["body", "details", "text"]),
    ],
)
async def test_bad_fields_are_422s_naming_the_field(
    api: Api, change: dict[str, Any], loc: list[str]
) -> None:
    session_id = await api.start_session()
    body = {"session_id": session_id, "event_type": "paste", **change}
    response = await _post(api, body)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][: len(loc)] == loc


async def test_a_candidate_posts_for_their_own_session_only(api: Api, database_url: str) -> None:
    own = await api.start_session()
    other = await api.start_session("other_candidate")
    heartbeat = {"event_type": "heartbeat", "details": {"visible": True, "frames_sent": 10}}
    response = await _post(api, [{"session_id": own, **heartbeat}])
    assert response.status_code == 201, response.text
    refused = await _post(
        api, [{"session_id": own, **heartbeat}, {"session_id": other, **heartbeat}]
    )
    assert refused.status_code == 403
    assert refused.json()["detail"][0]["loc"] == ["body", 1, "session_id"]
    missing = await _post(api, {"session_id": 2_000_000_000, **heartbeat})
    assert missing.status_code == 404
    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT session_id, source FROM browser_events ORDER BY id"
        ).fetchall()
    assert rows == [(own, "candidate_page")]
    # A heartbeat only shows that the page is alive: never a flag.
    assert (await _report(api, own))["timeline"] == []


async def test_reviewers_cannot_post_telemetry(api: Api) -> None:
    session_id = await api.start_session()
    response = await _post(api, {"session_id": session_id, "event_type": "copy"}, "interviewer")
    assert response.status_code == 403


def _typed(text_length: int, every_ms: float) -> list[list[Any]]:
    return [[0, 0, "shown"]] + [[3000 + n * every_ms, 1, "type"] for n in range(text_length)]


async def test_a_pasted_answer_and_a_typed_one_get_different_signals(
    api: Api, database_url: str
) -> None:
    session_id = await api.start_session()
    questions = (await api.client.get("/api/questions", headers=api.headers["candidate"])).json()
    answer = "A p-value is the chance of data this extreme if the null hypothesis holds."
    typed = _typed(len(answer), 220.0)  # 4.5 characters a second: an everyday typist
    pasted = [[0, 0, "shown"], [8000, len(answer), "paste"]]
    for question, events in zip(questions, (typed, pasted), strict=False):
        response = await api.client.post(
            f"/api/interview/{session_id}/answers",
            headers=api.headers["candidate"],
            json={"question_id": question["id"], "answer": answer, "cadence": {"events": events}},
        )
        assert response.status_code == 201, response.text
    with psycopg.connect(database_url) as connection:
        verdicts = connection.execute(
            "SELECT verdict, first_key_ms, typed_chars, bulk_chars FROM answer_cadence "
            "WHERE session_id = %s ORDER BY id",
            (session_id,),
        ).fetchall()
    assert verdicts == [
        ("typed_at_human_speed", 3000, len(answer), 0),
        ("pasted_in_one_go", 8000, 0, len(answer)),
    ]
    await refresh_stale_sessions(database_url)
    report = await _report(api, session_id)
    arrivals = [a["arrival"] for a in report["answer_evaluations"]]
    assert arrivals[0].startswith("typed at human speed; first key after 3.0 s")
    assert arrivals[1].startswith("pasted in one go; first key after 8.0 s")
    kinds = {c["kind"]: c for c in report["risk"]["contributions"]}
    assert set(kinds) == {"pasted_in_one_go"}
    assert f"{len(answer)} characters pasted or dropped" in kinds["pasted_in_one_go"]["explanation"]
    bad = await api.client.post(
        f"/api/interview/{session_id}/answers",
        headers=api.headers["candidate"],
        json={
            "question_id": questions[0]["id"],
            "answer": "x",
            "cadence": {"events": [[0, 1, "key"]]},
        },
    )
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"][:3] == ["body", "cadence", "events"]


async def refresh_stale_sessions(database_url: str) -> None:
    from interview_monitor.db.engine import Database
    from interview_monitor.risk.engine import RiskModel

    database = Database.connect(database_url, pool_size=1)
    try:
        await refresh_stale(database, RiskModel())
    finally:
        await database.dispose()
