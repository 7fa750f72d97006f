"""Storing events: from outside AI modules (ingest) and from our own detectors."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from interview_monitor.db.models import EvidenceSnapshot
from interview_monitor.errors import DomainError
from interview_monitor.events.schemas import EventPayload, IngestResult
from interview_monitor.events.writer import write_events
from interview_monitor.interviews.refresher import mark_stale
from interview_monitor.interviews.repository import EVIDENCE_URL, SessionRepository
from interview_monitor.interviews.service import ensure_open, recompute_risk
from interview_monitor.scoring.risk import RiskModel
from interview_monitor.signals import DetectedEvent


async def ingest(db: AsyncSession, payloads: Sequence[EventPayload]) -> IngestResult:
    """Store one request's events all-or-nothing; raise if any of its sessions takes none."""
    (outcome,) = await ingest_many(db, [payloads])
    if isinstance(outcome, DomainError):
        raise outcome
    return outcome


async def ingest_many(
    db: AsyncSession, requests: Sequence[Sequence[EventPayload]]
) -> list[IngestResult | DomainError]:
    """Store several requests in one transaction, one INSERT per table.

    Each request stands alone: one naming an unknown or ended session gets its error and
    stores nothing, the others go in. The touched sessions are marked for a risk refresh.
    """
    session_ids = sorted({payload.session_id for payloads in requests for payload in payloads})
    statuses = await SessionRepository(db).statuses(session_ids)
    outcomes: list[IngestResult | DomainError] = []
    rows_by_table: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for index, payloads in enumerate(requests):
        try:
            ensure_open(statuses, [payload.session_id for payload in payloads])
        except DomainError as error:
            outcomes.append(error)
            continue
        outcomes.append(IngestResult(received=len(payloads), stored=0, duplicates=0, ids=[]))
        for payload in payloads:
            rows_by_table.setdefault(payload.table, []).append((index, payload.row()))
    stored_sessions: set[int] = set()
    for table, entries in rows_by_table.items():
        ids = await write_events(db, table, [row for _, row in entries])
        for (index, row), new_id in zip(entries, ids, strict=True):
            result = outcomes[index]
            assert isinstance(result, IngestResult)
            if new_id is None:
                result.duplicates += 1
            else:
                result.stored += 1
                result.ids.append(new_id)
                stored_sessions.add(row["session_id"])
    if stored_sessions:
        await mark_stale(db, sorted(stored_sessions))
    return outcomes


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
    stored = {
        table: [new_id for new_id in await write_events(db, table, rows) if new_id is not None]
        for table, rows in rows_by_table.items()
    }
    await recompute_risk(db, session_id, model)
    return stored
