"""Scheduling interviews (reviewers) and using an invitation link (the candidate)."""

from __future__ import annotations

from fastapi import APIRouter, status

from interview_monitor.auth.roles import Role
from interview_monitor.auth.schemas import UserRead
from interview_monitor.auth.tokens import create_access_token
from interview_monitor.db.tables import ScheduledInterview
from interview_monitor.deps import DbSession, Reviewer, SettingsDep
from interview_monitor.scheduling import service
from interview_monitor.scheduling.schemas import (
    INVITATION_PATH,
    AcceptRequest,
    InvitationAccepted,
    ScheduledCreated,
    ScheduledRead,
    ScheduleRequest,
)

router = APIRouter(prefix="/api", tags=["scheduling"])


def _read(interview: ScheduledInterview) -> ScheduledRead:
    return ScheduledRead(
        id=interview.id,
        user_id=interview.candidate_id,
        title=interview.title,
        opens_at=interview.opens_at,
        closes_at=interview.closes_at,
        session_id=interview.session_id,
    )


@router.post("/interviews/scheduled", status_code=status.HTTP_201_CREATED)
async def schedule_interview(
    db: DbSession, reviewer: Reviewer, request: ScheduleRequest
) -> ScheduledCreated:
    """Schedule an interview for a candidate; the answer holds the invitation link, shown
    only this once."""
    invitation = await service.schedule(
        db, reviewer, request.user_id, request.title, request.opens_at, request.closes_at
    )
    return ScheduledCreated(
        **_read(invitation.interview).model_dump(),
        invitation_path=INVITATION_PATH.format(token=invitation.token),
    )


@router.post("/invitations/accept")
async def accept_invitation(
    db: DbSession, settings: SettingsDep, request: AcceptRequest
) -> InvitationAccepted:
    """Use an invitation link's token (once): the candidate is signed in."""
    candidate, interview = await service.accept_invitation(db, request.token)
    token, expires_at = create_access_token(
        candidate.id, Role(candidate.role), settings.secret_key, settings.access_token_minutes
    )
    return InvitationAccepted(
        access_token=token,
        expires_at=expires_at,
        user=UserRead.model_validate(candidate),
        interview=_read(interview),
    )
