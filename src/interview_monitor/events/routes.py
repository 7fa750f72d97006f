"""Ingest for outside AI modules: the seed's JSON payloads, one object or a list."""

# No `from __future__ import annotations` here: each route's body type is built at run time
# from its payload class and must be a real object when FastAPI reads the signature.

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Body, Response, status

from interview_monitor.auth.roles import Role
from interview_monitor.deps import BrowserIngestForCaller, DbSession, IngestBatcherForCaller
from interview_monitor.events.schemas import (
    MAX_BATCH,
    AnswerEvaluationPayload,
    AudioTranscriptPayload,
    BrowserEventPayload,
    EventPayload,
    FacePosePayload,
    IngestResult,
    ObjectDetectionPayload,
)
from interview_monitor.events.service import from_candidate_page

router = APIRouter(prefix="/api/events", tags=["ingest"])
JSON = "application/json"

ROUTES: dict[str, tuple[type[EventPayload], str]] = {
    "object-detection": (
        ObjectDetectionPayload,
        'YOLOv8: `{"session_id": 123, "object_detected": "cell phone", "confidence_score": 95.5}`',
    ),
    "face-pose": (
        FacePosePayload,
        'OpenCV: `{"session_id": 123, "event_type": "looking_away", "duration_ms": 3500, "severity_score": 3}`',
    ),
    "audio-transcript": (
        AudioTranscriptPayload,
        'Whisper: `{"session_id": 123, "text_content": "My answer is...", "is_multiple_speakers": false}`',
    ),
    "answer-evaluation": (
        AnswerEvaluationPayload,
        'GPT/LLM: `{"session_id": 123, "ai_relevance_score": 85.5, "ai_feedback": "Good understanding..."}`',
    ),
}


def _as_list(body: EventPayload | Sequence[EventPayload]) -> list[EventPayload]:
    return list(body) if isinstance(body, Sequence) else [body]


def _add_route(kind: str, payload: type[EventPayload], description: str) -> None:
    batch: Any = Annotated[list[payload], Body(min_length=1, max_length=MAX_BATCH)]  # type: ignore[valid-type]

    async def post_events(
        batcher: IngestBatcherForCaller,
        body: payload | batch,  # type: ignore[valid-type]
    ) -> Response:
        result = await batcher.submit(_as_list(body))
        # Serialised here: FastAPI would validate the model it was just built from again.
        return Response(result.model_dump_json(), status.HTTP_201_CREATED, media_type=JSON)

    router.add_api_route(
        f"/{kind}",
        post_events,
        methods=["POST"],
        status_code=status.HTTP_201_CREATED,
        response_model=IngestResult,
        name=f"post_{kind.replace('-', '_')}",
        summary=f"Post {kind} events",
        description=f"{description}\n\nOne object or a list of up to {MAX_BATCH}; a list is stored all or nothing.",
    )


for _kind, (_payload, _description) in ROUTES.items():
    _add_route(_kind, _payload, _description)


BrowserBatch = Annotated[list[BrowserEventPayload], Body(min_length=1, max_length=MAX_BATCH)]


@router.post(
    "/browser",
    status_code=status.HTTP_201_CREATED,
    response_model=IngestResult,
    summary="Post browser telemetry events",
    description=(
        'Candidate page: `{"session_id": 123, "event_type": "page_hidden", "duration_ms": 4000, '
        '"details": {...}}`. Service accounts and admins post for any session; a candidate '
        f"only for their own session in progress. One object or a list of up to {MAX_BATCH}."
    ),
)
async def post_browser_events(
    ingest: BrowserIngestForCaller, db: DbSession, body: BrowserEventPayload | BrowserBatch
) -> Response:
    payloads = body if isinstance(body, list) else [body]
    if ingest.caller.role is Role.CANDIDATE:
        payloads = await from_candidate_page(db, ingest.caller.user_id, payloads)
    result = await ingest.batcher.submit(payloads)
    return Response(result.model_dump_json(), status.HTTP_201_CREATED, media_type=JSON)
