"""Interview sessions. Never commits: the request, stream handler or CLI command does."""

from __future__ import annotations

import array
import asyncio
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from interview_monitor.auth.roles import REVIEWERS, Role
from interview_monitor.db.tables import (
    EvidenceSnapshot,
    InterviewSession,
    ReferenceFaceRow,
    ScheduledInterview,
    User,
)
from interview_monitor.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from interview_monitor.interviews.flags import FlagRow, flags_from_columns
from interview_monitor.interviews.repository import FLAG_MODELS, SessionRepository
from interview_monitor.interviews.schemas import SummaryQuery
from interview_monitor.interviews.statuses import SessionStatus
from interview_monitor.review import audit
from interview_monitor.risk.engine import Flag, RiskAssessment, RiskModel
from interview_monitor.scheduling.service import open_interview


def is_reviewer(user: User) -> bool:
    return Role(user.role) in REVIEWERS


async def start_session(
    db: AsyncSession,
    actor: User,
    user_id: int | None = None,
    title: str | None = None,
    unscheduled: bool = True,
) -> InterviewSession:
    """A new session; for a candidate with a scheduled interview open now, that interview's
    session (the same one after a reload or a new sign-in). `unscheduled`: whether
    candidates may start sessions with no interview scheduled."""
    role = Role(actor.role)
    if role is Role.CANDIDATE:
        if user_id not in (None, actor.id):
            raise ForbiddenError("candidates start only their own sessions", ["body", "user_id"])
        scheduled = await open_interview(db, actor.id)
        if scheduled is not None:
            return await _session_of(db, scheduled)
        if not unscheduled:
            raise ForbiddenError(
                "no interview is scheduled for you now; open the invitation link you were sent"
            )
        candidate_id = actor.id
    elif role in REVIEWERS:
        if user_id is None:
            raise InvalidInputError(
                "user_id is required when a reviewer starts a session", ["body", "user_id"]
            )
        candidate = await db.get(User, user_id)
        if candidate is None:
            raise NotFoundError(f"user {user_id} does not exist", ["body", "user_id"])
        if Role(candidate.role) is Role.SERVICE:
            raise InvalidInputError(
                f"user {user_id} is a service account, which cannot sit an interview",
                ["body", "user_id"],
            )
        candidate_id = candidate.id
    else:
        raise ForbiddenError("service accounts cannot start sessions")
    return await _new_session(db, candidate_id, title)


async def _new_session(db: AsyncSession, candidate_id: int, title: str | None) -> InterviewSession:
    repository = SessionRepository(db)
    interview = await repository.add(InterviewSession(user_id=candidate_id, title=title))
    await repository.set_risk(interview.id, 0.0)
    return interview


async def _session_of(db: AsyncSession, scheduled: ScheduledInterview) -> InterviewSession:
    """The scheduled interview's session: the one it has while in progress, else a new one."""
    if scheduled.session_id is not None:
        interview = await SessionRepository(db).get(scheduled.session_id)
        if interview is not None and interview.status == SessionStatus.IN_PROGRESS:
            return interview
        if interview is not None:
            raise ConflictError(f"your scheduled interview has ended ({interview.status})")
    interview = await _new_session(db, scheduled.candidate_id, scheduled.title)
    scheduled.session_id = interview.id
    await db.flush()
    return interview


async def get_session(
    db: AsyncSession, session_id: int, actor: User, *, for_update: bool = False
) -> InterviewSession:
    """The session if the actor may see it: reviewers see all, candidates their own."""
    interview = await SessionRepository(db).get(session_id, for_update=for_update)
    if interview is None:
        raise NotFoundError(f"session {session_id} does not exist", ["path", "session_id"])
    if not is_reviewer(actor) and interview.user_id != actor.id:
        raise ForbiddenError("this session belongs to someone else")
    return interview


REFERENCE_SOURCES = ("uploaded photo", "system check")
REFERENCE_MODEL = "sface-2021dec-int8bq"


async def save_reference_face(
    db: AsyncSession, session_id: int, source: str, vector: bytes, jpeg: bytes
) -> bool:
    """Store the session's reference face (`vector`: 128 float32). An uploaded photo replaces
    any; the camera check's face never replaces an uploaded photo. True when stored."""
    embedding = list(array.array("f", vector))
    replaces = REFERENCE_SOURCES if source == "uploaded photo" else (source,)
    row = ReferenceFaceRow(
        session_id=session_id,
        source=source,
        model=REFERENCE_MODEL,
        embedding=embedding,
        snapshot=jpeg,
    )
    return await SessionRepository(db).save_reference_face(row, replaces)


async def reference_face(db: AsyncSession, session_id: int) -> tuple[bytes, bytes, str] | None:
    """(vector as 128 float32, face JPEG, source) of the session's reference face, if any."""
    row = await SessionRepository(db).reference_face(session_id)
    if row is None:
        return None
    return array.array("f", row.embedding).tobytes(), row.snapshot, row.source


async def end_session(
    db: AsyncSession, session_id: int, actor: User, status: SessionStatus = SessionStatus.COMPLETED
) -> InterviewSession:
    interview = await get_session(db, session_id, actor, for_update=True)
    if not is_reviewer(actor) and status is not SessionStatus.COMPLETED:
        raise ForbiddenError("candidates can only complete their session", ["body", "status"])
    if interview.status != SessionStatus.IN_PROGRESS:
        raise ConflictError(
            f"session {session_id} has already ended ({interview.status})", ["path", "session_id"]
        )
    interview.status = status.value
    interview.end_time = max(datetime.now(UTC), interview.start_time)
    interview.ended_by = actor.id
    await db.flush()
    await audit.record(db, session_id, actor, audit.AuditAction.ENDED, status.value)
    return interview


