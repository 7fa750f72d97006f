from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from interview_monitor.request_model import RequestModel


class Outcome(StrEnum):
    """The copy in 0007_review_work.sql's check is kept equal by tests/review."""

    CLEARED = "cleared"
    NEEDS_FOLLOW_UP = "needs_follow_up"
    CONFIRMED = "confirmed"


class NoteCreate(RequestModel):
    # Something visible: a note of spaces says nothing.
    body: str = Field(min_length=1, max_length=5000, pattern=r"\S")
    incident_ref: str | None = Field(
        default=None,
        max_length=120,
        pattern=r"^[a-z_]+:[0-9]+$",
        description="The incident's ref (its first flag's); none: a note on the session.",
    )


class OutcomeSet(RequestModel):
    outcome: Outcome


class NoteRead(BaseModel):
    id: int
    incident_ref: str | None
    author_name: str
    body: str
    created_at: datetime


class OutcomeRead(BaseModel):
    outcome: Outcome
    set_by_name: str
    created_at: datetime


class AuditRead(BaseModel):
    actor_name: str
    action: str
    detail: str
    created_at: datetime


class IncidentPart(BaseModel):
    ref: str
    kind: str
    label: str
    start: datetime
    duration_s: float
    dismissed: bool


class IncidentRead(BaseModel):
    ref: str
    cause: str
    start: datetime
    end: datetime
    duration_s: float
    kinds: list[str]
    dismissed: bool
    parts: list[IncidentPart]


class ReviewRecord(BaseModel):
    session_id: int
    incidents: list[IncidentRead]
    notes: list[NoteRead]
    outcome: OutcomeRead | None
    outcomes: list[OutcomeRead]
    audit: list[AuditRead]


class FlagCounts(BaseModel):
    session_id: int
    flags: int
    incidents: int
    flagged_s: float
    outcome: Outcome | None
