"""The question bank's table, and finding a stored answer by the client's id for it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from interview_monitor.db.tables import AnswerEvaluation, InterviewQuestion


class QuestionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def next_position(self) -> int:
        last = await self.session.scalar(
            select(func.coalesce(func.max(InterviewQuestion.position), -1))
        )
        return int(last if last is not None else -1) + 1

    async def upsert(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert or update by id (text and reference answer; a stored position stays)."""
        statement = insert(InterviewQuestion).values(list(rows))
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[InterviewQuestion.id],
                set_={
                    "question": statement.excluded.question,
                    "reference_answer": statement.excluded.reference_answer,
                },
            )
        )

    async def count(self) -> int:
        return int(
            await self.session.scalar(select(func.count()).select_from(InterviewQuestion)) or 0
        )

    async def list(self, limit: int, offset: int) -> list[InterviewQuestion]:
        query = (
            select(InterviewQuestion)
            .order_by(InterviewQuestion.position, InterviewQuestion.id)
            .limit(limit)
            .offset(offset)
        )
        return list((await self.session.scalars(query)).all())

    async def get(self, question_id: str) -> InterviewQuestion | None:
        return await self.session.get(InterviewQuestion, question_id)

    async def answer_by_client_id(self, session_id: int, client_id: str) -> AnswerEvaluation | None:
        query = select(AnswerEvaluation).where(
            AnswerEvaluation.session_id == session_id, AnswerEvaluation.client_event_id == client_id
        )
        return (await self.session.scalars(query)).one_or_none()
