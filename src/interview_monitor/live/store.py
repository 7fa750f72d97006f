"""Storing the episodes that detector workers close, then telling the session's reviewers."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from interview_monitor.db.engine import Database
from interview_monitor.db.models import AudioTranscript
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
                new = await fill_early_rows(db, session_id, events)
                stored = await store_detected(
                    db, session_id, new, origin, self._model, source=LIVE_SOURCE
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


def _is_early(event: DetectedEvent) -> bool:
    return bool(event.details.get("transcript_pending"))


async def fill_early_rows(
    db: AsyncSession, session_id: int, events: list[DetectedEvent]
) -> list[DetectedEvent]:
    """Transcripts whose segment is already stored (an early other-voice row under the same
    `client_event_id`) complete that row: text, cue phrases, speaker columns, as the row would
    have been had it been written once. Returns the events still to insert. An early row never
    overwrites a transcript, whichever arrives first: of two events with one key in a batch
    the transcript stands, and an early row whose key is already stored only marks that row as
    holding another voice (a segment judged so once the session had enough evidence)."""
    latest: dict[str, DetectedEvent] = {}
    unkeyed: list[DetectedEvent] = []
    for event in events:
        key = event.columns.get("client_event_id") if event.table == "audio_transcripts" else None
        if key is None:
            unkeyed.append(event)
        elif key not in latest or not _is_early(event):
            latest[key] = event
    if not latest:
        return events
    stored: set[str | None] = set(
        await db.scalars(
            select(AudioTranscript.client_event_id).where(
                AudioTranscript.session_id == session_id,
                AudioTranscript.client_event_id.in_(list(latest)),
            )
        )
    )
    judged_later = [key for key in latest.keys() & stored if _is_early(latest[key])]
    if judged_later:
        await db.execute(
            update(AudioTranscript)
            .where(
                AudioTranscript.session_id == session_id,
                AudioTranscript.client_event_id.in_(judged_later),
            )
            .values(is_multiple_speakers=True)
        )
    for key in latest.keys() & stored:
        event = latest.pop(key)
        if _is_early(event):
            continue
        other_voice = bool(event.columns.get("is_multiple_speakers"))
        await db.execute(
            update(AudioTranscript)
            .where(AudioTranscript.session_id == session_id, AudioTranscript.client_event_id == key)
            .values(
                text_content=event.columns.get("text_content", ""),
                flagged_phrases=list(event.columns.get("flagged_phrases") or []),
                is_multiple_speakers=other_voice,
                speaker_confidence=(
                    round(event.confidence, 2)
                    if other_voice and event.confidence is not None
                    else None
                ),
            )
        )
    return [*unkeyed, *latest.values()]
