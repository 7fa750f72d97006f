from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, Strict

from interview_monitor.detectors.cadence import EventKind
from interview_monitor.request_model import RequestModel


class QuestionRead(BaseModel):
    id: str
    question: str
    position: int
    reference_answer: str | None = Field(
        default=None, description="Shown to interviewers and admins only."
    )


MAX_ANSWER_CHARS = 100_000


MAX_CADENCE_EVENTS = 5000
CadenceEvent = tuple[
    Annotated[float, Field(ge=0, le=86_400_000, allow_inf_nan=False)],
    Annotated[int, Strict(), Field(ge=-MAX_ANSWER_CHARS, le=MAX_ANSWER_CHARS)],
    EventKind,
]


class CadenceRecord(RequestModel):
    """How the answer box filled: [ms since the question was shown, characters added, kind]
    per input event (web/static/typing.js). Counts and times only; summarised, not stored."""

    events: list[CadenceEvent] = Field(max_length=MAX_CADENCE_EVENTS)
    truncated: bool = False


class AnswerRequest(RequestModel):
    question_id: str = Field(min_length=1, max_length=100)
    answer: str = Field(default="", max_length=MAX_ANSWER_CHARS)
    spoken_since: datetime | None = Field(
        default=None,
        description="When `answer` is blank: use what the candidate said since this time.",
    )
    cadence: CadenceRecord | None = None
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
