"""Stored event rows as the risk engine's flags.

The risk refresher reads only the columns the engine needs, as plain rows (`flag_columns`),
because a busy session holds thousands of events and ORM objects would cost far more.
Reports pass full ORM rows; both go through `flags_from_rows`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select

from interview_monitor.db.tables import (
    AnswerCadence,
    AnswerMatch,
    AudioTranscript,
    BrowserEvent,
    FacePoseEvent,
    ObjectDetectionEvent,
)
from interview_monitor.interviews.cadence_flags import cadence_flags
from interview_monitor.risk.engine import Flag
from interview_monitor.risk.flags import NOT_FLAGS, browser_flag, flags_for_event

FlagRow = (
    ObjectDetectionEvent
    | FacePoseEvent
    | AudioTranscript
    | AnswerMatch
    | BrowserEvent
    | AnswerCadence
)
OBJECT_TABLE = ObjectDetectionEvent.__tablename__
FACE_TABLE = FacePoseEvent.__tablename__
TRANSCRIPT_TABLE = AudioTranscript.__tablename__
MATCH_TABLE = AnswerMatch.__tablename__
BROWSER_TABLE = BrowserEvent.__tablename__
CADENCE_TABLE = AnswerCadence.__tablename__


def flag_ref(row: FlagRow) -> str:
    return f"{row.__tablename__}:{row.id}"


def flag_queries(session_ids: Sequence[int]) -> dict[str, Select[Any]]:
    """Per table, a query for the session id and just the columns `flags_from_rows` reads."""

    def query(model: Any, *columns: Any) -> Select[Any]:
        return select(model.session_id, model.id, model.dismissed_at, *columns).where(
            model.session_id.in_(session_ids)
        )

    return {
        OBJECT_TABLE: query(
            ObjectDetectionEvent,
            ObjectDetectionEvent.timestamp,
            ObjectDetectionEvent.object_detected,
            ObjectDetectionEvent.confidence_score,
            ObjectDetectionEvent.duration_ms,
        ),
        FACE_TABLE: query(
            FacePoseEvent,
            FacePoseEvent.timestamp,
            FacePoseEvent.event_type,
            FacePoseEvent.confidence_score,
            FacePoseEvent.duration_ms,
            FacePoseEvent.severity_score,
        ),
        # Only transcripts that can be a flag: a long interview's plain speech is most rows.
        TRANSCRIPT_TABLE: query(
            AudioTranscript,
            AudioTranscript.start_timestamp,
            AudioTranscript.end_timestamp,
            AudioTranscript.created_at,
            AudioTranscript.text_content,
            AudioTranscript.is_multiple_speakers,
            AudioTranscript.is_voice_mismatch,
            AudioTranscript.flagged_phrases,
            AudioTranscript.speaker_confidence,
        ).where(
            or_(
                AudioTranscript.is_multiple_speakers.is_(True),
                AudioTranscript.is_voice_mismatch.is_(True),
                func.cardinality(AudioTranscript.flagged_phrases) > 0,
            )
        ),
        MATCH_TABLE: query(
            AnswerMatch,
            AnswerMatch.created_at,
            AnswerMatch.tier,
            AnswerMatch.other_session_id,
        ),
        # Heartbeats are most of a page's rows and never a flag.
        BROWSER_TABLE: query(
            BrowserEvent,
            BrowserEvent.timestamp,
            BrowserEvent.event_type,
            BrowserEvent.duration_ms,
            BrowserEvent.details,
        ).where(BrowserEvent.event_type.not_in(NOT_FLAGS)),
        # Every answer's row: the pattern across answers needs the unflagged ones too.
        CADENCE_TABLE: query(
            AnswerCadence,
            AnswerCadence.created_at,
            AnswerCadence.verdict,
            AnswerCadence.first_key_ms,
            AnswerCadence.typed_chars,
            AnswerCadence.pauses,
            AnswerCadence.summary,
        ),
    }


def _percent(value: Any) -> float | None:
    return None if value is None else float(value) / 100


def _flags_of(table: str, row: Any) -> list[Flag]:
    ref = f"{table}:{row.id}"
    dismissed = row.dismissed_at is not None
    if table == MATCH_TABLE:
        columns = {"tier": row.tier, "other_session_id": row.other_session_id}
        return flags_for_event(ref, table, row.created_at, 0.0, columns, None, dismissed)
    if table == BROWSER_TABLE:
        duration_s = (row.duration_ms or 0) / 1000
        flag = browser_flag(ref, row.event_type, row.timestamp, duration_s, row.details, dismissed)
        return [] if flag is None else [flag]
    if table == TRANSCRIPT_TABLE:
        start: datetime = row.start_timestamp or row.created_at
        duration = max(0.0, ((row.end_timestamp or start) - start).total_seconds())
        columns = {
            "is_multiple_speakers": row.is_multiple_speakers,
            "is_voice_mismatch": row.is_voice_mismatch,
            "flagged_phrases": row.flagged_phrases,
            "text_content": row.text_content,
        }
        return flags_for_event(
            ref, table, start, duration, columns, _percent(row.speaker_confidence), dismissed
        )
    columns = (
        {"object_detected": row.object_detected}
        if table == OBJECT_TABLE
        else {"event_type": row.event_type, "severity_score": row.severity_score}
    )
    duration = (row.duration_ms or 0) / 1000
    return flags_for_event(
        ref, table, row.timestamp, duration, columns, _percent(row.confidence_score), dismissed
    )


def flags_from_rows(rows: Iterable[FlagRow]) -> list[Flag]:
    by_table: dict[str, list[FlagRow]] = {}
    for row in rows:
        by_table.setdefault(row.__tablename__, []).append(row)
    return flags_from_columns(by_table)


def flags_from_columns(rows_by_table: Mapping[str, Iterable[Any]]) -> list[Flag]:
    """Each row's flags; answer cadence rows are read together (one flag spans answers)."""
    return [
        flag
        for table, rows in rows_by_table.items()
        for flag in (
            cadence_flags(list(rows))
            if table == CADENCE_TABLE
            else [flag for row in rows for flag in _flags_of(table, row)]
        )
    ]
