from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from interview_monitor.db.tables import InterviewSession, RecordingSegment, StreamDrop


class SegmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def put(self, segment: RecordingSegment) -> RecordingSegment:
        """Insert, or replace the segment of the same index (a retried upload)."""
        values = {
            "session_id": segment.session_id,
            "segment_index": segment.segment_index,
            "start_offset_ms": segment.start_offset_ms,
            "duration_ms": segment.duration_ms,
            "size_bytes": segment.size_bytes,
            "storage_key": segment.storage_key,
        }
        statement = insert(RecordingSegment).values(values)
        stored = await self.session.scalars(
            statement.on_conflict_do_update(
                constraint="recording_segments_index_key",
                set_={name: statement.excluded[name] for name in values},
            ).returning(RecordingSegment)
        )
        return stored.one()

    async def of_session(self, session_id: int) -> Sequence[RecordingSegment]:
        query = select(RecordingSegment).where(RecordingSegment.session_id == session_id)
        order = (RecordingSegment.start_offset_ms, RecordingSegment.segment_index)
        return (await self.session.scalars(query.order_by(*order))).all()

    async def get(self, session_id: int, index: int) -> RecordingSegment | None:
        query = select(RecordingSegment).where(
            RecordingSegment.session_id == session_id, RecordingSegment.segment_index == index
        )
        return (await self.session.scalars(query)).one_or_none()

    async def existing_sessions(self, session_ids: set[int]) -> set[int]:
        query = select(InterviewSession.id).where(InterviewSession.id.in_(session_ids))
        return set((await self.session.scalars(query)).all())

    async def sessions_of_user(self, user_id: int) -> set[int]:
        query = select(InterviewSession.id).where(InterviewSession.user_id == user_id)
        return set((await self.session.scalars(query)).all())


class DropRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def open(self, session_id: int, kind: str, at: datetime) -> bool:
        """A drop starts, unless one of this stream is already open (the partial unique index);
        whether it started."""
        statement = insert(StreamDrop).values(session_id=session_id, kind=kind, started_at=at)
        started = await self.session.scalars(
            statement.on_conflict_do_nothing(
                index_elements=["session_id", "kind"], index_where=StreamDrop.ended_at.is_(None)
            ).returning(StreamDrop.id)
        )
        return started.first() is not None

    async def close(self, session_id: int, kind: str, at: datetime) -> bool:
        """End the open drop of the stream; whether there was one."""
        query = update(StreamDrop).where(
            StreamDrop.session_id == session_id, StreamDrop.ended_at.is_(None)
        )
        query = query.where(StreamDrop.kind == kind)
        # GREATEST: a clock step backwards must not break the times check.
        ended = await self.session.scalars(
            query.values(ended_at=func.greatest(StreamDrop.started_at, at)).returning(StreamDrop.id)
        )
        return ended.first() is not None

    async def of_session(self, session_id: int) -> Sequence[StreamDrop]:
        query = select(StreamDrop).where(StreamDrop.session_id == session_id)
        return (await self.session.scalars(query.order_by(StreamDrop.started_at))).all()
