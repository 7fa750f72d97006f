"""The seed's AI-module payloads, accepted exactly as written, plus optional extra columns.

Types are strict (a string is not a number, a boolean is not an id) and unknown fields are
refused, so a module that sends the wrong thing hears about it at once, by field name.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    Field,
    PrivateAttr,
    Strict,
    model_validator,
)

from interview_monitor.ids import MAX_ROW_ID
from interview_monitor.request_model import RequestModel

# Interview times: PostgreSQL stores any year from 4713 BC, but a time whose UTC date leaves
# years 1-9999 cannot be read back into Python, and would break every read of its session.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def _interview_time(value: datetime) -> datetime:
    if not EARLIEST <= value < LATEST:
        raise ValueError(f"must be between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d} (UTC)")
    return value


EventTime = Annotated[AwareDatetime, AfterValidator(_interview_time)]

SessionId = Annotated[int, Strict(), Field(ge=1, le=MAX_ROW_ID)]
Percent = Annotated[float, Strict(), Field(ge=0, le=100, allow_inf_nan=False)]
ShortText = Annotated[str, Strict(), Field(min_length=1, max_length=100)]
EventId = Annotated[str, Strict(), Field(min_length=1, max_length=100, pattern=r"^[\x21-\x7e]+$")]
DurationMs = Annotated[int, Strict(), Field(ge=0, le=86_400_000)]
MAX_BATCH = 5000


class EventPayload(RequestModel):
    table: ClassVar[str]

    session_id: SessionId
    event_id: EventId | None = Field(
        default=None,
        description="Idempotency key: the same event_id in one session is stored once.",
    )

    def row(self) -> dict[str, Any]:
        values = self.model_dump(exclude={"event_id"})
        values["client_event_id"] = self.event_id
        return values


class ObjectDetectionPayload(EventPayload):
    """YOLOv8 team: {"session_id": 123, "object_detected": "cell phone", "confidence_score": 95.5}"""

    table: ClassVar[str] = "object_detection_events"
    object_detected: Annotated[str, Strict(), Field(min_length=1, max_length=100, pattern=r"\S")]
    confidence_score: Percent
    timestamp: EventTime | None = None
    duration_ms: DurationMs = 0
    snapshot_url: (
        Annotated[str, Strict(), Field(max_length=2000, pattern=r"^(https?://\S+|/([^/\s]\S*)?)$")]
        | None
    ) = None


class FacePosePayload(EventPayload):
    """OpenCV team: {"session_id": 123, "event_type": "looking_away", "duration_ms": 3500, "severity_score": 3}"""

    table: ClassVar[str] = "face_pose_events"
    event_type: Annotated[str, Strict(), Field(min_length=1, max_length=50, pattern=r"\S")]
    duration_ms: DurationMs = 0
    severity_score: Annotated[int, Strict(), Field(ge=1, le=5)] = 1
    confidence_score: Percent | None = None
    timestamp: EventTime | None = None


class AudioTranscriptPayload(EventPayload):
    """Whisper team: {"session_id": 123, "text_content": "My answer is...", "is_multiple_speakers": false}"""

    table: ClassVar[str] = "audio_transcripts"
    text_content: Annotated[str, Strict(), Field(max_length=100_000)]
    is_multiple_speakers: Annotated[bool, Strict()] = False
    # Someone other than the enrolled candidate answering (optional; see docs/audio.md).
    is_voice_mismatch: Annotated[bool, Strict()] = False
    start_timestamp: EventTime | None = None
    end_timestamp: EventTime | None = None
    flagged_phrases: list[Annotated[str, Strict(), Field(max_length=200)]] = Field(
        default_factory=list, max_length=50
    )
    speaker_confidence: Percent | None = None

    @model_validator(mode="after")
    def _end_after_start(self) -> AudioTranscriptPayload:
        if (
            self.start_timestamp
            and self.end_timestamp
            and self.end_timestamp < self.start_timestamp
        ):
            raise ValueError("end_timestamp must not be before start_timestamp")
        return self


class AnswerEvaluationPayload(EventPayload):
    """GPT/LLM team: {"session_id": 123, "ai_relevance_score": 85.5, "ai_feedback": "Good understanding..."}"""

    table: ClassVar[str] = "answer_evaluations"
    ai_relevance_score: Percent | None = None
    ai_feedback: Annotated[str, Strict(), Field(max_length=20_000)] | None = None
    question_id: Annotated[str, Strict(), Field(max_length=100)] | None = None
    candidate_answer: Annotated[str, Strict(), Field(max_length=100_000)] | None = None
    question_text: Annotated[str, Strict(), Field(max_length=20_000)] | None = None


# What pages and outside modules may post; the server adds page_tampered and
# telemetry_contradiction itself (the migration's CHECK lists all twelve).
BrowserEventType = Literal[
    "page_hidden", "focus_lost", "fullscreen_exit", "paste", "copy", "reload", "offline",
    "second_display", "device_changed", "heartbeat",
]  # fmt: skip
BROWSER_EVENT_TYPES: tuple[str, ...] = get_args(BrowserEventType)
MAX_DETAILS_KEYS = 20
MAX_DETAILS_TEXT = 200
DetailValue = (
    Annotated[str, Strict(), Field(max_length=MAX_DETAILS_TEXT)]
    | Annotated[int, Strict()]
    | Annotated[float, Strict(), Field(allow_inf_nan=False)]
    | Annotated[bool, Strict()]
    | None
)


class BrowserEventPayload(EventPayload):
    """Candidate page: {"session_id": 123, "event_type": "page_hidden", "duration_ms": 4000,
    "details": {...}}. `timestamp` is when the span began (the server's clock when left out);
    `details` holds flat counts and names, never answer text."""

    table: ClassVar[str] = "browser_events"
    event_type: BrowserEventType
    timestamp: EventTime | None = None
    duration_ms: DurationMs = 0
    details: dict[Annotated[str, Field(max_length=50)], DetailValue] = Field(
        default_factory=dict, max_length=MAX_DETAILS_KEYS
    )
    _source: str = PrivateAttr(default="external")

    def from_source(self, source: str) -> BrowserEventPayload:
        """This event as posted by `source` (the candidate's own page, say)."""
        copy = self.model_copy()
        copy._source = source
        return copy

    def row(self) -> dict[str, Any]:
        return {**super().row(), "source": self._source}


class IngestResult(BaseModel):
    received: int
    stored: int
    duplicates: int
    ids: list[int]
