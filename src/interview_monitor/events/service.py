"""Storing events: from outside AI modules (ingest) and from our own detectors."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from interview_monitor.db.models import EvidenceSnapshot
from interview_monitor.events.schemas import EventPayload, IngestResult
from interview_monitor.events.writer import write_events
from interview_monitor.interviews.refresher import mark_stale
from interview_monitor.interviews.repository import EVIDENCE_URL, SessionRepository
from interview_monitor.interviews.service import open_sessions, recompute_risk
from interview_monitor.scoring.risk import RiskModel
from interview_monitor.signals import DetectedEvent


async def ingest(db: AsyncSession, payloads: Sequence[EventPayload]) -> IngestResult:
    """Store a batch all-or-nothing and mark the touched sessions' risk for a refresh."""
    session_ids = [payload.session_id for payload in payloads]
    await open_sessions(db, session_ids)
    ids = await write_events(db, payloads[0].table, [payload.row() for payload in payloads])
    if ids:
        await mark_stale(db, sorted(set(session_ids)))
    return IngestResult(
        received=len(payloads), stored=len(ids), duplicates=len(payloads) - len(ids), ids=ids
    )


def _row_for(
    event: DetectedEvent, session_id: int, origin: datetime, source: str
) -> dict[str, Any]:
    start = origin + timedelta(seconds=event.start_s)
    row: dict[str, Any] = {"session_id": session_id, "source": source, **event.columns}
    if event.table in ("object_detection_events", "face_pose_events"):
        row["timestamp"] = start
        row.setdefault("duration_ms", round(max(0.0, event.end_s - event.start_s) * 1000))
        if event.confidence is not None:
            row.setdefault("confidence_score", round(event.confidence, 2))
    elif event.table == "audio_transcripts":
        row["start_timestamp"] = start
        row["end_timestamp"] = origin + timedelta(seconds=max(event.start_s, event.end_s))
        if event.columns.get("is_multiple_speakers") and event.confidence is not None:
            row.setdefault("speaker_confidence", round(event.confidence, 2))
    return row


async def store_detected(
    db: AsyncSession,
    session_id: int,
    events: Sequence[DetectedEvent],
    origin: datetime,
    model: RiskModel,
    source: str = "detector",
) -> dict[str, list[int]]:
    """Store our detectors' events (with their evidence snapshots) and recompute the risk.

    `origin` is the wall-clock time of the stream's offset 0.
    """
    repository = SessionRepository(db)
    rows_by_table: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        row = _row_for(event, session_id, origin, source)
        if event.snapshot_jpeg is not None and event.table != "answer_evaluations":
            snapshot = await repository.add_evidence(
                EvidenceSnapshot(id=uuid.uuid4(), session_id=session_id, data=event.snapshot_jpeg)
            )
            if event.table in ("object_detection_events", "face_pose_events"):
                row["snapshot_url"] = EVIDENCE_URL.format(id=snapshot.id)
        rows_by_table.setdefault(event.table, []).append(row)
    stored = {table: await write_events(db, table, rows) for table, rows in rows_by_table.items()}
    await recompute_risk(db, session_id, model)
    return stored
