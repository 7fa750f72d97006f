"""Storing the episodes that detector workers close, then telling the session's reviewers."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from datetime import datetime
from typing import Any

from interview_monitor.db.engine import Database
from interview_monitor.events.service import store_detected
from interview_monitor.interviews.service import assess
from interview_monitor.live.hub import ReviewHub
from interview_monitor.scoring.risk import RiskModel
from interview_monitor.signals import DetectedEvent

log = logging.getLogger(__name__)

LIVE_SOURCE = "live"


def flags_message(
    session_id: int,
    events: list[DetectedEvent],
    stored: dict[str, list[int]],
    score: float,
    level: str,
    received_at: float,
) -> dict[str, Any]:
    return {
        "type": "flags",
        "session_id": session_id,
        "events": [event.to_json() for event in events],
        "stored": stored,
        "risk": {"total_risk_score": score, "risk_level": level},
        # Wall-clock time the input that closed these episodes reached the server.
        "received_at": received_at,
        "published_at": time.time(),
    }


class EventStore:
    """The pipeline's sink. One transaction per batch, committed here (the stream's handler)."""

    def __init__(self, database: Database, model: RiskModel, hub: ReviewHub) -> None:
        self._database = database
        self._model = model
        self._hub = hub
        # One writer per session at a time, so each risk recomputation sees every earlier batch.
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def __call__(
        self, session_id: int, origin: datetime, events: list[DetectedEvent], received_at: float
    ) -> None:
        try:
            async with self._locks[session_id], self._database.session() as db:
                stored = await store_detected(
                    db, session_id, events, origin, self._model, source=LIVE_SOURCE
                )
                assessment = await assess(db, session_id, self._model)
        except Exception:
            log.exception("storing %d live events of session %s failed", len(events), session_id)
            return
        self._hub.publish(
            session_id,
            flags_message(
                session_id,
                events,
                stored,
                assessment.total_risk_score,
                assessment.risk_level.value,
                received_at,
            ),
        )
