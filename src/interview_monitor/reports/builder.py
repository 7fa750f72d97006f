"""The report of one session, as plain data: what the JSON, HTML and PDF renderings share."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from interview_monitor.db.tables import (
    AudioTranscript,
    FacePoseEvent,
    InterviewSession,
    ObjectDetectionEvent,
)
from interview_monitor.interviews.flags import flag_ref, flags_from_rows
from interview_monitor.interviews.repository import SessionRepository
from interview_monitor.playback.service import drops
from interview_monitor.risk.engine import RiskAssessment, RiskModel


def risk_json(session_id: int, assessment: RiskAssessment) -> dict[str, Any]:
    return {
        "session_id": session_id,
        "total_risk_score": assessment.total_risk_score,
        "risk_level": assessment.risk_level.value,
        "contributions": [dataclasses.asdict(c) for c in assessment.contributions],
    }


def _dismissal(
    row: ObjectDetectionEvent | FacePoseEvent | AudioTranscript,
) -> dict[str, Any] | None:
    if row.dismissed_at is None:
        return None
    return {"at": row.dismissed_at, "by": row.dismissed_by, "reason": row.dismissal_reason}


def timeline_entry(row: ObjectDetectionEvent | FacePoseEvent | AudioTranscript) -> dict[str, Any]:
    base: dict[str, Any] = {
        "ref": flag_ref(row),
        "table": row.__tablename__,
        "id": row.id,
        "source": row.source,
        "dismissed": _dismissal(row),
    }
    if isinstance(row, ObjectDetectionEvent):
        return {
            **base,
            "at": row.timestamp,
            "kind": row.object_detected,
            "label": f"Object: {row.object_detected}",
            "duration_ms": row.duration_ms,
            "confidence": float(row.confidence_score),
            "snapshot_url": row.snapshot_url,
        }
    if isinstance(row, FacePoseEvent):
        return {
            **base,
            "at": row.timestamp,
            "kind": row.event_type,
            "label": row.event_type.replace("_", " ").capitalize(),
            "duration_ms": row.duration_ms,
            "severity_score": row.severity_score,
            "confidence": None if row.confidence_score is None else float(row.confidence_score),
            "snapshot_url": row.snapshot_url,
        }
    start = row.start_timestamp or row.created_at
    end = row.end_timestamp or start
    kinds = (["other voices"] if row.is_multiple_speakers else []) + (
        ["spoken cue"] if row.flagged_phrases else []
    )
    return {
        **base,
        "at": start,
        "kind": "speech",
        "label": "Speech" + (f" ({', '.join(kinds)})" if kinds else ""),
        "duration_ms": round((end - start).total_seconds() * 1000),
        "text": row.text_content,
        "is_multiple_speakers": row.is_multiple_speakers,
        "flagged_phrases": list(row.flagged_phrases),
        "confidence": None if row.speaker_confidence is None else float(row.speaker_confidence),
    }


async def build_report(
    db: AsyncSession, interview: InterviewSession, model: RiskModel
) -> dict[str, Any]:
    repository = SessionRepository(db)
    candidate = await repository.candidate(interview)
    rows = await repository.flags(interview.id)
    flags = flags_from_rows(rows)
    # Hundreds of whole assessments for the plot: off the event loop.
    assessment, scores = await asyncio.to_thread(
        lambda: (model.assess(flags), model.history(flags))
    )
    timeline = sorted(
        (timeline_entry(row) for row in rows), key=lambda entry: (entry["at"], entry["ref"])
    )
    history: list[tuple[datetime, float]] = [(interview.start_time, 0.0), *scores]
    return {
        "session_id": interview.id,
        "title": interview.title,
        "candidate": {
            "user_id": candidate.id,
            "username": candidate.username,
            "full_name": candidate.full_name,
            "email": candidate.email,
        },
        "status": interview.status,
        "start_time": interview.start_time,
        "end_time": interview.end_time,
        "risk": risk_json(interview.id, assessment),
        "risk_history": [{"at": at, "total_risk_score": score} for at, score in history],
        "timeline": timeline,
        # When the candidate's camera or microphone stream was cut off (ended_at None: it
        # never came back before the session ended).
        "stream_drops": [
            {"kind": drop.kind, "started_at": drop.started_at, "ended_at": drop.ended_at}
            for drop in await drops(db, interview.id)
        ],
        "transcripts": [
            {
                "id": t.id,
                "start_timestamp": t.start_timestamp,
                "end_timestamp": t.end_timestamp,
                "text_content": t.text_content,
                "is_multiple_speakers": t.is_multiple_speakers,
                "flagged_phrases": list(t.flagged_phrases),
            }
            for t in await repository.transcripts(interview.id)
        ],
        "answer_evaluations": [
            {
                "id": a.id,
                "question_id": a.question_id,
                "question_text": a.question_text,
                "candidate_answer": a.candidate_answer,
                "ai_relevance_score": None
                if a.ai_relevance_score is None
                else float(a.ai_relevance_score),
                "ai_feedback": a.ai_feedback,
                "created_at": a.created_at,
            }
            for a in await repository.answers(interview.id)
        ],
    }
