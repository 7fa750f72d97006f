"""Storing the episodes that detector workers close, then telling the session's reviewers."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
import weakref
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from interview_monitor.db.engine import Database
from interview_monitor.events.repository import (
    mark_early,
    stored_transcript_keys,
    update_transcript,
)
from interview_monitor.events.service import store_detected
from interview_monitor.live.hub import ReviewHub
from interview_monitor.risk.engine import RiskModel
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
        # Weak: a lock lives while a batch holds or waits for it, not for every session ever.
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    def _lock(self, session_id: int) -> asyncio.Lock:
        lock = self._locks.get(session_id)
        if lock is None:
            lock = self._locks[session_id] = asyncio.Lock()
        return lock

    async def __call__(
        self, session_id: int, origin: datetime, events: list[DetectedEvent], received_at: float
    ) -> None:
        try:
            async with self._lock(session_id), self._database.session() as db:
                new = await fill_early_rows(db, session_id, events, origin)
                stored, assessment = await store_detected(
                    db, session_id, new, origin, self._model, source=LIVE_SOURCE
                )
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


def _speaker_confidence(event: DetectedEvent) -> float | None:
    return None if event.confidence is None else round(event.confidence, 2)


VOICE_MARKS = ("is_multiple_speakers", "is_voice_mismatch")


def _with_early(row: DetectedEvent, early: DetectedEvent) -> DetectedEvent:
    """`row` (a transcript, or an earlier early row) with what `early` adds: its voice marks
    and the cue phrases heard in the open segment."""
    columns = dict(row.columns)
    mismatch = bool(columns.get("is_voice_mismatch")) or bool(
        early.columns.get("is_voice_mismatch")
    )
    other = bool(columns.get("is_multiple_speakers")) or bool(
        early.columns.get("is_multiple_speakers")
    )
    # Someone else answering is not also "another voice present" (the detector's rule).
    columns["is_voice_mismatch"], columns["is_multiple_speakers"] = mismatch, other and not mismatch
    phrases = list(columns.get("flagged_phrases") or [])
    columns["flagged_phrases"] = phrases + [
        phrase for phrase in early.columns.get("flagged_phrases") or [] if phrase not in phrases
    ]
    confidence = row.confidence if row.confidence is not None else early.confidence
    return dataclasses.replace(row, columns=columns, confidence=confidence)


async def fill_early_rows(
    db: AsyncSession, session_id: int, events: list[DetectedEvent], origin: datetime
) -> list[DetectedEvent]:
    """Events whose segment is already stored (under the same `client_event_id`) update that
    row; returns the events still to insert. A transcript completes the row, as it would have
    been had it been written once; an early row (another voice or a voice mismatch judged, or a
    cue phrase heard while the segment was open) only adds its marks and phrases, keeping the
    text. An early row never overwrites a transcript, whichever arrives first: of an early row
    and a transcript with one key in a batch, the transcript stands, with the early row's marks
    if it came after it; two early rows with one key add up."""
    latest: dict[str, DetectedEvent] = {}
    unkeyed: list[DetectedEvent] = []
    for event in events:
        key = event.columns.get("client_event_id") if event.table == "audio_transcripts" else None
        if key is None:
            unkeyed.append(event)
            continue
        earlier = latest.get(key)
        if earlier is None or not _is_early(event):
            latest[key] = event
        else:
            latest[key] = _with_early(earlier, event)
    if not latest:
        return events
    for key in await stored_transcript_keys(db, session_id, list(latest)):
        event = latest.pop(key)
        if _is_early(event):
            await mark_early(
                db,
                session_id,
                key,
                [mark for mark in VOICE_MARKS if event.columns.get(mark)],
                list(event.columns.get("flagged_phrases") or []),
                _speaker_confidence(event),
            )
        else:
            await update_transcript(db, session_id, key, _completed_columns(event, origin))
    return [*unkeyed, *latest.values()]


def _completed_columns(transcript: DetectedEvent, origin: datetime) -> dict[str, Any]:
    """The transcript's columns, and its end: an early row of a segment still open ended
    where the segment had got to when the check decided."""
    voiced = any(transcript.columns.get(mark) for mark in VOICE_MARKS)
    return {
        "end_timestamp": origin + timedelta(seconds=max(transcript.start_s, transcript.end_s)),
        "text_content": transcript.columns.get("text_content", ""),
        "flagged_phrases": list(transcript.columns.get("flagged_phrases") or []),
        **{mark: bool(transcript.columns.get(mark)) for mark in VOICE_MARKS},
        "speaker_confidence": _speaker_confidence(transcript) if voiced else None,
    }
