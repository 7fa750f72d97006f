"""Notes, outcomes, restoring a dismissed flag, the audit trail, counts and the CSV export."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from interview_monitor.review.audit import AuditAction
from interview_monitor.review.schemas import Outcome
from tests.api_fixtures import Api

pytestmark = pytest.mark.anyio
MIGRATION = (
    Path(__file__).resolve().parents[2] / "src/interview_monitor/db/migrations/0007_review_work.sql"
)


def _check_values(constraint: str) -> set[str]:
    sql = MIGRATION.read_text()
    block = sql[sql.index(constraint) :].split(")", 1)[0]
    return set(re.findall(r"'([a-z_]+)'", block))


def test_the_migration_checks_the_same_actions_and_outcomes() -> None:
    assert _check_values("review_audit_events_action_check") == {a.value for a in AuditAction}
    assert _check_values("review_outcomes_outcome_check") == {o.value for o in Outcome}


async def _second_person(api: Api) -> tuple[int, list[int]]:
    """A session where one second person raised three flags at once, and a phone later."""
    session_id = await api.start_session()
    ids: list[int] = []
    for kind, payload in (
        ("face-pose", {"event_type": "multiple_faces", "duration_ms": 4000}),
        ("object-detection", {"object_detected": "person", "confidence_score": 90}),
        ("face-pose", {"event_type": "head_turned", "duration_ms": 1000}),
    ):
        response = await api.client.post(
            f"/api/events/{kind}",
            json={"session_id": session_id, "timestamp": "2030-01-01T10:00:08Z", **payload},
            headers=api.headers["service"],
        )
        assert response.status_code == 201, response.text
        ids.append(response.json()["ids"][0])
    phone = await api.client.post(
        "/api/events/object-detection",
        json={
            "session_id": session_id,
            "timestamp": "2030-01-01T10:05:00Z",
            "object_detected": "cell phone",
            "confidence_score": 80,
        },
        headers=api.headers["service"],
    )
    ids.append(phone.json()["ids"][0])
    return session_id, ids


async def test_review_record_groups_flags_into_incidents(api: Api) -> None:
    session_id, ids = await _second_person(api)
    record = await api.client.get(f"/api/review/{session_id}", headers=api.headers["interviewer"])
    assert record.status_code == 200, record.text
    incidents = record.json()["incidents"]
    assert [len(i["parts"]) for i in incidents] == [3, 1]
    assert incidents[0]["cause"] == "Another person present"
    assert incidents[0]["ref"] == f"face_pose_events:{ids[0]}"
    counts = await api.client.get(
        f"/api/review/counts?session_id={session_id}", headers=api.headers["interviewer"]
    )
    assert counts.json() == [
        {
            "session_id": session_id,
            "flags": 4,
            "incidents": 2,
            "flagged_s": 4.0,
            "outcome": None,
        }
    ]


async def test_notes_outcome_and_undo_land_in_the_audit_trail(api: Api) -> None:
    session_id, ids = await _second_person(api)
    headers = api.headers["interviewer"]
    incident = f"face_pose_events:{ids[0]}"
    assert (
        await api.client.post(f"/api/review/{session_id}/views", headers=headers)
    ).status_code == 204
    note = await api.client.post(
        f"/api/review/{session_id}/notes",
        json={"body": "  His sister walked in.  ", "incident_ref": incident},
        headers=headers,
    )
    assert note.status_code == 201 and note.json()["body"] == "His sister walked in."
    await api.client.post(
        f"/api/review/{session_id}/notes", json={"body": "Calm otherwise."}, headers=headers
    )
    dismissed = await api.client.post(
        f"/api/interview/{session_id}/flags/object-detection/{ids[3]}/dismiss",
        json={"reason": "a calculator"},
        headers=headers,
    )
    score_without = dismissed.json()["total_risk_score"]
    restored = await api.client.post(
        f"/api/interview/{session_id}/flags/object-detection/{ids[3]}/restore", headers=headers
    )
    assert restored.status_code == 200 and restored.json()["total_risk_score"] > score_without
    again = await api.client.post(
        f"/api/interview/{session_id}/flags/object-detection/{ids[3]}/restore", headers=headers
    )
    assert again.status_code == 409 and again.json()["detail"][0]["loc"] == ["path", "event_id"]
    outcome = await api.client.put(
        f"/api/review/{session_id}/outcome", json={"outcome": "needs_follow_up"}, headers=headers
    )
    assert outcome.status_code == 200 and outcome.json()["set_by_name"] == "Ivan"
    await api.client.post(f"/api/interview/{session_id}/end", headers=headers)
    pdf = await api.client.get(f"/api/interview/{session_id}/report?format=pdf", headers=headers)
    assert pdf.status_code == 200

    record = (await api.client.get(f"/api/review/{session_id}", headers=headers)).json()
    assert [(a["actor_name"], a["action"]) for a in record["audit"]] == [
        ("Ivan", "viewed"),
        ("Ivan", "noted"),
        ("Ivan", "noted"),
        ("Ivan", "dismissed"),
        ("Ivan", "restored"),
        ("Ivan", "outcome_set"),
        ("Ivan", "ended"),
        ("Ivan", "exported"),
    ]
    assert record["audit"][3]["detail"] == f"object_detection_events:{ids[3]}: a calculator"
    assert [n["incident_ref"] for n in record["notes"]] == [incident, None]
    assert record["outcome"]["outcome"] == "needs_follow_up"


async def test_the_report_names_who_dismissed_and_why(api: Api) -> None:
    session_id, ids = await _second_person(api)
    await api.client.post(
        f"/api/interview/{session_id}/flags/object-detection/{ids[3]}/dismiss",
        json={"reason": "a calculator"},
        headers=api.headers["admin"],
    )
    page = await api.client.get(
        f"/api/interview/{session_id}/report?format=html", headers=api.headers["interviewer"]
    )
    assert "dismissed by Root at " in page.text and ": a calculator" in page.text
    assert "Audit trail" in page.text and "exported" not in page.text.split("Audit trail")[0]


@pytest.mark.parametrize(
    ("path", "body", "loc"),
    [
        ("notes", {"body": "   "}, ["body", "body"]),
        ("notes", {"body": "x", "incident_ref": "face_pose_events:999"}, ["body", "incident_ref"]),
        ("notes", {"body": "x", "incident_ref": "nonsense"}, ["body", "incident_ref"]),
        ("outcome", {"outcome": "guilty"}, ["body", "outcome"]),
    ],
)
async def test_bad_review_input_is_a_4xx_naming_the_field(
    api: Api, path: str, body: dict[str, str], loc: list[str]
) -> None:
    session_id = await api.start_session()
    method = api.client.put if path == "outcome" else api.client.post
    response = await method(
        f"/api/review/{session_id}/{path}", json=body, headers=api.headers["interviewer"]
    )
    assert 400 <= response.status_code < 500 and response.json()["detail"][0]["loc"] == loc


async def test_only_reviewers_do_review_work(api: Api) -> None:
    session_id = await api.start_session()
    for response in (
        await api.client.post(
            f"/api/review/{session_id}/notes", json={"body": "x"}, headers=api.headers["candidate"]
        ),
        await api.client.get("/api/review/sessions.csv", headers=api.headers["candidate"]),
        await api.client.get(f"/api/review/{session_id}", headers=api.headers["service"]),
    ):
        assert response.status_code == 403
    assert (await api.client.get("/api/review/sessions.csv")).status_code == 401


async def test_the_session_list_exports_as_csv(api: Api) -> None:
    session_id, _ids = await _second_person(api)
    await api.client.put(
        f"/api/review/{session_id}/outcome",
        json={"outcome": "cleared"},
        headers=api.headers["admin"],
    )
    response = await api.client.get(
        "/api/review/sessions.csv?sort=full_name&order=asc", headers=api.headers["interviewer"]
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [
        (r["session_id"], r["full_name"], r["flags"], r["incidents"], r["outcome"]) for r in rows
    ] == [(str(session_id), "Alice", "4", "2", "cleared")]
    bad = await api.client.get(
        "/api/review/counts?session_id=0", headers=api.headers["interviewer"]
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "session_id", 0]
