"""Stored event rows as the risk engine's flags.

The risk refresher reads only the columns the engine needs, as plain rows (`flag_columns`),
because a busy session holds thousands of events and ORM objects would cost far more.
Reports pass full ORM rows; both go through `flags_from_rows`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select

from interview_monitor.db.models import AudioTranscript, FacePoseEvent, ObjectDetectionEvent
from interview_monitor.scoring.risk import Flag, face_kind, object_kind

FlagRow = ObjectDetectionEvent | FacePoseEvent | AudioTranscript
DEFAULT_FACE_CONFIDENCE = 0.8
DEFAULT_OBJECT_SEVERITY = 3
OBJECT_TABLE = ObjectDetectionEvent.__tablename__
FACE_TABLE = FacePoseEvent.__tablename__
TRANSCRIPT_TABLE = AudioTranscript.__tablename__


def flag_ref(row: FlagRow) -> str:
    return f"{row.__tablename__}:{row.id}"


def flag_queries(session_id: int) -> dict[str, Select[Any]]:
    """Per table, a query for just the columns `flags_from_rows` reads."""

    def query(model: Any, *columns: Any) -> Select[Any]:
        return select(model.id, model.dismissed_at, *columns).where(model.session_id == session_id)

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
        TRANSCRIPT_TABLE: query(
            AudioTranscript,
            AudioTranscript.start_timestamp,
            AudioTranscript.end_timestamp,
            AudioTranscript.created_at,
            AudioTranscript.text_content,
            AudioTranscript.is_multiple_speakers,
            AudioTranscript.flagged_phrases,
            AudioTranscript.speaker_confidence,
        ),
    }


def _percent(value: Any, default: float) -> float:
    return default if value is None else float(value) / 100


def _flags_of(table: str, row: Any) -> list[Flag]:
    ref = f"{table}:{row.id}"
    dismissed = row.dismissed_at is not None
    if table == OBJECT_TABLE:
        return [
            Flag(
                ref,
                object_kind(row.object_detected),
                row.timestamp,
                row.duration_ms / 1000,
                DEFAULT_OBJECT_SEVERITY,
                _percent(row.confidence_score, 1.0),
                dismissed,
                row.object_detected,
            )
        ]
    if table == FACE_TABLE:
        return [
            Flag(
                ref,
                face_kind(row.event_type),
                row.timestamp,
                (row.duration_ms or 0) / 1000,
                row.severity_score or 1,
                _percent(row.confidence_score, DEFAULT_FACE_CONFIDENCE),
                dismissed,
                row.event_type,
            )
        ]
    start: datetime = row.start_timestamp or row.created_at
    duration = max(0.0, ((row.end_timestamp or start) - start).total_seconds())
    flags = []
    if row.is_multiple_speakers:
        confidence = _percent(row.speaker_confidence, 1.0)
        flags.append(
            Flag(
                ref,
                "multiple_speakers",
                start,
                duration,
                3,
                confidence,
                dismissed,
                row.text_content,
            )
        )
    if row.flagged_phrases:
        phrases = ", ".join(row.flagged_phrases)
        flags.append(Flag(ref, "spoken_cue", start, duration, 4, 1.0, dismissed, phrases))
    return flags


def flags_from_rows(rows: Iterable[FlagRow]) -> list[Flag]:
    return [flag for row in rows for flag in _flags_of(row.__tablename__, row)]


def flags_from_columns(rows_by_table: Mapping[str, Iterable[Any]]) -> list[Flag]:
    return [
        flag
        for table, rows in rows_by_table.items()
        for row in rows
        for flag in _flags_of(table, row)
    ]
