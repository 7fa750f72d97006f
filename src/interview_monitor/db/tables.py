"""ORM mappings of the schema that the SQL migrations create (the migrations are the truth)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import ClassVar

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
from sqlalchemy.dialects.postgresql import ARRAY, UUID
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


class AnswerEvaluation(_SessionEvent, Base):
    __tablename__ = "answer_evaluations"
    kind: ClassVar[str] = "answer_evaluation"

    question_id: Mapped[str | None] = mapped_column(String(100))
    candidate_answer: Mapped[str | None] = mapped_column(Text)
    ai_relevance_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    ai_feedback: Mapped[str | None] = mapped_column(Text)
    question_text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


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
