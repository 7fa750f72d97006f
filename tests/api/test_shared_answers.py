"""Answers shared between candidates, through the API, the answer model and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api_fixtures import Api

pytestmark = pytest.mark.anyio

# A Mohler student's answer to "What is a function pointer?" and a lightly edited copy.
ORIGINAL = (
    "A function pointer is a variable that holds the address of a function, so the program can "
    "choose at run time which function to call and pass functions to other functions."
)
EDITED_COPY = (
    "a function pointer is a variable which holds the adress of a function so the program can "
    "choose at runtime which function to call, and pass functions to other functions"
)
HONEST = (
    "It stores where the code of a routine starts in memory; calling through it jumps there, "
    "which is how callbacks such as a comparator for qsort are written in C."
)


async def _questions(api: Api) -> list[dict[str, Any]]:
    response = await api.client.get("/api/questions", headers=api.headers["interviewer"])
    assert response.status_code == 200
    questions: list[dict[str, Any]] = response.json()
    return questions


async def _answer(api: Api, who: str, session_id: int, question_id: str, text: str) -> int:
    response = await api.client.post(
        f"/api/interview/{session_id}/answers",
        json={"question_id": question_id, "answer": text},
        headers=api.headers[who],
    )
    assert response.status_code == 201, response.text
    # The candidate's receipt never mentions the other session or any score.
    assert set(response.json()) == {"id", "session_id", "question_id", "answer_chars"}
    answer_id: int = response.json()["id"]
    return answer_id


async def _report(api: Api, session_id: int) -> dict[str, Any]:
    response = await api.client.get(
        f"/api/interview/{session_id}/report", headers=api.headers["interviewer"]
    )
    assert response.status_code == 200
    report: dict[str, Any] = response.json()
    return report


def _shared(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [entry for entry in report["timeline"] if entry["kind"] == "shared_answer"]


async def test_a_copied_answer_is_flagged_on_both_sessions_for_reviewers_only(api: Api) -> None:
    question_id = (await _questions(api))[0]["id"]
    first = await api.start_session("candidate")
    second = await api.start_session("other_candidate")
    original_id = await _answer(api, "candidate", first, question_id, ORIGINAL)
    assert _shared(await _report(api, first)) == []
    copy_id = await _answer(api, "other_candidate", second, question_id, EDITED_COPY)

    for session_id, other_session, answer_id, other_answer, text in (
        (second, first, copy_id, original_id, EDITED_COPY),
        (first, second, original_id, copy_id, ORIGINAL),
    ):
        report = await _report(api, session_id)
        (entry,) = _shared(report)
        assert entry["other_session_id"] == other_session and entry["tier"] == "strong"
        assert entry["answer_id"] == answer_id and entry["other_answer_id"] == other_answer
        assert entry["answer"] == text and f"Session {other_session}'s answer" in entry["text"]
        assert entry["own_jaccard"] >= 0.4 and entry["cosine"] >= 0.9
        (contribution,) = [
            c for c in report["risk"]["contributions"] if c["kind"] == "shared_answer"
        ]
        assert contribution["flags"] == [entry["ref"]] and contribution["points"] > 0
        risk = await api.client.get(
            f"/api/interview/{session_id}/risk", headers=api.headers["interviewer"]
        )
        assert risk.json()["total_risk_score"] == report["risk"]["total_risk_score"] > 0

    events_url = f"/api/interview/{second}/events/answer-match"
    listed = await api.client.get(events_url, headers=api.headers["interviewer"])
    assert [row["other_session_id"] for row in listed.json()] == [first]
    assert (
        await api.client.get(events_url, headers=api.headers["other_candidate"])
    ).status_code == 403
    own_report = f"/api/interview/{second}/report"
    assert (
        await api.client.get(own_report, headers=api.headers["other_candidate"])
    ).status_code == 403


async def test_different_answers_and_a_candidates_own_sessions_are_not_flagged(
    api: Api,
) -> None:
    question_id = (await _questions(api))[1]["id"]
    first = await api.start_session("candidate")
    again = await api.start_session("candidate")
    other = await api.start_session("other_candidate")
    await _answer(api, "candidate", first, question_id, ORIGINAL)
    # The same candidate answering again (a retake) shares nothing with anyone else.
    await _answer(api, "candidate", again, question_id, ORIGINAL)
    await _answer(api, "other_candidate", other, question_id, HONEST)
    for session_id in (first, again, other):
        assert _shared(await _report(api, session_id)) == []


async def test_a_reviewer_dismisses_a_shared_answer_flag_on_one_session(api: Api) -> None:
    question_id = (await _questions(api))[2]["id"]
    first = await api.start_session("candidate")
    second = await api.start_session("other_candidate")
    await _answer(api, "candidate", first, question_id, ORIGINAL)
    await _answer(api, "other_candidate", second, question_id, EDITED_COPY)
    (entry,) = _shared(await _report(api, second))
    dismissed = await api.client.post(
        f"/api/interview/{second}/flags/answer-match/{entry['id']}/dismiss",
        json={"reason": "they studied together; asked in the interview"},
        headers=api.headers["interviewer"],
    )
    assert dismissed.status_code == 200, dismissed.text
    kinds = {c["kind"] for c in dismissed.json()["contributions"]}
    assert "shared_answer" not in kinds
    still = await _report(api, first)
    assert "shared_answer" in {c["kind"] for c in still["risk"]["contributions"]}
