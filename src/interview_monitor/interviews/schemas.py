from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from interview_monitor.ids import MAX_ROW_ID
from interview_monitor.request_model import RequestModel
from interview_monitor.risk.engine import Contribution

# Literals, as the API has always described them; tests/test_shared_values.py keeps them equal to the enums.
RiskLevelName = Literal["LOW", "MEDIUM", "HIGH"]
SessionStatusName = Literal["IN_PROGRESS", "COMPLETED", "TERMINATED", "ABANDONED"]
EndStatusName = Literal["COMPLETED", "TERMINATED", "ABANDONED"]


@dataclass(frozen=True)
class SummaryQuery:
    """Which sessions of the summary view to list, and in which order."""

    status: str | None = None
    risk_level: str | None = None
    user_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    search: str | None = None
    order_by: str = "start_time"
    descending: bool = True
    limit: int = 50
    offset: int = 0


class StartRequest(RequestModel):
    user_id: int | None = Field(
        default=None, ge=1, le=MAX_ROW_ID, description="Candidate to start for (reviewers only)."
    )
    title: str | None = Field(default=None, max_length=200)


class EndRequest(RequestModel):
    status: EndStatusName = "COMPLETED"


class SessionRead(BaseModel):
    session_id: int
    user_id: int
    status: str
    title: str | None
    start_time: datetime
    end_time: datetime | None


class RiskRead(BaseModel):
    session_id: int
    total_risk_score: float
    risk_level: RiskLevelName
    contributions: list[Contribution]


class SessionSummary(BaseModel):
    model_config = ConfigDict(extra="allow")

    session_id: int
    user_id: int
    username: str
    full_name: str
    email: str
    start_time: datetime
    end_time: datetime | None
    status: str
    total_risk_score: float
    risk_level: RiskLevelName


class SessionPage(BaseModel):
    total: int
    items: list[SessionSummary]


class DismissRequest(RequestModel):
    reason: str = Field(default="", max_length=2000)
