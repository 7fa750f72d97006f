"""Recomputes the risk of sessions that ingest marked stale, off the request path.

A busy AI module may post an event per frame; recomputing the whole session's risk in each
request would make every POST cost O(events so far). Ingest only marks the session; this task
recomputes each marked session at most once per interval, so `total_risk_score` trails the
newest event by well under a second.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from interview_monitor.db.engine import Database
from interview_monitor.db.models import InterviewSession
from interview_monitor.interviews.service import recompute_risk
from interview_monitor.scoring.risk import RiskModel

log = logging.getLogger(__name__)
BATCH = 50


async def mark_stale(db: AsyncSession, session_ids: Sequence[int]) -> None:
    await db.execute(
        update(InterviewSession)
        .where(InterviewSession.id.in_(session_ids), InterviewSession.risk_stale.is_(False))
        .values(risk_stale=True)
    )


async def refresh_stale(database: Database, model: RiskModel) -> int:
    """Recompute every stale session once.

    Sessions are claimed (flag cleared) in one short transaction and recomputed afterwards
    without holding their row lock, so ingest never waits for a recomputation; an event that
    lands after the claim marks its session stale again for the next round.
    """
    refreshed = 0
    while True:
        async with database.session() as db:
            claimable = (
                select(InterviewSession.id)
                .where(InterviewSession.risk_stale)
                .order_by(InterviewSession.id)
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            )
            claimed = (
                await db.scalars(
                    update(InterviewSession)
                    .where(InterviewSession.id.in_(claimable.scalar_subquery()))
                    .values(risk_stale=False)
                    .returning(InterviewSession.id)
                )
            ).all()
        for session_id in claimed:
            async with database.session() as db:
                await recompute_risk(db, session_id, model)
        refreshed += len(claimed)
        if len(claimed) < BATCH:
            return refreshed


async def run_refresher(database: Database, model: RiskModel, interval_s: float = 0.5) -> None:
    while True:
        try:
            await refresh_stale(database, model)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("risk refresh failed; retrying")
        await asyncio.sleep(interval_s)
