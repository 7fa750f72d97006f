from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from interview_monitor.db.tables import (
    AnswerCadence,
    AnswerEvaluation,
    AnswerMatch,
    AudioTranscript,
    BrowserEvent,
    EvidenceSnapshot,
    FacePoseEvent,
    InterviewSession,
    ObjectDetectionEvent,
    ReferenceFaceRow,
    RiskHistory,
    User,
)
from interview_monitor.interviews.flags import FlagRow, flag_queries
from interview_monitor.interviews.schemas import SummaryQuery
from interview_monitor.interviews.statuses import SessionStatus
from interview_monitor.risk.flags import NOT_FLAGS

EVIDENCE_URL = "/api/evidence/{id}"

_LOCK_IN_ID_ORDER = text(
    "SELECT id FROM interview_sessions WHERE id = ANY(:ids) ORDER BY id FOR NO KEY UPDATE"
)
_SET_RISKS = text(
    "WITH scores AS (SELECT * FROM unnest(CAST(:ids AS int[]), CAST(:scores AS numeric[])) "
    "AS s(session_id, score)), "
    "updated AS (UPDATE interview_sessions SET total_risk_score = scores.score FROM scores "
    "WHERE interview_sessions.id = scores.session_id RETURNING scores.session_id, scores.score) "
    "INSERT INTO risk_history (session_id, total_risk_score) "
    "SELECT session_id, score FROM updated WHERE score IS DISTINCT FROM ("
    "SELECT h.total_risk_score FROM risk_history h WHERE h.session_id = updated.session_id "
    "ORDER BY h.computed_at DESC, h.id DESC LIMIT 1) "
    "RETURNING session_id"
)

FLAG_MODELS: dict[str, type[FlagRow]] = {
    "object_detection_events": ObjectDetectionEvent,
    "face_pose_events": FacePoseEvent,
    "audio_transcripts": AudioTranscript,
    "answer_matches": AnswerMatch,
    "browser_events": BrowserEvent,
    "answer_cadence": AnswerCadence,
}


class SessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def reference_face(self, session_id: int) -> ReferenceFaceRow | None:
        query = select(ReferenceFaceRow).where(ReferenceFaceRow.session_id == session_id)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def save_reference_face(self, face: ReferenceFaceRow, replaces: Sequence[str]) -> bool:
        """Insert, or replace the session's reference if its source is one of `replaces`;
        True when stored."""
        values = {
            column: getattr(face, column)
            for column in ("session_id", "source", "model", "embedding", "snapshot")
        }
        statement = (
            insert(ReferenceFaceRow)
            .values(**values)
            .on_conflict_do_update(
                constraint="reference_faces_session_key",
                set_={**values, "created_at": func.now()},
                where=ReferenceFaceRow.source.in_(list(replaces)),
            )
            .returning(ReferenceFaceRow.id)
        )
        return (await self.session.execute(statement)).scalar_one_or_none() is not None

    async def add(self, interview: InterviewSession) -> InterviewSession:
        self.session.add(interview)
        await self.session.flush()
        await self.session.refresh(interview)
        return interview

    async def get(self, session_id: int, *, for_update: bool = False) -> InterviewSession | None:
        query = select(InterviewSession).where(InterviewSession.id == session_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def statuses(self, session_ids: Sequence[int]) -> dict[int, str]:
        """Status of each existing session, with a FOR KEY SHARE lock until commit.

        The lock keeps a session from ending under a batch that is being stored, without making
        concurrent batches for the same session wait for one another.
        """
        rows = await self.session.execute(
            select(InterviewSession.id, InterviewSession.status)
            .where(InterviewSession.id.in_(session_ids))
            .order_by(InterviewSession.id)
            .with_for_update(read=True, key_share=True)
        )
        return {row.id: row.status for row in rows}

    async def owners(self, session_ids: Sequence[int]) -> dict[int, int]:
        """The candidate (user id) of each of these sessions that exists."""
        rows = await self.session.execute(
            select(InterviewSession.id, InterviewSession.user_id).where(
                InterviewSession.id.in_(session_ids)
            )
        )
        return {row.id: row.user_id for row in rows}

    async def summaries(self, query: SummaryQuery) -> tuple[int, list[dict[str, Any]]]:
        clauses: list[str] = []
        params: dict[str, Any] = {"limit": query.limit, "offset": query.offset}
        for name, value, clause in (
            ("status", query.status, "status = :status"),
            ("risk_level", query.risk_level, "risk_level = :risk_level"),
            ("user_id", query.user_id, "user_id = :user_id"),
            ("since", query.since, "start_time >= :since"),
            ("until", query.until, "start_time < :until"),
            (
                "search",
                f"%{_like_literal(query.search)}%" if query.search else None,
                "(full_name ILIKE :search ESCAPE '\\' OR email ILIKE :search ESCAPE '\\' "
                "OR username ILIKE :search ESCAPE '\\')",
            ),
        ):
            if value is not None:
                clauses.append(clause)
                params[name] = value
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        direction = "DESC" if query.descending else "ASC"
        total = await self.session.scalar(
            text(f"SELECT count(*) FROM view_candidate_risk_summary {where}"), params
        )
        rows = await self.session.execute(
            text(
                f"SELECT * FROM view_candidate_risk_summary {where} "
                f"ORDER BY {query.order_by} {direction} NULLS LAST, session_id {direction} "
                "LIMIT :limit OFFSET :offset"
            ),
            params,
        )
        return int(total or 0), [dict(row._mapping) for row in rows]

    async def set_risk(self, session_id: int, score: float) -> bool:
        """Store the score; record it in the history when it changed."""
        return session_id in await self.set_risks({session_id: score})

    async def lock(self, session_ids: Sequence[int]) -> None:
        """Lock sessions for update in id order, the one order every writer of session rows
        keeps (see events/repository.py), so transactions cannot wait for each other in a cycle."""
        await self.session.execute(_LOCK_IN_ID_ORDER, {"ids": sorted(set(session_ids))})

    async def mark_stale(self, session_ids: Sequence[int]) -> None:
        await self.lock(session_ids)
        await self.session.execute(
            update(InterviewSession)
            .where(InterviewSession.id.in_(session_ids), InterviewSession.risk_stale.is_(False))
            .values(risk_stale=True)
        )

    async def stale_ids(self) -> list[int]:
        query = select(InterviewSession.id).where(InterviewSession.risk_stale)
        return list((await self.session.scalars(query.order_by(InterviewSession.id))).all())

    async def claim_stale(self, session_ids: Sequence[int]) -> list[int]:
        """Clear the stale flag of those of `session_ids` still stale and not locked by
        another claim; returns the ones claimed."""
        claimable = (
            select(InterviewSession.id)
            .where(InterviewSession.id.in_(session_ids), InterviewSession.risk_stale)
            .order_by(InterviewSession.id)
            # FOR NO KEY UPDATE: ingest's FOR KEY SHARE on a busy session must not make
            # the claim skip it.
            .with_for_update(key_share=True, skip_locked=True)
        )
        claimed = await self.session.scalars(
            update(InterviewSession)
            .where(InterviewSession.id.in_(claimable.scalar_subquery()))
            .values(risk_stale=False)
            .returning(InterviewSession.id)
        )
        return list(claimed.all())

    async def set_risks(self, scores: Mapping[int, float]) -> set[int]:
        """Store each session's score in one statement; record in the history the ones that
        changed, and return those."""
        if not scores:
            return set()
        ids = sorted(scores)
        values = [Decimal(f"{scores[session_id]:.2f}") for session_id in ids]
        await self.lock(ids)
        changed = await self.session.execute(_SET_RISKS, {"ids": ids, "scores": values})
        return {row[0] for row in changed}

    async def flags(self, session_id: int) -> list[FlagRow]:
        """Every row of the session that is or may be a flag (not the page's heartbeats)."""
        found: list[FlagRow] = []
        for model in FLAG_MODELS.values():
            query: Select[Any] = select(model).where(model.session_id == session_id)
            if model is BrowserEvent:
                query = query.where(BrowserEvent.event_type.not_in(NOT_FLAGS))
            found.extend((await self.session.scalars(query)).all())
        return found

    async def cadence(self, session_id: int) -> Sequence[AnswerCadence]:
        query = select(AnswerCadence).where(AnswerCadence.session_id == session_id)
        return (await self.session.scalars(query.order_by(AnswerCadence.id))).all()

    async def add_cadence(self, cadence: AnswerCadence) -> None:
        self.session.add(cadence)
        await self.session.flush()

    async def flag_columns(self, session_id: int) -> dict[str, list[Any]]:
        return (await self.flag_columns_of([session_id]))[session_id]

    async def flag_columns_of(self, session_ids: Sequence[int]) -> dict[int, dict[str, list[Any]]]:
        """Per session, per flag table, the rows the risk engine reads (one query per table)."""
        found: dict[int, dict[str, list[Any]]] = {
            session_id: {table: [] for table in FLAG_MODELS} for session_id in session_ids
        }
        for table, query in flag_queries(session_ids).items():
            for row in await self.session.execute(query):
                found[row.session_id][table].append(row)
        return found

    async def events(
        self, model: type[Any], session_id: int, limit: int, offset: int
    ) -> Sequence[Any]:
        order = model.timestamp if hasattr(model, "timestamp") else model.id
        query: Select[Any] = (
            select(model)
            .where(model.session_id == session_id)
            .order_by(order, model.id)
            .limit(limit)
            .offset(offset)
        )
        return (await self.session.scalars(query)).all()

    async def first_speech_at(self, session_id: int, since: datetime) -> datetime | None:
        """When the candidate's first transcribed speech after `since` began."""
        start = func.coalesce(AudioTranscript.start_timestamp, AudioTranscript.created_at)
        return await self.session.scalar(
            select(func.min(start)).where(AudioTranscript.session_id == session_id, start >= since)
        )

    async def answers(self, session_id: int) -> Sequence[AnswerEvaluation]:
        query = (
            select(AnswerEvaluation)
            .where(AnswerEvaluation.session_id == session_id)
            .order_by(AnswerEvaluation.id)
        )
        return (await self.session.scalars(query)).all()

    async def transcripts(self, session_id: int) -> Sequence[AudioTranscript]:
        query = (
            select(AudioTranscript)
            .where(AudioTranscript.session_id == session_id)
            .order_by(
                func.coalesce(AudioTranscript.start_timestamp, AudioTranscript.created_at),
                AudioTranscript.id,
            )
        )
        return (await self.session.scalars(query)).all()

    async def transcript_texts(self, session_id: int, since: datetime, limit: int) -> list[str]:
        """The text of the session's first `limit` transcripts that start at `since` or later."""
        query = (
            select(AudioTranscript.text_content)
            .where(
                AudioTranscript.session_id == session_id, AudioTranscript.start_timestamp >= since
            )
            .order_by(AudioTranscript.start_timestamp)
            .limit(limit)
        )
        return list((await self.session.scalars(query)).all())

    async def risk_history(self, session_id: int) -> Sequence[RiskHistory]:
        query = (
            select(RiskHistory)
            .where(RiskHistory.session_id == session_id)
            .order_by(RiskHistory.computed_at)
        )
        return (await self.session.scalars(query)).all()

    async def candidate(self, interview: InterviewSession) -> User:
        user = await self.session.get(User, interview.user_id)
        assert user is not None
        return user

    async def add_evidence(self, snapshot: EvidenceSnapshot) -> EvidenceSnapshot:
        self.session.add(snapshot)
        await self.session.flush()
        return snapshot

    async def evidence_by_url(self, session_id: int) -> dict[str, bytes]:
        """Every snapshot of a session, keyed by the URL the event rows point to."""
        rows = await self.session.execute(
            select(EvidenceSnapshot.id, EvidenceSnapshot.data).where(
                EvidenceSnapshot.session_id == session_id
            )
        )
        return {EVIDENCE_URL.format(id=row.id): row.data for row in rows}

    async def evidence(self, snapshot_id: Any) -> EvidenceSnapshot | None:
        return await self.session.get(EvidenceSnapshot, snapshot_id)

    async def delete_ended_before(self, cutoff: datetime) -> int:
        result = await self.session.execute(
            text(
                f"DELETE FROM interview_sessions WHERE status <> '{SessionStatus.IN_PROGRESS}' "
                "AND COALESCE(end_time, start_time) < :cutoff"
            ),
            {"cutoff": cutoff},
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


def _like_literal(text: str) -> str:
    """`text` matched as typed: a search for "%" or "_" finds those characters, not everyone."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
