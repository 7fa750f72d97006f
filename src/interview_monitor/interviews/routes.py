"""The seed's interview endpoints, plus what a real client needs to list and review sessions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Response, status
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse

from interview_monitor.deps import CurrentUser, DbSession, Reviewer, RiskModelDep, SettingsDep
from interview_monitor.ids import MAX_ROW_ID, BigRowId, RowId
from interview_monitor.interviews import service
from interview_monitor.interviews.schemas import (
    DismissRequest,
    EndRequest,
    RiskLevelName,
    RiskRead,
    SessionPage,
    SessionRead,
    SessionStatusName,
    SessionSummary,
    StartRequest,
    SummaryQuery,
)
from interview_monitor.interviews.statuses import SessionStatus
from interview_monitor.reports.builder import build_report, risk_json, timeline_entry
from interview_monitor.review import service as review_service

router = APIRouter(tags=["interviews"])

EVENT_TABLES = {
    "object-detection": "object_detection_events",
    "face-pose": "face_pose_events",
    "audio-transcript": "audio_transcripts",
    "answer-match": "answer_matches",
    "browser": "browser_events",
    "answer-cadence": "answer_cadence",
}
EventKindPath = Literal[
    "object-detection", "face-pose", "audio-transcript", "answer-match", "browser", "answer-cadence"
]


def _read(interview: Any) -> SessionRead:
    return SessionRead(
        session_id=interview.id,
        user_id=interview.user_id,
        status=interview.status,
        title=interview.title,
        start_time=interview.start_time,
        end_time=interview.end_time,
    )


@router.post("/api/interview/start", status_code=status.HTTP_201_CREATED)
async def start_interview(
    db: DbSession,
    user: CurrentUser,
    settings: SettingsDep,
    request: Annotated[StartRequest | None, Body()] = None,
) -> SessionRead:
    """Start a session. Candidates start their own (the session of their scheduled interview
    when one is open now, the same one on every call); reviewers name the `user_id`."""
    body = request or StartRequest()
    interview = await service.start_session(
        db, user, body.user_id, body.title, settings.unscheduled_sessions
    )
    return _read(interview)


@router.get("/api/interview/{session_id}")
async def get_interview(db: DbSession, user: CurrentUser, session_id: RowId) -> SessionRead:
    return _read(await service.get_session(db, session_id, user))


@router.post("/api/interview/{session_id}/end")
async def end_interview(
    db: DbSession,
    user: CurrentUser,
    model: RiskModelDep,
    session_id: RowId,
    request: Annotated[EndRequest | None, Body()] = None,
) -> SessionRead:
    body = request or EndRequest()
    interview = await service.end_session(db, session_id, user, SessionStatus(body.status))
    await service.recompute_risk(db, session_id, model)
    return _read(interview)


@router.get("/api/interview/{session_id}/risk")
async def get_risk(
    db: DbSession, user: Reviewer, model: RiskModelDep, session_id: RowId
) -> RiskRead:
    """The current score, its level and the contributions that explain it."""
    await service.get_session(db, session_id, user)
    assessment = await service.recompute_risk(db, session_id, model)
    return RiskRead.model_validate(risk_json(session_id, assessment))


@router.get("/api/interview/{session_id}/report", response_model=None)
async def get_report(
    db: DbSession,
    user: Reviewer,
    model: RiskModelDep,
    session_id: RowId,
    format: Literal["json", "html", "pdf"] = "json",
) -> Response:
    """The full report as JSON (default), an HTML page or a PDF (`?format=html|pdf`)."""
    interview = await service.get_session(db, session_id, user)
    report = await build_report(db, interview, model)
    if format != "json":
        # The JSON is what the session page reads; the HTML and the PDF leave with someone.
        await review_service.record_export(db, session_id, user, f"report ({format})")
    if format == "html":
        from interview_monitor.reports.html import render_html

        # Module-supplied text is escaped; this also keeps any link in it from running script.
        return HTMLResponse(
            render_html(report, await service.evidence_by_url(db, session_id)),
            headers={
                "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                "img-src 'self' data:; frame-ancestors 'none'"
            },
        )
    if format == "pdf":
        from interview_monitor.reports.pdf import render_pdf

        snapshots = await service.evidence_by_url(db, session_id)
        return Response(
            render_pdf(report, snapshots),
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="interview-{session_id}-report.pdf"'
            },
        )
    return JSONResponse(jsonable_encoder(report))


def summary_query(
    status_filter: Annotated[SessionStatusName | None, Query(alias="status")] = None,
    risk_level: RiskLevelName | None = None,
    user_id: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    sort: Literal["start_time", "total_risk_score", "full_name", "status"] = "start_time",
    order: Literal["asc", "desc"] = "desc",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> SummaryQuery:
    """The session list's filters, sort and page, shared by the list and its CSV export."""
    return SummaryQuery(
        status=status_filter,
        risk_level=risk_level,
        user_id=user_id,
        since=since,
        until=until,
        search=q,
        order_by=sort,
        descending=order == "desc",
        limit=limit,
        offset=offset,
    )


SummaryQueryDep = Annotated[SummaryQuery, Depends(summary_query)]


@router.get("/api/interviews")
async def list_interviews(db: DbSession, _: Reviewer, query: SummaryQueryDep) -> SessionPage:
    """Sessions with their live status and risk, filtered and sorted (the summary view)."""
    total, rows = await service.summaries(db, query)
    return SessionPage(total=total, items=[SessionSummary.model_validate(row) for row in rows])


@router.get("/api/interview/{session_id}/events/{kind}")
async def list_events(
    db: DbSession,
    user: Reviewer,
    session_id: RowId,
    kind: EventKindPath,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[dict[str, Any]]:
    rows = await service.list_events(db, session_id, user, EVENT_TABLES[kind], limit, offset)
    return [jsonable_encoder(timeline_entry(row)) for row in rows]


@router.post("/api/interview/{session_id}/flags/{kind}/{event_id}/dismiss")
async def dismiss_flag(
    db: DbSession,
    user: Reviewer,
    model: RiskModelDep,
    session_id: RowId,
    kind: EventKindPath,
    event_id: BigRowId,
    request: Annotated[DismissRequest | None, Body()] = None,
) -> RiskRead:
    """Mark a flag as dismissed (kept, with who and when); the score is recomputed without it."""
    reason = (request or DismissRequest()).reason
    assessment = await service.dismiss_flag(
        db, session_id, EVENT_TABLES[kind], event_id, user, reason, model
    )
    return RiskRead.model_validate(risk_json(session_id, assessment))


@router.post("/api/interview/{session_id}/flags/{kind}/{event_id}/restore")
async def restore_flag(
    db: DbSession,
    user: Reviewer,
    model: RiskModelDep,
    session_id: RowId,
    kind: Literal["object-detection", "face-pose", "audio-transcript"],
    event_id: BigRowId,
) -> RiskRead:
    """Undo a dismissal (409 if the flag is not dismissed); the score counts it again."""
    assessment = await service.restore_flag(
        db, session_id, EVENT_TABLES[kind], event_id, user, model
    )
    return RiskRead.model_validate(risk_json(session_id, assessment))


@router.get("/api/evidence/{snapshot_id}", response_class=Response)
async def get_evidence(db: DbSession, _: Reviewer, snapshot_id: uuid.UUID) -> Response:
    """An evidence snapshot; only for signed-in reviewers, never cached by shared caches."""
    snapshot = await service.evidence(db, snapshot_id)
    return Response(
        snapshot.data,
        media_type=snapshot.content_type,
        headers={"Cache-Control": "private, max-age=300"},
    )
