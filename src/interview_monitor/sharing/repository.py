"""The SQL of answer vectors and answer matches."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from interview_monitor.db.tables import (
    AnswerEvaluation,
    AnswerMatch,
    AnswerVector,
    InterviewSession,
)
from interview_monitor.detectors.answers.similarity import PriorAnswer

# Stored as little-endian float32, whatever the machine.
VECTOR_DTYPE = np.dtype("<f4")


def vector_bytes(vector: NDArray[np.float32]) -> bytes:
    return np.asarray(vector, dtype=VECTOR_DTYPE).tobytes()


class MatchRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_vector(self, answer_id: int, vector: NDArray[np.float32]) -> None:
        self.session.add(AnswerVector(answer_id=answer_id, vector=vector_bytes(vector)))
        await self.session.flush()

    async def prior_answers(
        self, question_id: str, other_than_user: int, limit: int
    ) -> list[tuple[int, PriorAnswer]]:
        """The newest `limit` answers to the question by other candidates, as (session id,
        answer): the key of each answer is its answer_evaluations id."""
        query = (
            select(
                AnswerEvaluation.id,
                AnswerEvaluation.session_id,
                AnswerEvaluation.candidate_answer,
                AnswerVector.vector,
            )
            .join(InterviewSession, InterviewSession.id == AnswerEvaluation.session_id)
            .outerjoin(AnswerVector, AnswerVector.answer_id == AnswerEvaluation.id)
            .where(
                AnswerEvaluation.question_id == question_id,
                InterviewSession.user_id != other_than_user,
                AnswerEvaluation.candidate_answer.is_not(None),
            )
            .order_by(AnswerEvaluation.id.desc())
            .limit(limit)
        )
        return [
            (
                row.session_id,
                PriorAnswer(
                    row.id,
                    row.candidate_answer,
                    None if row.vector is None else np.frombuffer(row.vector, VECTOR_DTYPE),
                ),
            )
            for row in await self.session.execute(query)
        ]

    async def add_matches(self, rows: Sequence[Mapping[str, Any]]) -> None:
        await self.session.execute(insert(AnswerMatch), list(rows))

    async def answer_texts(self, answer_ids: Sequence[int]) -> dict[int, str]:
        rows = await self.session.execute(
            select(AnswerEvaluation.id, AnswerEvaluation.candidate_answer).where(
                AnswerEvaluation.id.in_(answer_ids)
            )
        )
        return {row.id: row.candidate_answer or "" for row in rows}
