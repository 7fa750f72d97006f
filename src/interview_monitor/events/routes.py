"""Ingest for outside AI modules: the seed's JSON payloads, one object or a list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Body, status

from interview_monitor.deps import DbSession, Ingester
from interview_monitor.events.schemas import (
    MAX_BATCH,
    AnswerEvaluationPayload,
    AudioTranscriptPayload,
    EventPayload,
    FacePosePayload,
    IngestResult,
    ObjectDetectionPayload,
)
from interview_monitor.events.service import ingest

router = APIRouter(prefix="/api/events", tags=["ingest"])


def _as_list(body: EventPayload | Sequence[EventPayload]) -> list[EventPayload]:
    return list(body) if isinstance(body, Sequence) else [body]


@router.post("/object-detection", status_code=status.HTTP_201_CREATED)
async def post_object_detection(
    db: DbSession,
    _: Ingester,
    body: ObjectDetectionPayload
    | Annotated[list[ObjectDetectionPayload], Body(min_length=1, max_length=MAX_BATCH)],
) -> IngestResult:
    """YOLOv8: `{"session_id": 123, "object_detected": "cell phone", "confidence_score": 95.5}`"""
    return await ingest(db, _as_list(body))


@router.post("/face-pose", status_code=status.HTTP_201_CREATED)
async def post_face_pose(
    db: DbSession,
    _: Ingester,
    body: FacePosePayload
    | Annotated[list[FacePosePayload], Body(min_length=1, max_length=MAX_BATCH)],
) -> IngestResult:
    """OpenCV: `{"session_id": 123, "event_type": "looking_away", "duration_ms": 3500, "severity_score": 3}`"""
    return await ingest(db, _as_list(body))


@router.post("/audio-transcript", status_code=status.HTTP_201_CREATED)
async def post_audio_transcript(
    db: DbSession,
    _: Ingester,
    body: AudioTranscriptPayload
    | Annotated[list[AudioTranscriptPayload], Body(min_length=1, max_length=MAX_BATCH)],
) -> IngestResult:
    """Whisper: `{"session_id": 123, "text_content": "My answer is...", "is_multiple_speakers": false}`"""
    return await ingest(db, _as_list(body))


@router.post("/answer-evaluation", status_code=status.HTTP_201_CREATED)
async def post_answer_evaluation(
    db: DbSession,
    _: Ingester,
    body: AnswerEvaluationPayload
    | Annotated[list[AnswerEvaluationPayload], Body(min_length=1, max_length=MAX_BATCH)],
) -> IngestResult:
    """GPT/LLM: `{"session_id": 123, "ai_relevance_score": 85.5, "ai_feedback": "Good understanding..."}`"""
    return await ingest(db, _as_list(body))
