"""The reviewer's work on a session. Never commits: the request does."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from interview_monitor.db.tables import ReviewNote, ReviewOutcome, User
from interview_monitor.errors import NotFoundError
from interview_monitor.interviews import service as interviews
from interview_monitor.interviews.schemas import SummaryQuery
from interview_monitor.review import audit
from interview_monitor.review.incidents import Incident, flagged_seconds, group_incidents
from interview_monitor.review.repository import ReviewRepository
from interview_monitor.review.schemas import (
    AuditRead,
    FlagCounts,
    IncidentPart,
    IncidentRead,
    NoteCreate,
    NoteRead,
    Outcome,
    OutcomeRead,
    ReviewRecord,
)
from interview_monitor.risk.engine import DEFAULT_POLICIES

CSV_COLUMNS = (
    "session_id",
    "full_name",
    "email",
    "status",
    "start_time",
    "end_time",
    "total_risk_score",
    "risk_level",
    "flags",
    "incidents",
    "flagged_s",
    "outcome",
)
# Enough for any one export a reviewer reads; the list API pages beyond it.
CSV_MAX_ROWS = 10_000


def _label(kind: str) -> str:
    policy = DEFAULT_POLICIES.get(kind)
    return policy.label if policy else kind.replace("_", " ")


def _incident_read(incident: Incident) -> IncidentRead:
    return IncidentRead(
        ref=incident.ref,
        cause=incident.cause,
        start=incident.start,
        end=incident.end,
        duration_s=incident.duration_s,
        kinds=list(incident.kinds),
        dismissed=incident.dismissed,
        parts=[
            IncidentPart(
                ref=part.ref,
                kind=part.kind,
                label=_label(part.kind),
                start=part.start,
                duration_s=part.duration_s,
                dismissed=part.dismissed,
            )
            for part in incident.parts
        ],
    )


async def incidents(db: AsyncSession, session_id: int) -> list[Incident]:
    return group_incidents((await interviews.flags_of(db, [session_id]))[session_id])


async def record_view(db: AsyncSession, session_id: int, actor: User) -> None:
    await interviews.get_session(db, session_id, actor)
    await audit.record(db, session_id, actor, audit.AuditAction.VIEWED)


async def record_export(db: AsyncSession, session_id: int, actor: User, what: str) -> None:
    await audit.record(db, session_id, actor, audit.AuditAction.EXPORTED, what)


async def add_note(db: AsyncSession, session_id: int, actor: User, note: NoteCreate) -> NoteRead:
    await interviews.get_session(db, session_id, actor)
    if note.incident_ref is not None:
        refs = {incident.ref for incident in await incidents(db, session_id)}
        if note.incident_ref not in refs:
            raise NotFoundError(
                f"session {session_id} has no incident {note.incident_ref!r}",
                ["body", "incident_ref"],
            )
    body = note.body.strip()
    row = await ReviewRepository(db).add(
        ReviewNote(
            session_id=session_id,
            incident_ref=note.incident_ref,
            author_id=actor.id,
            author_name=actor.full_name,
            body=body,
        )
    )
    where = f"on incident {note.incident_ref}" if note.incident_ref else "on the session"
    await audit.record(db, session_id, actor, audit.AuditAction.NOTED, f"{where}: {body}")
    return NoteRead.model_validate(row, from_attributes=True)


async def set_outcome(
    db: AsyncSession, session_id: int, actor: User, outcome: Outcome
) -> OutcomeRead:
    await interviews.get_session(db, session_id, actor)
    row = await ReviewRepository(db).add(
        ReviewOutcome(
            session_id=session_id,
            outcome=outcome.value,
            set_by=actor.id,
            set_by_name=actor.full_name,
        )
    )
    await audit.record(db, session_id, actor, audit.AuditAction.OUTCOME_SET, outcome.value)
    return OutcomeRead.model_validate(row, from_attributes=True)


async def review_record(db: AsyncSession, session_id: int, actor: User) -> ReviewRecord:
    await interviews.get_session(db, session_id, actor)
    return await session_review(db, session_id)


async def session_review(db: AsyncSession, session_id: int) -> ReviewRecord:
    """The review of a session the caller was already allowed to see (the report's part)."""
    repository = ReviewRepository(db)
    outcomes = [
        OutcomeRead.model_validate(row, from_attributes=True)
        for row in await repository.outcomes(session_id)
    ]
    return ReviewRecord(
        session_id=session_id,
        incidents=[_incident_read(incident) for incident in await incidents(db, session_id)],
        notes=[
            NoteRead.model_validate(row, from_attributes=True)
            for row in await repository.notes(session_id)
        ],
        outcome=outcomes[-1] if outcomes else None,
        outcomes=outcomes,
        audit=[
            AuditRead.model_validate(row, from_attributes=True)
            for row in await repository.audit(session_id)
        ],
    )


async def flag_counts(db: AsyncSession, session_ids: Sequence[int]) -> list[FlagCounts]:
    """Per session: flags and incidents not dismissed, how long flags were up, the outcome."""
    flags = await interviews.flags_of(db, session_ids)
    outcomes = await ReviewRepository(db).latest_outcomes(session_ids)
    counts: list[FlagCounts] = []
    for session_id in session_ids:
        grouped = group_incidents(flags[session_id])
        outcome = outcomes.get(session_id)
        counts.append(
            FlagCounts(
                session_id=session_id,
                flags=sum(not flag.dismissed for flag in flags[session_id]),
                incidents=sum(not incident.dismissed for incident in grouped),
                flagged_s=round(flagged_seconds(grouped), 1),
                outcome=None if outcome is None else Outcome(outcome),
            )
        )
    return counts


async def sessions_csv(db: AsyncSession, query: SummaryQuery) -> str:
    """The session list as CSV: the summary view's columns plus the review counts."""
    _total, rows = await interviews.summaries(db, query)
    counts = {
        count.session_id: count
        for count in await flag_counts(db, [row["session_id"] for row in rows])
    }
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        count = counts[row["session_id"]]
        writer.writerow(
            {
                **{name: _csv_value(value) for name, value in row.items()},
                "flags": count.flags,
                "incidents": count.incidents,
                "flagged_s": count.flagged_s,
                "outcome": count.outcome.value if count.outcome else "",
            }
        )
    return out.getvalue()


def _csv_value(value: Any) -> Any:
    """Text as a spreadsheet shows it, never as a formula it would run (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


async def dismisser_names(db: AsyncSession, timeline: Sequence[dict[str, Any]]) -> None:
    """Add who dismissed each dismissed entry, by name, to the report's timeline."""
    ids = [entry["dismissed"]["by"] for entry in timeline if entry["dismissed"]]
    names = await ReviewRepository(db).full_names(i for i in ids if i is not None)
    for entry in timeline:
        if entry["dismissed"]:
            entry["dismissed"]["by_name"] = names.get(entry["dismissed"]["by"], "a deleted account")
