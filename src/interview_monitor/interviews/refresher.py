"""Recomputes the risk of sessions that ingest marked stale, off the request path.

A busy AI module may post an event per frame; recomputing the whole session's risk in each
request would make every POST cost O(events so far). Ingest only marks the session; this task
recomputes each marked session at most once per interval, so `total_risk_score` trails the
newest event by well under a second (longer only while rounds are slow, see `pause_after`).
"""

from __future__ import annotations

import asyncio
import logging
import time

from interview_monitor.db.engine import DATABASE_UNAVAILABLE, Database
from interview_monitor.interviews.repository import SessionRepository
from interview_monitor.interviews.service import recompute_risks
from interview_monitor.risk.engine import RiskModel

log = logging.getLogger(__name__)
# Sessions per recompute: enough to share round trips, few enough that reading their
# events is a short stretch of the event loop.
BATCH = 20


async def refresh_stale(database: Database, model: RiskModel) -> int:
    """Recompute the sessions that are stale when the call starts, `BATCH` at a time.

    Sessions are claimed (flag cleared) in one short transaction and recomputed afterwards
    without holding their row lock, so ingest never waits for a recomputation; an event that
    lands after the claim marks its session stale again for the next call. A call never
    chases sessions that turn stale while it runs, so under steady ingest it still ends.
    """
    async with database.session() as db:
        stale = await SessionRepository(db).stale_ids()
    refreshed = 0
    for start in range(0, len(stale), BATCH):
        async with database.session() as db:
            claimed = await SessionRepository(db).claim_stale(stale[start : start + BATCH])
        if claimed:
            await _recompute(database, model, claimed)
        refreshed += len(claimed)
    return refreshed


async def _recompute(database: Database, model: RiskModel, claimed: list[int]) -> None:
    """Recompute claimed sessions. If the database is unreachable they are stale again (the
    claim has committed: else they would keep an old score until their next event). If one
    session's stored events cannot be assessed, the others still are: a batch that fails is
    retried session by session, and a session that fails alone is logged and waits for its
    next event, instead of holding up every other session's score on every round."""
    try:
        async with database.session() as db:
            await recompute_risks(db, claimed, model)
    except DATABASE_UNAVAILABLE:
        async with database.session() as db:
            await SessionRepository(db).mark_stale(claimed)
        raise
    except Exception:
        if len(claimed) == 1:
            log.exception("the risk of session %s cannot be computed", claimed[0])
            return
        for session_id in claimed:
            await _recompute(database, model, [session_id])


def pause_after(busy_s: float, interval_s: float, max_busy_share: float) -> float:
    """Seconds to wait before the next round. Recomputing reads every event of a session, so
    under heavy ingest a round can take long; waiting in proportion keeps the refresher to
    `max_busy_share` of the event loop, and scores trail by a little more instead of
    requests waiting behind it."""
    return max(interval_s, busy_s * (1.0 / max_busy_share - 1.0))


async def run_refresher(
    database: Database, model: RiskModel, interval_s: float = 0.5, max_busy_share: float = 0.1
) -> None:
    while True:
        started = time.monotonic()
        try:
            await refresh_stale(database, model)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("risk refresh failed; retrying")
        await asyncio.sleep(pause_after(time.monotonic() - started, interval_s, max_busy_share))
