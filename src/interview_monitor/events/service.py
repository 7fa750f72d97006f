"""Storing events: from outside AI modules (ingest) and from our own detectors."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from interview_monitor.db.tables import EvidenceSnapshot
from interview_monitor.errors import ConflictError, DomainError, ForbiddenError, NotFoundError
from interview_monitor.events.repository import recent_heartbeats, write_events, write_requests
from interview_monitor.events.schemas import BrowserEventPayload, EventPayload, IngestResult
from interview_monitor.interviews.repository import EVIDENCE_URL, SessionRepository
from interview_monitor.interviews.service import ensure_open, recompute_risk
from interview_monitor.risk.engine import RiskAssessment, RiskModel
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
    """Store several requests in one transaction, one statement per table.

    Each request stands alone: one naming an unknown or ended session gets its error and
    stores nothing, the others go in. The touched sessions are marked for a risk refresh.
    """
    outcomes: list[IngestResult | DomainError] = [
        IngestResult(received=len(payloads), stored=0, duplicates=0, ids=[])
        for payloads in requests
    ]
    by_table: dict[str, tuple[list[dict[str, Any]], list[int]]] = {}
    for index, payloads in enumerate(requests):
        for payload in payloads:
            rows, owners = by_table.setdefault(payload.table, ([], []))
            rows.append(payload.row())
            owners.append(index)
    if len(by_table) > 1:
        await SessionRepository(db).lock([p.session_id for r in requests for p in r])
    refused: set[int] = set()
    for table, (rows, owners) in by_table.items():
        ids, refused_here = await write_requests(db, table, rows, owners)
        refused |= refused_here
        for owner, new_id in zip(owners, ids, strict=True):
            result = outcomes[owner]
            if owner in refused_here or not isinstance(result, IngestResult):
                continue
            if new_id is None:
                result.duplicates += 1
            else:
                result.stored += 1
                result.ids.append(new_id)
    if refused:
        named = {payload.session_id for index in refused for payload in requests[index]}
        statuses = await SessionRepository(db).statuses(sorted(named))
        for index in refused:
            outcomes[index] = _refusal(statuses, requests[index])
    return outcomes


CANDIDATE_PAGE_SOURCE = "candidate_page"


async def from_candidate_page(
    db: AsyncSession, candidate_id: int, payloads: Sequence[BrowserEventPayload]
) -> list[BrowserEventPayload]:
    """A candidate's page reports on its own sessions only; its events are marked as the
    page's, so a reviewer can tell them from an outside module's."""
    owners = await SessionRepository(db).owners(sorted({p.session_id for p in payloads}))
    for index, payload in enumerate(payloads):
        loc: list[str | int] = ["body", index, "session_id"]
        owner = owners.get(payload.session_id)
        if owner is None:
            raise NotFoundError(f"session {payload.session_id} does not exist", loc)
        if owner != candidate_id:
            raise ForbiddenError(f"session {payload.session_id} is not yours", loc)
    return [payload.from_source(CANDIDATE_PAGE_SOURCE) for payload in payloads]


def _refusal(statuses: dict[int, str], payloads: Sequence[EventPayload]) -> DomainError:
    """Why a refused request was refused, naming the first session at fault."""
    try:
        ensure_open(statuses, [payload.session_id for payload in payloads])
    except DomainError as error:
        return error
    return ConflictError("a session of this request changed while it was stored; retry it")


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
        voiced = event.columns.get("is_multiple_speakers") or event.columns.get("is_voice_mismatch")
        if voiced and event.confidence is not None:
            row.setdefault("speaker_confidence", round(event.confidence, 2))
    return row


async def store_detected(
    db: AsyncSession,
    session_id: int,
    events: Sequence[DetectedEvent],
    origin: datetime,
    model: RiskModel,
    source: str = "detector",
) -> tuple[dict[str, list[int]], RiskAssessment]:
    """Store our detectors' events (with their evidence snapshots) and recompute the risk;
    returns the new rows' ids by table and the session's new assessment.

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
    return stored, await recompute_risk(db, session_id, model)


async def latest_heartbeats(
    db: AsyncSession, session_ids: Sequence[int], per_session: int = 2
) -> dict[int, list[tuple[datetime, dict[str, Any]]]]:
    return await recent_heartbeats(db, session_ids, per_session)


async def store_server_browser_events(
    db: AsyncSession, rows: Sequence[dict[str, Any]]
) -> list[int | None]:
    """Browser events the server itself found; only sessions in progress take them, and those
    are marked for a risk refresh. Returns the new ids (None: already stored, or refused)."""
    ids, _refused = await write_requests(db, "browser_events", rows, list(range(len(rows))))
    return ids
