"""GET /api/questions and POST /api/interview/{id}/answers."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, status

from interview_monitor.deps import CurrentUser, DbSession, RiskModelDep
from interview_monitor.errors import ForbiddenError, InvalidInputError
from interview_monitor.events.service import store_detected
from interview_monitor.interviews.service import ensure_in_progress, get_session, is_reviewer
from interview_monitor.live.runtime import LiveRuntime
from interview_monitor.questions import service
from interview_monitor.questions.evaluation import AnswerEvaluator
from interview_monitor.questions.schemas import AnswerRequest, AnswerStored, QuestionRead
from interview_monitor.signals import DetectedEvent

router = APIRouter(tags=["questions"])
SessionId = Annotated[int, Path(ge=1, le=2_147_483_647)]


@router.get("/api/questions")
async def list_questions(
    db: DbSession,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[QuestionRead]:
    """The question bank in order (built-in questions when nothing was loaded)."""
    show_reference = is_reviewer(user)
    return [
        QuestionRead(
            id=question.id,
            question=question.question,
            position=question.position,
            reference_answer=question.reference_answer if show_reference else None,
        )
        for question in await service.list_questions(db, limit, offset)
    ]


@router.post("/api/interview/{session_id}/answers", status_code=status.HTTP_201_CREATED)
async def submit_answer(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    model: RiskModelDep,
    session_id: SessionId,
    body: AnswerRequest,
) -> AnswerStored:
    """The candidate's answer to a bank question, scored for relevance and stored for review."""
    interview = await get_session(db, session_id, user)
    if interview.user_id != user.id:
        raise ForbiddenError("only the session's candidate answers its questions")
    await ensure_in_progress(db, session_id)
    question = await service.get_question(db, body.question_id)
    answer = body.answer.strip()
    if not answer and body.spoken_since is not None:
        answer = await service.spoken_answer(db, session_id, body.spoken_since)
    if not answer and body.spoken_since is None:
        raise InvalidInputError("type an answer or give spoken_since", ["body", "answer"])
    evaluator: AnswerEvaluator = request.app.state.answer_evaluator
    score = await evaluator.score(question.question, answer, question.reference_answer)
    event = DetectedEvent(
        table="answer_evaluations",
        start_s=0.0,
        end_s=0.0,
        columns={
            "question_id": question.id,
            "question_text": question.question,
            "candidate_answer": answer,
            "ai_relevance_score": round(score.relevance, 2),
            "ai_feedback": score.feedback,
        },
    )
    stored, _assessment = await store_detected(db, session_id, [event], interview.start_time, model)
    await db.commit()
    runtime: LiveRuntime = request.app.state.live
    runtime.hub.publish(
        session_id,
        {
            "type": "answer",
            "session_id": session_id,
            "question_id": question.id,
            "ai_relevance_score": round(score.relevance, 2),
            "published_at": time.time(),
        },
    )
    return AnswerStored(
        id=stored["answer_evaluations"][0],
        session_id=session_id,
        question_id=question.id,
        answer_chars=len(answer),
    )
