"""The reviewer's work on a session: the review record, notes, outcomes, the CSV export."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import Field

from interview_monitor.deps import DbSession, Reviewer
from interview_monitor.ids import MAX_ROW_ID, RowId
from interview_monitor.interviews.routes import SummaryQueryDep
from interview_monitor.review import service
from interview_monitor.review.schemas import (
    FlagCounts,
    NoteCreate,
    NoteRead,
    OutcomeRead,
    OutcomeSet,
    ReviewRecord,
)

router = APIRouter(prefix="/api/review", tags=["review"])


@router.get("/sessions.csv", response_class=Response)
async def sessions_csv(db: DbSession, _: Reviewer, query: SummaryQueryDep) -> Response:
    """The session list (the same filters and sort as `/api/interviews`) as CSV."""
    return Response(
        await service.sessions_csv(db, query),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="sessions.csv"'},
    )


@router.get("/counts")
async def flag_counts(
    db: DbSession,
    _: Reviewer,
    session_id: Annotated[
        list[Annotated[int, Field(ge=1, le=MAX_ROW_ID)]], Query(min_length=1, max_length=500)
    ],
) -> list[FlagCounts]:
    """Per session: flags and incidents not dismissed, seconds flagged, the latest outcome."""
    return await service.flag_counts(db, session_id)


@router.get("/{session_id}")
async def review_record(db: DbSession, user: Reviewer, session_id: RowId) -> ReviewRecord:
    """Incidents (flags grouped by time and cause), notes, the outcome and the audit trail."""
    return await service.review_record(db, session_id, user)


@router.post("/{session_id}/views", status_code=status.HTTP_204_NO_CONTENT)
async def record_view(db: DbSession, user: Reviewer, session_id: RowId) -> Response:
    """The session page says it was opened: the audit trail lists who viewed the session."""
    await service.record_view(db, session_id, user)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{session_id}/notes", status_code=status.HTTP_201_CREATED)
async def add_note(db: DbSession, user: Reviewer, session_id: RowId, note: NoteCreate) -> NoteRead:
    return await service.add_note(db, session_id, user, note)


@router.put("/{session_id}/outcome")
async def set_outcome(
    db: DbSession, user: Reviewer, session_id: RowId, request: OutcomeSet
) -> OutcomeRead:
    """The reviewer's conclusion; each one is kept, the latest is the session's."""
    return await service.set_outcome(db, session_id, user, request.outcome)
