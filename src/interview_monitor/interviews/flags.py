"""Stored event rows as the risk engine's flags."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from interview_monitor.db.models import AudioTranscript, FacePoseEvent, ObjectDetectionEvent
from interview_monitor.scoring.risk import Flag, face_kind, object_kind

FlagRow = ObjectDetectionEvent | FacePoseEvent | AudioTranscript
DEFAULT_FACE_CONFIDENCE = 0.8
DEFAULT_OBJECT_SEVERITY = 3


def flag_ref(row: FlagRow) -> str:
    return f"{row.__tablename__}:{row.id}"


def _transcript_span(row: AudioTranscript) -> tuple[datetime, float]:
    start = row.start_timestamp or row.created_at
    end = row.end_timestamp or start
    return start, max(0.0, (end - start).total_seconds())


def flags_from_rows(rows: Iterable[FlagRow]) -> list[Flag]:
    flags: list[Flag] = []
    for row in rows:
        dismissed = row.dismissed_at is not None
        if isinstance(row, ObjectDetectionEvent):
            flags.append(
                Flag(
                    ref=flag_ref(row),
                    kind=object_kind(row.object_detected),
                    start=row.timestamp,
                    duration_s=row.duration_ms / 1000,
                    severity=DEFAULT_OBJECT_SEVERITY,
                    confidence=float(row.confidence_score) / 100,
                    dismissed=dismissed,
                    description=row.object_detected,
                )
            )
        elif isinstance(row, FacePoseEvent):
            stored_confidence = row.confidence_score
            flags.append(
                Flag(
                    ref=flag_ref(row),
                    kind=face_kind(row.event_type),
                    start=row.timestamp,
                    duration_s=(row.duration_ms or 0) / 1000,
                    severity=row.severity_score or 1,
                    confidence=DEFAULT_FACE_CONFIDENCE
                    if stored_confidence is None
                    else float(stored_confidence) / 100,
                    dismissed=dismissed,
                    description=row.event_type,
                )
            )
        else:
            start, duration = _transcript_span(row)
            confidence = (
                1.0 if row.speaker_confidence is None else float(row.speaker_confidence) / 100
            )
            if row.is_multiple_speakers:
                flags.append(
                    Flag(
                        flag_ref(row),
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
                flags.append(
                    Flag(
                        flag_ref(row),
                        "spoken_cue",
                        start,
                        duration,
                        4,
                        1.0,
                        dismissed,
                        ", ".join(row.flagged_phrases),
                    )
                )
    return flags
