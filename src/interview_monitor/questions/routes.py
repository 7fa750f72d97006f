"""GET /api/questions and POST /api/interview/{id}/answers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from interview_monitor.deps import (
    AnswerEvaluatorDep,
    CurrentUser,
    DbSession,
    LiveRuntimeDep,
    RiskModelDep,
)
from interview_monitor.ids import RowId
from interview_monitor.interviews.service import is_reviewer
from interview_monitor.questions import service
from interview_monitor.questions.schemas import AnswerRequest, AnswerStored, QuestionRead

router = APIRouter(tags=["questions"])


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
    db: DbSession,
    user: CurrentUser,
    model: RiskModelDep,
    evaluator: AnswerEvaluatorDep,
    live: LiveRuntimeDep,
    session_id: RowId,
    body: AnswerRequest,
) -> AnswerStored:
    """The candidate's answer to a bank question, scored for relevance and stored for review."""
    return await service.submit_answer(db, user, session_id, body, evaluator, model, live.hub)
