"""ORM mappings of the schema that the SQL migrations create (the migrations are the truth)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, REAL, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from interview_monitor.interviews.statuses import SessionStatus


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(50))
    email: Mapped[str] = mapped_column(String(255))
    password_hash: Mapped[str] = mapped_column(Text)
    full_name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    role: Mapped[str] = mapped_column(String(20), server_default="candidate")
    is_active: Mapped[bool] = mapped_column(Boolean, server_default="true")


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class InterviewSession(Base):
    __tablename__ = "interview_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    start_time: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    end_time: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    total_risk_score: Mapped[Decimal] = mapped_column(Numeric(5, 2), server_default="0.00")
    status: Mapped[str] = mapped_column(String(20), server_default=SessionStatus.IN_PROGRESS.value)
    title: Mapped[str | None] = mapped_column(String(200))
    ended_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    risk_stale: Mapped[bool] = mapped_column(Boolean, server_default="false")


class EvidenceSnapshot(Base):
    __tablename__ = "evidence_snapshots"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    session_id: Mapped[int] = mapped_column(ForeignKey("interview_sessions.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    content_type: Mapped[str] = mapped_column(String(50), server_default="image/jpeg")
    data: Mapped[bytes] = mapped_column(LargeBinary)


class ReferenceFaceRow(Base):
    """Migration 0004: who the session's candidate is, for identity_mismatch."""

    __tablename__ = "reference_faces"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("interview_sessions.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(20))
    model: Mapped[str] = mapped_column(String(50))
    embedding: Mapped[list[float]] = mapped_column(ARRAY(REAL))
    snapshot: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class _SessionEvent:
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("interview_sessions.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(50), server_default="external")
    client_event_id: Mapped[str | None] = mapped_column(String(100))


class _DismissibleEvent(_SessionEvent):
    dismissed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    dismissed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    dismissal_reason: Mapped[str | None] = mapped_column(Text)


class ObjectDetectionEvent(_DismissibleEvent, Base):
    __tablename__ = "object_detection_events"
    kind: ClassVar[str] = "object_detection"

    timestamp: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    object_detected: Mapped[str] = mapped_column(String(100))
    confidence_score: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    snapshot_url: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int] = mapped_column(Integer, server_default="0")


class FacePoseEvent(_DismissibleEvent, Base):
    __tablename__ = "face_pose_events"
    kind: ClassVar[str] = "face_pose"

    timestamp: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    event_type: Mapped[str] = mapped_column(String(50))
    duration_ms: Mapped[int] = mapped_column(Integer, server_default="0")
    severity_score: Mapped[int] = mapped_column(Integer, server_default="1")
    confidence_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    snapshot_url: Mapped[str | None] = mapped_column(Text)


class AudioTranscript(_DismissibleEvent, Base):
    __tablename__ = "audio_transcripts"
    kind: ClassVar[str] = "audio_transcript"

    start_timestamp: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    end_timestamp: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    text_content: Mapped[str] = mapped_column(Text)
    is_multiple_speakers: Mapped[bool] = mapped_column(Boolean, server_default="false")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    flagged_phrases: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    speaker_confidence: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    is_voice_mismatch: Mapped[bool] = mapped_column(Boolean, server_default="false")


class VoiceEnrolmentRow(Base):
    """The candidate's voice print from the sentence read at the system check."""

    __tablename__ = "voice_enrolments"

    session_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("interview_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    voice_print: Mapped[list[float]] = mapped_column(ARRAY(REAL))
    windows: Mapped[int] = mapped_column(Integer)
    min_agreement: Mapped[Decimal] = mapped_column(Numeric(4, 3))
    speech_s: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    speech_dbfs: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AnswerEvaluation(_SessionEvent, Base):
    __tablename__ = "answer_evaluations"
    kind: ClassVar[str] = "answer_evaluation"

    question_id: Mapped[str | None] = mapped_column(String(100))
    candidate_answer: Mapped[str | None] = mapped_column(Text)
    ai_relevance_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    ai_feedback: Mapped[str | None] = mapped_column(Text)
    question_text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AnswerVector(Base):
    __tablename__ = "answer_vectors"

    answer_id: Mapped[int] = mapped_column(
        ForeignKey("answer_evaluations.id", ondelete="CASCADE"), primary_key=True
    )
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class AnswerMatch(Base):
    """A near-copy between this session's answer and another candidate's: a flag."""

    __tablename__ = "answer_matches"
    kind: ClassVar[str] = "answer_match"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("interview_sessions.id", ondelete="CASCADE"))
    answer_id: Mapped[int] = mapped_column(ForeignKey("answer_evaluations.id", ondelete="CASCADE"))
    other_session_id: Mapped[int] = mapped_column(
        ForeignKey("interview_sessions.id", ondelete="CASCADE")
    )
    other_answer_id: Mapped[int] = mapped_column(
        ForeignKey("answer_evaluations.id", ondelete="CASCADE")
    )
    question_id: Mapped[str] = mapped_column(String(100))
    tier: Mapped[str] = mapped_column(String(10))
    own_jaccard: Mapped[Decimal] = mapped_column(Numeric(5, 4))
    own_shingles: Mapped[int] = mapped_column(Integer)
    cosine: Mapped[Decimal | None] = mapped_column(Numeric(5, 4))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    dismissed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    dismissed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    dismissal_reason: Mapped[str | None] = mapped_column(Text)


class BrowserEvent(_DismissibleEvent, Base):
    __tablename__ = "browser_events"
    kind: ClassVar[str] = "browser"

    timestamp: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    event_type: Mapped[str] = mapped_column(String(50))
    duration_ms: Mapped[int] = mapped_column(Integer, server_default="0")
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")


class AnswerCadence(Base):
    """How one typed answer arrived: counts and times, never the keystrokes."""

    __tablename__ = "answer_cadence"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("interview_sessions.id", ondelete="CASCADE"))
    answer_id: Mapped[int] = mapped_column(ForeignKey("answer_evaluations.id", ondelete="CASCADE"))
    question_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    verdict: Mapped[str] = mapped_column(String(30))
    first_key_ms: Mapped[int | None] = mapped_column(Integer)
    first_speech_ms: Mapped[int | None] = mapped_column(Integer)
    inserted_chars: Mapped[int] = mapped_column(Integer, server_default="0")
    typed_chars: Mapped[int] = mapped_column(Integer, server_default="0")
    bulk_chars: Mapped[int] = mapped_column(Integer, server_default="0")
    cps_bursts_p95: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    pauses: Mapped[int] = mapped_column(Integer, server_default="0")
    summary: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    dismissed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    dismissed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    dismissal_reason: Mapped[str | None] = mapped_column(Text)


