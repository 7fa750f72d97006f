"""Recording segments and stream drops of a session. Never commits: the caller does."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from interview_monitor.db.commit_hooks import once_committed
from interview_monitor.db.tables import InterviewSession, RecordingSegment, StreamDrop, User
from interview_monitor.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from interview_monitor.interviews.service import get_session, is_reviewer
from interview_monitor.interviews.statuses import SessionStatus
from interview_monitor.media.webm import NotWebmError, remux_segment
from interview_monitor.playback.repository import DropRepository, SegmentRepository
from interview_monitor.playback.storage import RecordingStore

# 10 s of the recorder's 300 kbit/s is under 0.5 MB; the limit leaves room for a slow restart.
MAX_SEGMENT_BYTES = 8 * 1024 * 1024
# Segments recorded before the end can still be on their way (a retry after a drop).
LATE_UPLOAD = timedelta(minutes=10)


async def store_segment(
    db: AsyncSession,
    store: RecordingStore,
    actor: User,
    session_id: int,
    index: int,
    started_ms_ago: int,
    arrived_at: datetime,
    data: bytes,
) -> RecordingSegment:
    """Check and store one segment of the candidate's own session.

    The segment's place on the session clock is the server's arrival time less how long ago
    the browser started it (a duration, so the two clocks need not agree).
    """
    interview = await get_session(db, session_id, actor)
    if interview.user_id != actor.id:
        raise ForbiddenError("only the session's candidate uploads its recording")
    if interview.status != SessionStatus.IN_PROGRESS and (
        interview.end_time is None or arrived_at - interview.end_time > LATE_UPLOAD
    ):
        raise ConflictError(
            f"session {session_id} has ended; it takes no more recording", ["path", "session_id"]
        )
    if not data:
        raise InvalidInputError("the segment is empty", ["body"])
    try:
        segment = await asyncio.to_thread(remux_segment, data)
    except NotWebmError as error:
        raise InvalidInputError(str(error), ["body"]) from None
    started = arrived_at - timedelta(milliseconds=started_ms_ago)
    offset_ms = max(0, round((started - interview.start_time).total_seconds() * 1000))
    key = await asyncio.to_thread(store.put, session_id, index, segment.data)
    return await SegmentRepository(db).put(
        RecordingSegment(
            session_id=session_id,
            segment_index=index,
            start_offset_ms=offset_ms,
            duration_ms=segment.duration_ms,
            size_bytes=len(segment.data),
            storage_key=key,
        )
    )


@dataclass(frozen=True)
class Recording:
    interview: InterviewSession
    segments: Sequence[RecordingSegment]
    drops: Sequence[StreamDrop]


async def recording(db: AsyncSession, actor: User, session_id: int) -> Recording:
    _require_reviewer(actor)
    interview = await get_session(db, session_id, actor)
    segments = await SegmentRepository(db).of_session(session_id)
    return Recording(interview, segments, await DropRepository(db).of_session(session_id))


async def segment_data(
    db: AsyncSession, store: RecordingStore, actor: User, session_id: int, index: int
) -> bytes:
    _require_reviewer(actor)
    await get_session(db, session_id, actor)
    segment = await SegmentRepository(db).get(session_id, index)
    data = None if segment is None else await asyncio.to_thread(store.get, segment.storage_key)
    if data is None:
        raise NotFoundError(
            f"session {session_id} has no recorded segment {index}", ["path", "index"]
        )
    return data


def _require_reviewer(actor: User) -> None:
    if not is_reviewer(actor):
        raise ForbiddenError("only interviewers and admins play recordings")


async def forget_user(db: AsyncSession, store: RecordingStore, user_id: int) -> None:
    """Before a user is deleted: their sessions' files go once the deletion is committed."""
    session_ids = await SegmentRepository(db).sessions_of_user(user_id)
    once_committed(db, lambda: store.delete_sessions(session_ids))


async def sweep(db: AsyncSession, store: RecordingStore) -> int:
    """Delete the files of sessions that no longer exist (purged, deleted, or deleted while
    an upload was being written); the number of sessions whose files went."""
    with_files = await asyncio.to_thread(store.session_ids)
    gone = with_files - await SegmentRepository(db).existing_sessions(with_files)
    await asyncio.to_thread(store.delete_sessions, gone)
    return len(gone)


async def stream_dropped(db: AsyncSession, session_id: int, kind: str) -> bool:
    """The stream was cut off; False if it was already known to be down."""
    return await DropRepository(db).open(session_id, kind, datetime.now(UTC))


async def stream_back(db: AsyncSession, session_id: int, kind: str) -> bool:
    """The stream is back (or finished); False if it had not dropped."""
    return await DropRepository(db).close(session_id, kind, datetime.now(UTC))


async def drops(db: AsyncSession, session_id: int) -> Sequence[StreamDrop]:
    return await DropRepository(db).of_session(session_id)
