"""Uploading a session's recording segments (its candidate) and playing them (reviewers)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request, Response, status

from interview_monitor.deps import CurrentUser, DbSession, RecordingStoreDep, Reviewer
from interview_monitor.errors import InvalidInputError, TooLargeError
from interview_monitor.ids import RowId
from interview_monitor.playback import service
from interview_monitor.playback.schemas import SEGMENT_URL, DropRead, RecordingRead, SegmentRead

router = APIRouter(tags=["recording"])

SegmentIndex = Annotated[int, Path(ge=0, le=1_000_000)]
WEBM_TYPES = ("video/webm", "audio/webm")


def _read(segment: Any) -> SegmentRead:
    return SegmentRead(
        index=segment.segment_index,
        start_offset_ms=segment.start_offset_ms,
        duration_ms=segment.duration_ms,
        size_bytes=segment.size_bytes,
        url=SEGMENT_URL.format(session_id=segment.session_id, index=segment.segment_index),
    )


async def _body(request: Request, limit: int) -> bytes:
    """The body, refused as soon as it passes the limit (a chunked upload has no length)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLargeError(f"a segment is at most {limit} bytes", ["body"])
        chunks.append(chunk)
    return b"".join(chunks)


@router.post(
    "/api/interview/{session_id}/recording/segments/{index}", status_code=status.HTTP_201_CREATED
)
async def upload_segment(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    store: RecordingStoreDep,
    session_id: RowId,
    index: SegmentIndex,
    started_ms_ago: Annotated[int, Query(ge=0, le=24 * 3600 * 1000)],
    content_type: Annotated[str, Header()] = "",
) -> SegmentRead:
    """One WebM segment of the candidate's own session, as the raw body (`video/webm`).
    `started_ms_ago`: how long before sending the browser started recording it. Sending the
    same index again replaces the segment (a retried upload)."""
    # Before the body is read: the segment's start is measured from when the request came.
    arrived_at = datetime.now(UTC)
    if content_type.split(";")[0].strip().lower() not in WEBM_TYPES:
        raise InvalidInputError("send the segment as video/webm", ["header", "content-type"])
    data = await _body(request, service.MAX_SEGMENT_BYTES)
    segment = await service.store_segment(
        db, store, user, session_id, index, started_ms_ago, arrived_at, data
    )
    return _read(segment)


@router.get("/api/interview/{session_id}/recording")
async def get_recording(db: DbSession, user: Reviewer, session_id: RowId) -> RecordingRead:
    found = await service.recording(db, user, session_id)
    return RecordingRead(
        session_id=session_id,
        start_time=found.interview.start_time,
        segments=[_read(segment) for segment in found.segments],
        drops=[
            DropRead(kind=d.kind, started_at=d.started_at, ended_at=d.ended_at) for d in found.drops
        ],
    )


@router.get(
    "/api/interview/{session_id}/recording/segments/{index}",
    response_class=Response,
    responses={200: {"content": {"video/webm": {}}}},
)
async def get_segment(
    db: DbSession, user: Reviewer, store: RecordingStoreDep, session_id: RowId, index: SegmentIndex
) -> Response:
    data = await service.segment_data(db, store, user, session_id, index)
    return Response(
        data, media_type="video/webm", headers={"Cache-Control": "private, max-age=3600"}
    )
