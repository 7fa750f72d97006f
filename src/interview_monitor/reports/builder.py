"""The report of one session, as plain data: what the JSON, HTML and PDF renderings share."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from interview_monitor.db.tables import (
    AnswerCadence,
    AnswerMatch,
    BrowserEvent,
    FacePoseEvent,
    InterviewSession,
    ObjectDetectionEvent,
)
from interview_monitor.detectors.cadence import FLAGGED_VERDICTS
from interview_monitor.interviews.flags import FlagRow, flag_ref, flags_from_rows
from interview_monitor.interviews.repository import SessionRepository
from interview_monitor.playback.service import drops
from interview_monitor.review import service as review_service
from interview_monitor.risk.engine import DEFAULT_POLICIES, RiskAssessment, RiskModel
from interview_monitor.risk.flags import describe_details
from interview_monitor.sharing.repository import MatchRepository


def risk_json(session_id: int, assessment: RiskAssessment) -> dict[str, Any]:
    return {
        "session_id": session_id,
        "total_risk_score": assessment.total_risk_score,
        "risk_level": assessment.risk_level.value,
        "contributions": [dataclasses.asdict(c) for c in assessment.contributions],
    }


def _dismissal(row: FlagRow) -> dict[str, Any] | None:
    if row.dismissed_at is None:
        return None
    return {"at": row.dismissed_at, "by": row.dismissed_by, "reason": row.dismissal_reason}


def _label(kind: str) -> str:
    policy = DEFAULT_POLICIES.get(kind)
    return policy.label if policy else kind.replace("_", " ").capitalize()


def _source(row: FlagRow) -> str:
    if isinstance(row, AnswerMatch):
        return "answer comparison"
    if isinstance(row, AnswerCadence):
        return "candidate_page"
    return str(row.source)


def cadence_json(row: AnswerCadence) -> dict[str, Any]:
    """How one answer arrived: the latency and cadence figures of the report."""
    return {
        "answer_id": row.answer_id,
        "verdict": row.verdict,
        "first_key_ms": row.first_key_ms,
        "first_speech_ms": row.first_speech_ms,
        "inserted_chars": row.inserted_chars,
        "typed_chars": row.typed_chars,
        "bulk_chars": row.bulk_chars,
        "cps_bursts_p95": None if row.cps_bursts_p95 is None else float(row.cps_bursts_p95),
        "pauses": row.pauses,
        "summary": row.summary,
    }


def arrival_words(cadence: dict[str, Any] | None) -> str:
    """The latency and cadence figures of one answer, for the report's answers table."""
    if cadence is None:
        return "—"
    if cadence["first_key_ms"] is not None:
        delay = f"first key after {cadence['first_key_ms'] / 1000:.1f} s"
    elif cadence["first_speech_ms"] is not None:
        delay = f"first speech after {cadence['first_speech_ms'] / 1000:.1f} s"
    else:
        delay = "no input"
    parts = [
        cadence["verdict"].replace("_", " "),
        delay,
        f"{cadence['typed_chars']} typed, {cadence['bulk_chars']} pasted or at once",
    ]
    if cadence["cps_bursts_p95"] is not None:
        parts.append(f"bursts up to {cadence['cps_bursts_p95']:.1f} characters/s")
    parts.append(f"{cadence['pauses']} pauses of 2 s or more")
    return "; ".join(parts)


def timeline_entry(row: FlagRow) -> dict[str, Any]:
    base: dict[str, Any] = {
        "ref": flag_ref(row),
        "table": row.__tablename__,
        "id": row.id,
        # Shared answers are found by the server itself when an answer is submitted.
        "source": _source(row),
        "dismissed": _dismissal(row),
    }
    if isinstance(row, BrowserEvent):
        return {
            **base,
            "at": row.timestamp,
            "kind": row.event_type,
            "label": _label(row.event_type),
            "duration_ms": row.duration_ms,
            "details": row.details,
            "text": describe_details(row.details),
            "confidence": None,
        }
    if isinstance(row, AnswerCadence):
        return {
            **base,
            "at": row.created_at,
            "kind": row.verdict,
            "label": f"Answer: {row.verdict.replace('_', ' ')}",
            "duration_ms": 0,
            "cadence": cadence_json(row),
            "text": "; ".join(row.summary.get("reasons") or []),
            "confidence": None,
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
    if isinstance(row, AnswerMatch):
        return {
            **base,
            "at": row.created_at,
            "kind": "shared_answer",
            "label": f"Answer shared with session {row.other_session_id} ({row.tier} near-copy)",
            "duration_ms": 0,
            # Own-text overlap in percent: the column every flag shows as its confidence.
            "confidence": float(row.own_jaccard) * 100,
            "question_id": row.question_id,
            "answer_id": row.answer_id,
            "other_session_id": row.other_session_id,
            "other_answer_id": row.other_answer_id,
            "tier": row.tier,
            "own_jaccard": float(row.own_jaccard),
            "own_shingles": row.own_shingles,
            "cosine": None if row.cosine is None else float(row.cosine),
        }
    start = row.start_timestamp or row.created_at
    end = row.end_timestamp or start
    kinds = (
        (["someone else answering"] if row.is_voice_mismatch else [])
        + (["other voices"] if row.is_multiple_speakers else [])
        + (["spoken cue"] if row.flagged_phrases else [])
    )
    return {
        **base,
        "at": start,
        "kind": "speech",
        "label": "Speech" + (f" ({', '.join(kinds)})" if kinds else ""),
        "duration_ms": round((end - start).total_seconds() * 1000),
        "text": row.text_content,
        "is_multiple_speakers": row.is_multiple_speakers,
        "is_voice_mismatch": row.is_voice_mismatch,
        "flagged_phrases": list(row.flagged_phrases),
        "confidence": None if row.speaker_confidence is None else float(row.speaker_confidence),
    }


async def _with_both_answers(db: AsyncSession, timeline: list[dict[str, Any]]) -> None:
    """Put both answers of each shared-answer flag side by side in its text: the reviewer
    judges the copy, not the score."""
    matches = [entry for entry in timeline if entry["kind"] == "shared_answer"]
    if not matches:
        return
    ids = {entry[key] for entry in matches for key in ("answer_id", "other_answer_id")}
    texts = await MatchRepository(db).answer_texts(sorted(ids))
    for entry in matches:
        entry["answer"] = texts.get(entry["answer_id"], "")
        entry["other_answer"] = texts.get(entry["other_answer_id"], "")
        entry["text"] = (
            f"This answer: {entry['answer']} | "
            f"Session {entry['other_session_id']}'s answer: {entry['other_answer']}"
        )


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
    # An answer typed at human speed is a row of the answers section, not of the timeline.
    shown = (r for r in rows if not isinstance(r, AnswerCadence) or r.verdict in FLAGGED_VERDICTS)
    timeline = sorted(
        (timeline_entry(row) for row in shown), key=lambda entry: (entry["at"], entry["ref"])
    )
    await _with_both_answers(db, timeline)
    await review_service.dismisser_names(db, timeline)
    cadence = {row.answer_id: cadence_json(row) for row in await repository.cadence(interview.id)}
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
        "review": (await review_service.session_review(db, interview.id)).model_dump(),
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
                "is_voice_mismatch": t.is_voice_mismatch,
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
                "cadence": cadence.get(a.id),
                "arrival": arrival_words(cadence.get(a.id)),
            }
            for a in await repository.answers(interview.id)
        ],
    }
