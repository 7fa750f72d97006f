from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from interview_monitor.config import Settings
from tests.live.harness import Account, live_client, make_account, start_session


@pytest.fixture(scope="module")
def client(database_url: str, home: Path) -> Iterator[TestClient]:
    with live_client(database_url, home) as client:
        yield client


@pytest.fixture(scope="module")
def question(client: TestClient, reviewer: Account) -> dict[str, str]:
    questions = client.get("/api/questions", headers=reviewer.headers).json()
    with_reference: dict[str, str] = next(q for q in questions if q["reference_answer"])
    return with_reference


def test_candidates_get_questions_without_reference_answers(
    client: TestClient, candidate: Account, question: dict[str, str]
) -> None:
    questions = client.get("/api/questions?limit=500", headers=candidate.headers).json()
    assert question["id"] in {q["id"] for q in questions}
    assert all(q["reference_answer"] is None for q in questions)
    assert client.get("/api/questions").status_code == 401


def test_an_answer_is_scored_and_stored_but_the_candidate_sees_no_score(
    client: TestClient,
    database_url: str,
    candidate: Account,
    reviewer: Account,
    question: dict[str, str],
) -> None:
    session_id = start_session(client, candidate)
    answer = question["reference_answer"][:400]
    response = client.post(
        f"/api/interview/{session_id}/answers",
        headers=candidate.headers,
        json={"question_id": question["id"], "answer": answer},
    )
    assert response.status_code == 201, response.text
    assert set(response.json()) == {"id", "session_id", "question_id", "answer_chars"}
    with psycopg.connect(database_url) as connection:
        row = connection.execute(
            "SELECT question_id, question_text, candidate_answer, ai_relevance_score, ai_feedback "
            "FROM answer_evaluations WHERE id = %s",
            (response.json()["id"],),
        ).fetchone()
    assert row is not None
    assert row[0] == question["id"] and row[1] == question["question"] and row[2] == answer.strip()
    assert 50 <= float(row[3]) <= 100 and row[4]
    report = client.get(f"/api/interview/{session_id}/report", headers=reviewer.headers).json()
    assert report["answer_evaluations"][0]["ai_relevance_score"] == float(row[3])


def test_answer_errors(
    client: TestClient,
    database_url: str,
    settings: Settings,
    candidate: Account,
    reviewer: Account,
    question: dict[str, str],
) -> None:
    session_id = start_session(client, candidate)
    url = f"/api/interview/{session_id}/answers"
    body = {"question_id": question["id"], "answer": "An answer."}
    unknown = client.post(url, headers=candidate.headers, json={**body, "question_id": "nope"})
    assert unknown.status_code == 404 and unknown.json()["detail"][0]["loc"] == [
        "body",
        "question_id",
    ]
    blank = client.post(url, headers=candidate.headers, json={**body, "answer": "  "})
    assert blank.status_code == 422
    extra = client.post(url, headers=candidate.headers, json={**body, "score": 100})
    assert extra.status_code == 422
    assert client.post(url, headers=reviewer.headers, json=body).status_code == 403
    stranger = make_account(database_url, settings, "candidate")
    assert client.post(url, headers=stranger.headers, json=body).status_code == 403
    assert (
        client.post(
            "/api/interview/2000000000/answers", headers=candidate.headers, json=body
        ).status_code
        == 404
    )
    client.post(f"/api/interview/{session_id}/end", headers=candidate.headers)
    ended = client.post(url, headers=candidate.headers, json=body)
    assert ended.status_code == 409
    assert ended.json()["detail"][0]["loc"] == ["path", "session_id"]


def test_the_session_reviewers_hear_of_an_answer_once_it_is_stored(
    client: TestClient, candidate: Account, reviewer: Account, question: dict[str, str]
) -> None:
    session_id = start_session(client, candidate)
    url = f"/api/interview/{session_id}/answers"
    body = {"question_id": question["id"], "answer": question["reference_answer"][:200]}
    with client.websocket_connect(f"/ws/review/{session_id}?token={reviewer.token}") as ws:
        assert ws.receive_json()["type"] == "hello"
        assert client.post(url, headers=candidate.headers, json=body).status_code == 201
        update = ws.receive_json()
    assert update["type"] == "answer" and update["session_id"] == session_id
    assert update["question_id"] == question["id"] and 0 <= update["ai_relevance_score"] <= 100


def test_an_answer_sent_again_with_its_answer_id_is_stored_once(
    client: TestClient, database_url: str, candidate: Account, question: dict[str, str]
) -> None:
    session_id = start_session(client, candidate)
    body = {"question_id": question["id"], "answer": "A stack is LIFO.", "answer_id": "a-1"}
    first, again = (
        client.post(f"/api/interview/{session_id}/answers", headers=candidate.headers, json=body)
        for _ in range(2)
    )
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    other = client.post(
        f"/api/interview/{session_id}/answers",
        headers=candidate.headers,
        json={**body, "answer_id": "a-2"},
    )
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]
    with psycopg.connect(database_url) as connection:
        stored = connection.execute(
            "SELECT count(*) FROM answer_evaluations WHERE session_id = %s", (session_id,)
        ).fetchone()
    assert stored == (2,)
