"""Scheduling an interview and using its invitation. Never commits: the request does."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from interview_monitor.auth.roles import Role
from interview_monitor.db.tables import ScheduledInterview, User
from interview_monitor.errors import ConflictError, InvalidInputError, NotFoundError
from interview_monitor.scheduling.repository import ScheduleRepository

MAX_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class Invitation:
    interview: ScheduledInterview
    token: str  # shown once, to the interviewer who scheduled it; only its hash is stored


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def schedule(
    db: AsyncSession,
    actor: User,
    candidate_id: int,
    title: str | None,
    opens_at: datetime,
    closes_at: datetime,
) -> Invitation:
    """For reviewers (the route checks): the interview, and its invitation's token."""
    if closes_at <= opens_at:
        raise InvalidInputError("the window must close after it opens", ["body", "closes_at"])
    if closes_at <= datetime.now(UTC):
        raise InvalidInputError("the window has already closed", ["body", "closes_at"])
    if closes_at - opens_at > MAX_WINDOW:
        raise InvalidInputError("a window is at most 30 days long", ["body", "closes_at"])
    candidate = await db.get(User, candidate_id)
    if candidate is None:
        raise NotFoundError(f"user {candidate_id} does not exist", ["body", "user_id"])
    if Role(candidate.role) is not Role.CANDIDATE:
        raise InvalidInputError(f"user {candidate_id} is not a candidate", ["body", "user_id"])
    token = secrets.token_urlsafe(32)
    interview = await ScheduleRepository(db).add(
        ScheduledInterview(
            candidate_id=candidate_id,
            created_by=actor.id,
            title=title,
            opens_at=opens_at,
            closes_at=closes_at,
            invitation_sha256=_sha256(token),
        )
    )
    return Invitation(interview, token)


async def accept_invitation(db: AsyncSession, token: str) -> tuple[User, ScheduledInterview]:
    """Use the invitation (once, before its window closes): the candidate it signs in."""
    interview = await ScheduleRepository(db).by_invitation(_sha256(token))
    if interview is None:
        raise NotFoundError("this invitation link is not valid", ["body", "token"])
    if interview.invitation_used_at is not None:
        raise ConflictError(
            "this invitation link was already used; sign in with your password",
            ["body", "token"],
        )
    now = datetime.now(UTC)
    if interview.closes_at <= now:
        raise ConflictError("this interview's time window has closed", ["body", "token"])
    candidate = await db.get(User, interview.candidate_id)
    if candidate is None or not candidate.is_active:
        raise NotFoundError("this invitation's candidate no longer exists", ["body", "token"])
    interview.invitation_used_at = now
    await db.flush()
    return candidate, interview


async def open_interview(db: AsyncSession, candidate_id: int) -> ScheduledInterview | None:
    """The candidate's scheduled interview open now, if any (locked until the commit)."""
    return await ScheduleRepository(db).open_for(candidate_id, datetime.now(UTC))
