"""Recording what reviewers did to a session. Its own module, with no service imports, so the
interviews service can record endings and dismissals without an import cycle."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from interview_monitor.db.tables import ReviewAuditEvent, User
from interview_monitor.review.repository import ReviewRepository

MAX_DETAIL = 5000


class AuditAction(StrEnum):
    """The copy in 0007_review_work.sql's check is kept equal by tests/review."""

    VIEWED = "viewed"
    DISMISSED = "dismissed"
    RESTORED = "restored"
    ENDED = "ended"
    EXPORTED = "exported"
    NOTED = "noted"
    OUTCOME_SET = "outcome_set"


async def record(
    db: AsyncSession, session_id: int, actor: User, action: AuditAction, detail: str = ""
) -> None:
    await ReviewRepository(db).add(
        ReviewAuditEvent(
            session_id=session_id,
            actor_id=actor.id,
            actor_name=actor.full_name,
            action=action.value,
            detail=detail[:MAX_DETAIL],
        )
    )
