from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from interview_monitor.db.tables import ScheduledInterview


class ScheduleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, interview: ScheduledInterview) -> ScheduledInterview:
        self.session.add(interview)
        await self.session.flush()
        await self.session.refresh(interview)
        return interview

    async def by_invitation(self, sha256: str) -> ScheduledInterview | None:
        query = select(ScheduledInterview).where(ScheduledInterview.invitation_sha256 == sha256)
        return (await self.session.scalars(query.with_for_update())).one_or_none()

    async def open_for(self, candidate_id: int, now: datetime) -> ScheduledInterview | None:
        """The candidate's interview whose window holds `now` (the latest opened), locked so
        two pages starting at once get one session."""
        query = (
            select(ScheduledInterview)
            .where(
                ScheduledInterview.candidate_id == candidate_id,
                ScheduledInterview.opens_at <= now,
                ScheduledInterview.closes_at > now,
            )
            .order_by(ScheduledInterview.opens_at.desc(), ScheduledInterview.id.desc())
            .limit(1)
            .with_for_update()
        )
        return (await self.session.scalars(query)).one_or_none()
