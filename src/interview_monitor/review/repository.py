"""The SQL of the review tables (notes, outcomes, audit events) and of the flag rows'
dismissal columns."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from interview_monitor.db.tables import ReviewAuditEvent, ReviewNote, ReviewOutcome, User


class ReviewRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self, row: ReviewNote | ReviewOutcome | ReviewAuditEvent
    ) -> ReviewNote | ReviewOutcome | ReviewAuditEvent:
        self.session.add(row)
        await self.session.flush()
        await self.session.refresh(row)
        return row

    async def notes(self, session_id: int) -> Sequence[ReviewNote]:
        query = (
            select(ReviewNote)
            .where(ReviewNote.session_id == session_id)
            .order_by(ReviewNote.created_at, ReviewNote.id)
        )
        return (await self.session.scalars(query)).all()

    async def outcomes(self, session_id: int) -> Sequence[ReviewOutcome]:
        """Every outcome set, oldest first: the last is the session's."""
        query = (
            select(ReviewOutcome)
            .where(ReviewOutcome.session_id == session_id)
            .order_by(ReviewOutcome.created_at, ReviewOutcome.id)
        )
        return (await self.session.scalars(query)).all()

    async def latest_outcomes(self, session_ids: Sequence[int]) -> dict[int, str]:
        query = (
            select(ReviewOutcome.session_id, ReviewOutcome.outcome)
            .where(ReviewOutcome.session_id.in_(session_ids))
            .order_by(ReviewOutcome.session_id, ReviewOutcome.created_at, ReviewOutcome.id)
        )
        # Ordered oldest first, so each session's last row wins.
        return {row.session_id: row.outcome for row in await self.session.execute(query)}

    async def audit(self, session_id: int) -> Sequence[ReviewAuditEvent]:
        query = (
            select(ReviewAuditEvent)
            .where(ReviewAuditEvent.session_id == session_id)
            .order_by(ReviewAuditEvent.created_at, ReviewAuditEvent.id)
        )
        return (await self.session.scalars(query)).all()

    async def full_names(self, user_ids: Iterable[int]) -> dict[int, str]:
        wanted = sorted(set(user_ids))
        if not wanted:
            return {}
        rows = await self.session.execute(
            select(User.id, User.full_name).where(User.id.in_(wanted))
        )
        return {row.id: row.full_name for row in rows}