class RiskHistory(Base):
    __tablename__ = "risk_history"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("interview_sessions.id", ondelete="CASCADE"))
    computed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    total_risk_score: Mapped[Decimal] = mapped_column(Numeric(5, 2))


class InterviewQuestion(Base):
    __tablename__ = "interview_questions"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    reference_answer: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ReviewNote(Base):
    __tablename__ = "review_notes"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("interview_sessions.id", ondelete="CASCADE"))
    incident_ref: Mapped[str | None] = mapped_column(String(120))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ReviewOutcome(Base):
    __tablename__ = "review_outcomes"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("interview_sessions.id", ondelete="CASCADE"))
    outcome: Mapped[str] = mapped_column(String(20))
    set_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    set_by_name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ReviewAuditEvent(Base):
    __tablename__ = "review_audit_events"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("interview_sessions.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(Text, server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class RecordingSegment(Base):
    __tablename__ = "recording_segments"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("interview_sessions.id", ondelete="CASCADE"))
    segment_index: Mapped[int] = mapped_column(Integer)
    start_offset_ms: Mapped[int] = mapped_column(BigInteger)
    duration_ms: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)
    storage_key: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class StreamDrop(Base):
    __tablename__ = "stream_drops"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("interview_sessions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ScheduledInterview(Base):
    __tablename__ = "scheduled_interviews"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str | None] = mapped_column(String(200))
    opens_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closes_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    invitation_sha256: Mapped[str] = mapped_column(String(64))
    invitation_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("interview_sessions.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
