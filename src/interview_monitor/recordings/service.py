"""Storing the analysis of a recorded file as a completed session of a candidate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from interview_monitor.auth.repository import UserRepository
from interview_monitor.db.tables import InterviewSession
from interview_monitor.events.service import store_detected
from interview_monitor.interviews.repository import SessionRepository
from interview_monitor.interviews.statuses import SessionStatus
from interview_monitor.media.analysis import AnalysisResult
from interview_monitor.risk.engine import RiskModel


class UnknownCandidateError(LookupError):
    pass


async def candidate_id(db: AsyncSession, username: str) -> int:
    """The id of the account a stored analysis will belong to; checked before analysing."""
    user = await UserRepository(db).get_by_username(username)
    if user is None:
        raise UnknownCandidateError(
            f"no user named {username!r}; create it with `interview-monitor user add`"
        )
    return user.id


async def store_recording(
    db: AsyncSession, user_id: int, result: AnalysisResult, model: RiskModel
) -> int:
    """Save an analysed file as a completed session of the user; return the session id."""
    end = datetime.now(UTC)
    start = end - timedelta(seconds=result.duration_s)
    interview = await SessionRepository(db).add(
        InterviewSession(
            user_id=user_id,
            start_time=start,
            end_time=end,
            status=SessionStatus.COMPLETED,
            title=f"Recording {result.file.name}",
        )
    )
    await store_detected(db, interview.id, result.events, start, model, source="analyze")
    return interview.id
