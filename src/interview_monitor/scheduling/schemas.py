from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, Field

from interview_monitor.auth.schemas import Token
from interview_monitor.ids import MAX_ROW_ID
from interview_monitor.request_model import RequestModel

INVITATION_PATH = "/invite/{token}"


class ScheduleRequest(RequestModel):
    user_id: int = Field(ge=1, le=MAX_ROW_ID, description="The candidate.")
    title: str | None = Field(default=None, max_length=200)
    opens_at: AwareDatetime
    closes_at: AwareDatetime


class ScheduledRead(BaseModel):
    id: int
    user_id: int
    title: str | None
    opens_at: datetime
    closes_at: datetime
    session_id: int | None


class ScheduledCreated(ScheduledRead):
    invitation_path: str = Field(description="Single use, until the window closes.")


class AcceptRequest(RequestModel):
    token: str = Field(min_length=1, max_length=200)


class InvitationAccepted(Token):
    interview: ScheduledRead