async def ensure_in_progress(db: AsyncSession, session_id: int) -> None:
    """For a route with the session in its path: it exists and is in progress; its row is
    locked until the commit."""
    statuses = await SessionRepository(db).statuses([session_id])
    ensure_open(statuses, [session_id], in_body=False)


def ensure_open(
    statuses: Mapping[int, str], session_ids: Sequence[int], in_body: bool = True
) -> None:
    """Raise for the first session (by its place in the request body, or the path) that takes
    no events."""
    for index, session_id in enumerate(session_ids):
        status = statuses.get(session_id)
        loc: list[str | int] = ["body", index, "session_id"] if in_body else ["path", "session_id"]
        if status is None:
            raise NotFoundError(f"session {session_id} does not exist", loc)
        if status != SessionStatus.IN_PROGRESS:
            raise ConflictError(
                f"session {session_id} has ended ({status}); it takes no more events", loc
            )


async def flags_of(db: AsyncSession, session_ids: Sequence[int]) -> dict[int, list[Flag]]:
    """Each session's flags as the risk engine sees them, dismissed ones included."""
    columns = await SessionRepository(db).flag_columns_of(session_ids)
    return {session_id: flags_from_columns(columns[session_id]) for session_id in session_ids}


async def assess(db: AsyncSession, session_id: int, model: RiskModel) -> RiskAssessment:
    columns = await SessionRepository(db).flag_columns(session_id)
    return model.assess(flags_from_columns(columns))


async def recompute_risk(db: AsyncSession, session_id: int, model: RiskModel) -> RiskAssessment:
    return (await recompute_risks(db, [session_id], model))[session_id]


async def recompute_risks(
    db: AsyncSession, session_ids: Sequence[int], model: RiskModel
) -> dict[int, RiskAssessment]:
    """Reassess sessions and store their scores: a few statements for any number of them."""
    repository = SessionRepository(db)
    columns = await repository.flag_columns_of(session_ids)
    # A busy session's assessment is milliseconds of pure Python: off the event loop, so
    # requests keep being answered meanwhile.
    assessments = await asyncio.to_thread(
        lambda: {
            session_id: model.assess(flags_from_columns(columns[session_id]))
            for session_id in session_ids
        }
    )
    await repository.set_risks(
        {session_id: found.total_risk_score for session_id, found in assessments.items()}
    )
    return assessments


async def _flag_row(
    db: AsyncSession, session_id: int, table: str, event_id: int, actor: User
) -> FlagRow:
    if not is_reviewer(actor):
        raise ForbiddenError("only interviewers and admins review flags")
    model_class = FLAG_MODELS.get(table)
    if model_class is None:
        raise NotFoundError(f"no flags are kept in {table!r}", ["path", "table"])
    await get_session(db, session_id, actor)
    row: FlagRow | None = await db.get(model_class, event_id)
    if row is None or row.session_id != session_id:
        raise NotFoundError(
            f"event {event_id} is not in session {session_id}", ["path", "event_id"]
        )
    return row


async def dismiss_flag(
    db: AsyncSession,
    session_id: int,
    table: str,
    event_id: int,
    actor: User,
    reason: str,
    model: RiskModel,
) -> RiskAssessment:
    row = await _flag_row(db, session_id, table, event_id, actor)
    if row.dismissed_at is None:
        row.dismissed_at = datetime.now(UTC)
        row.dismissed_by = actor.id
        row.dismissal_reason = reason or None
        await db.flush()
        detail = f"{table}:{event_id}" + (f": {reason}" if reason else "")
        await audit.record(db, session_id, actor, audit.AuditAction.DISMISSED, detail)
    return await recompute_risk(db, session_id, model)


async def restore_flag(
    db: AsyncSession, session_id: int, table: str, event_id: int, actor: User, model: RiskModel
) -> RiskAssessment:
    """Undo a dismissal: the flag counts again; who dismissed it and why stays in the trail."""
    row = await _flag_row(db, session_id, table, event_id, actor)
    if row.dismissed_at is None:
        raise ConflictError(f"event {event_id} is not dismissed", ["path", "event_id"])
    row.dismissed_at = None
    row.dismissed_by = None
    row.dismissal_reason = None
    await db.flush()
    await audit.record(db, session_id, actor, audit.AuditAction.RESTORED, f"{table}:{event_id}")
    return await recompute_risk(db, session_id, model)


async def purge_ended(db: AsyncSession, retention_days: int) -> int:
    cutoff = datetime.now(UTC) - timedelta(days=retention_days)
    return await SessionRepository(db).delete_ended_before(cutoff)


async def summaries(db: AsyncSession, query: SummaryQuery) -> tuple[int, list[dict[str, Any]]]:
    """How many sessions match, and the requested page of their summary rows."""
    return await SessionRepository(db).summaries(query)


async def list_events(
    db: AsyncSession, session_id: int, actor: User, table: str, limit: int, offset: int
) -> Sequence[Any]:
    await get_session(db, session_id, actor)
    return await SessionRepository(db).events(FLAG_MODELS[table], session_id, limit, offset)


async def evidence(db: AsyncSession, snapshot_id: uuid.UUID) -> EvidenceSnapshot:
    snapshot = await SessionRepository(db).evidence(snapshot_id)
    if snapshot is None:
        raise NotFoundError("no such evidence snapshot", ["path", "snapshot_id"])
    return snapshot


async def evidence_by_url(db: AsyncSession, session_id: int) -> dict[str, bytes]:
    return await SessionRepository(db).evidence_by_url(session_id)
