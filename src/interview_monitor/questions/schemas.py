from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from interview_monitor.request_model import RequestModel


class QuestionRead(BaseModel):
    id: str
    question: str
    position: int
    reference_answer: str | None = Field(
        default=None, description="Shown to interviewers and admins only."
    )


MAX_ANSWER_CHARS = 100_000


class AnswerRequest(RequestModel):
    question_id: str = Field(min_length=1, max_length=100)
    answer: str = Field(default="", max_length=MAX_ANSWER_CHARS)
    spoken_since: datetime | None = Field(
        default=None,
        description="When `answer` is blank: use what the candidate said since this time.",
    )
    answer_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="The client's id for this answer: sending it again stores nothing new.",
    )


class AnswerStored(BaseModel):
    """The candidate's receipt: the score goes to reviewers only."""

    id: int
    session_id: int
    question_id: str
    answer_chars: int
